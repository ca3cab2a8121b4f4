/**
 * Given events / when command / then events or rejection, for the pure auction decider.
 */
import type { Test } from 'tap';
import { type AuctionEvent, type AuctionState, foldAuction } from '../../src/auctions/auction.js';
import { type AuctionCommand, type DecidedEvent, type Decision, decide } from '../../src/auctions/decide.js';
import type { RejectionCode } from '../../src/errors.js';
import type { Balance } from '../../src/wallets/wallet.js';

export const T0 = Date.parse('2026-01-01T12:00:00.000Z');
export const SECOND = 1000;

export function created(
  overrides: Partial<Extract<AuctionEvent, { type: 'AuctionCreated' }>['data']> = {},
): AuctionEvent {
  return {
    type: 'AuctionCreated',
    at: T0,
    data: {
      auctionId: 'a1',
      sellerId: 'seller',
      title: 'Lamp',
      description: '',
      startingPrice: 100,
      minIncrement: 10,
      reservePrice: null,
      buyNowPrice: null,
      startsAt: T0,
      endsAt: T0 + 3600 * SECOND,
      softClose: { windowSeconds: 60, extensionSeconds: 60 },
      ...overrides,
    },
  };
}

export const opened = (at = T0): AuctionEvent => ({ type: 'AuctionOpened', at, data: {} });

/** A BidPlaced exactly as the decider would write it. */
export function bidPlaced(
  at: number,
  bidderId: string,
  maxAmount: number,
  currentPrice: number,
  leaderId: string,
  reserveMet = true,
  commandId = `c-${bidderId}-${maxAmount}`,
): AuctionEvent {
  return { type: 'BidPlaced', at, data: { bidderId, maxAmount, commandId, currentPrice, leaderId, reserveMet } };
}

export const bid = (
  at: number,
  bidderId: string,
  maxAmount: number,
  commandId = `c-${bidderId}-${maxAmount}`,
): AuctionCommand => ({
  type: 'PlaceBid',
  at,
  bidderId,
  maxAmount,
  commandId,
});

export function walletMove(
  type: 'WalletCredited' | 'WalletDebited',
  at: number,
  userId: string,
  reason: string,
  amount: number,
  available: number,
  held: number,
): DecidedEvent {
  return { type, at, data: { userId, reason, amount, available, held, auctionId: 'a1' } } as DecidedEvent;
}

export const RICH: Balance = { available: 1_000_000, held: 0 };

export class DeciderSpec {
  private balances: Record<string, Balance> = {};
  private decision: Decision | null = null;
  private state: AuctionState | null;

  constructor(
    private readonly t: Test,
    events: AuctionEvent[],
  ) {
    this.state = foldAuction(events);
  }

  withFunds(balances: Record<string, Balance>): this {
    this.balances = balances;
    return this;
  }

  when(command: AuctionCommand): this {
    if (!this.state) throw new Error('no auction in the given events');
    this.decision = decide(this.state, command, (id) => this.balances[id] ?? RICH);
    return this;
  }

  then(events: DecidedEvent[], reply?: Record<string, unknown>): Decision {
    const d = this.mustHaveDecided();
    this.t.same(d.events, events, 'events');
    this.t.ok(d.outcome.ok, `accepted${d.outcome.ok ? '' : `, not ${d.outcome.rejection.code}`}`);
    if (reply && d.outcome.ok) this.t.match(d.outcome.reply, reply, 'reply');
    return d;
  }

  thenRejects(code: RejectionCode, events: DecidedEvent[] = []): void {
    const d = this.mustHaveDecided();
    this.t.equal(d.outcome.ok ? 'accepted' : d.outcome.rejection.code, code, 'rejection code');
    this.t.same(d.events, events, 'events');
  }

  /** The state after the decision's events, for checks beyond the events themselves. */
  stateAfter(): AuctionState {
    const d = this.mustHaveDecided();
    const auctionEvents = d.events.filter((e): e is AuctionEvent => !e.type.startsWith('Wallet'));
    const next = foldAuction(auctionEvents, this.state);
    if (!next) throw new Error('no state');
    return next;
  }

  private mustHaveDecided(): Decision {
    if (!this.decision) throw new Error('call when() first');
    return this.decision;
  }
}

export const given = (t: Test, events: AuctionEvent[]): DeciderSpec => new DeciderSpec(t, events);
