/**
 * The auction rules of SPEC §6 as one pure function: given the state, a command and the balances of the
 * wallets it may touch, decide the events (on the auction's stream and on wallet streams) and the answer.
 *
 * Time is the command's `at`. Before a command is judged, whatever became due by then happens first (the
 * auction opens at `startsAt`, closes at `endsAt`), so a bid at or after the end in force meets a closed
 * auction even when no timer has fired yet.
 */
import type { Rejection } from '../errors.js';
import {
  type AuctionEvent,
  type AuctionState,
  evolve,
  isBuyNowOffered,
  isTerminal,
  nextMinimumBid,
} from './auction.js';
import { incrementAt } from './increments.js';
import { type Balance, type WalletEvent, type WalletReason, canHold, walletEvent } from '../wallets/wallet.js';

export type AuctionCommand =
  | {
      readonly type: 'PlaceBid';
      readonly at: number;
      readonly bidderId: string;
      readonly maxAmount: number;
      readonly commandId: string;
    }
  | { readonly type: 'BuyNow'; readonly at: number; readonly buyerId: string; readonly commandId: string }
  | { readonly type: 'CancelAuction'; readonly at: number; readonly userId: string }
  | { readonly type: 'Tick'; readonly at: number };

export type CommandReply =
  | {
      readonly kind: 'bid';
      readonly leading: boolean;
      readonly currentPrice: number;
      readonly leaderId: string;
      readonly seq: number;
    }
  | { readonly kind: 'buy_now'; readonly winnerId: string; readonly finalPrice: number; readonly seq: number }
  | { readonly kind: 'cancelled'; readonly seq: number }
  | { readonly kind: 'tick'; readonly seq: number };

export type Outcome =
  { readonly ok: true; readonly reply: CommandReply } | { readonly ok: false; readonly rejection: Rejection };

export type DecidedEvent = AuctionEvent | WalletEvent;

export interface Decision {
  readonly events: readonly DecidedEvent[];
  readonly outcome: Outcome;
}

/** Current balances of the wallets a command may touch (the caller holds their row locks). */
export type FundsView = (userId: string) => Balance;

export function isWalletEvent(event: DecidedEvent): event is WalletEvent {
  return event.type === 'WalletCredited' || event.type === 'WalletDebited';
}

/** The wallets a command may move, beyond the leader of the moment: the seller only when the auction can close. */
export function walletsTouchedBy(state: AuctionState, command: AuctionCommand): string[] {
  const ids: string[] = [];
  if (state.leaderId !== null) ids.push(state.leaderId);
  if (command.type === 'PlaceBid') ids.push(command.bidderId);
  if (command.type === 'BuyNow') ids.push(command.buyerId, state.sellerId);
  if (command.at >= state.endsAt) ids.push(state.sellerId);
  return ids;
}

const reject = (code: Rejection['code'], message: string): Outcome => ({ ok: false, rejection: { code, message } });

/** Accumulates events while folding them into the state and the balances, so each step sees the last. */
class Draft {
  readonly events: DecidedEvent[] = [];
  private readonly balances = new Map<string, Balance>();

  constructor(
    public state: AuctionState,
    private readonly funds: FundsView,
  ) {}

  balance(userId: string): Balance {
    return this.balances.get(userId) ?? this.funds(userId);
  }

  /** Appends an auction event and returns its seq. */
  emit(event: AuctionEvent): number {
    this.state = evolve(this.state, event);
    this.events.push(event);
    return this.state.version;
  }

  move(userId: string, reason: WalletReason, amount: number, at: number): void {
    if (amount === 0) return;
    const { event, after } = walletEvent(userId, reason, amount, this.balance(userId), at, this.state.id);
    this.balances.set(userId, after);
    this.events.push(event);
  }
}

export function decide(state: AuctionState, command: AuctionCommand, funds: FundsView): Decision {
  const draft = new Draft(state, funds);
  advanceClock(draft, command.at);
  const outcome = judge(draft, command);
  return { events: draft.events, outcome };
}

function judge(draft: Draft, command: AuctionCommand): Outcome {
  switch (command.type) {
    case 'Tick':
      return { ok: true, reply: { kind: 'tick', seq: draft.state.version } };
    case 'PlaceBid':
      return placeBid(draft, command);
    case 'BuyNow':
      return buyNow(draft, command);
    case 'CancelAuction':
      return cancel(draft, command);
  }
}

/** Opens at `startsAt` and closes at `endsAt`, stamped with those instants rather than the command's. */
function advanceClock(draft: Draft, at: number): void {
  const s = draft.state;
  if (s.status === 'scheduled' && at >= s.startsAt) {
    draft.emit({ type: 'AuctionOpened', at: Math.max(s.startsAt, s.createdAt), data: {} });
  }
  if (draft.state.status === 'open' && at >= draft.state.endsAt) {
    closeAtEnd(draft, draft.state.endsAt);
  }
}

function closeAtEnd(draft: Draft, at: number): void {
  const s = draft.state;
  const leaderId = s.leaderId;
  const sold = leaderId !== null && s.reserveMet && s.currentPrice !== null;
  if (sold) {
    const price = s.currentPrice;
    draft.move(leaderId, 'payment', price, at);
    draft.move(leaderId, 'hold_released', s.leaderMax - price, at);
    draft.move(s.sellerId, 'payout', price, at);
  } else if (leaderId !== null) {
    draft.move(leaderId, 'hold_released', s.leaderMax, at);
  }
  draft.emit({
    type: 'AuctionClosed',
    at,
    data: {
      reason: 'ended',
      sold,
      winnerId: sold ? leaderId : null,
      finalPrice: sold ? s.currentPrice : null,
      reserveMet: s.reserveMet,
    },
  });
}

function notBiddable(state: AuctionState): Outcome | null {
  if (state.status === 'scheduled') return reject('auction_not_open', 'The auction has not opened yet');
  if (isTerminal(state)) return reject('auction_closed', 'The auction is over');
  return null;
}

function placeBid(draft: Draft, cmd: Extract<AuctionCommand, { type: 'PlaceBid' }>): Outcome {
  const s = draft.state;
  const closed = notBiddable(s);
  if (closed) return closed;
  if (cmd.bidderId === s.sellerId) return reject('seller_cannot_bid', 'Sellers cannot bid on their own auction');
  if (!Number.isSafeInteger(cmd.maxAmount) || cmd.maxAmount <= 0) {
    return reject('invalid_request', 'maxAmount must be a positive safe integer');
  }
  const minimum = nextMinimumBid(s);
  if (cmd.maxAmount < minimum) return reject('bid_too_low', `The bid must be at least ${minimum}`);

  const raising = s.leaderId === cmd.bidderId;
  if (raising && cmd.maxAmount <= s.leaderMax) {
    return reject('bid_too_low', 'A maximum can only be raised, never lowered');
  }
  // The leader is already holding their old maximum; only the difference is newly held.
  const toHold = raising ? cmd.maxAmount - s.leaderMax : cmd.maxAmount;
  if (!canHold(draft.balance(cmd.bidderId), toHold)) {
    return reject('insufficient_funds', `Bidding ${cmd.maxAmount} needs ${toHold} available to hold`);
  }

  const { leaderId, leaderMax, proxyPrice } = contest(s, cmd.bidderId, cmd.maxAmount);
  const reserveMet = s.reservePrice === null || leaderMax >= s.reservePrice;
  // The reserve lifts the price the moment a maximum reaches it; the price never goes down.
  const withReserve = s.reservePrice !== null && reserveMet ? Math.max(proxyPrice, s.reservePrice) : proxyPrice;
  const price = Math.max(withReserve, s.currentPrice ?? 0, s.startingPrice);

  if (leaderId !== s.leaderId && s.leaderId !== null) {
    draft.move(s.leaderId, 'hold_released', s.leaderMax, cmd.at);
  }
  if (leaderId === cmd.bidderId) draft.move(cmd.bidderId, 'bid_hold', toHold, cmd.at);

  const seq = draft.emit({
    type: 'BidPlaced',
    at: cmd.at,
    data: {
      bidderId: cmd.bidderId,
      maxAmount: cmd.maxAmount,
      commandId: cmd.commandId,
      currentPrice: price,
      leaderId,
      reserveMet,
    },
  });
  if (price !== s.currentPrice || leaderId !== s.leaderId) extendIfClosing(draft, cmd.at);
  return { ok: true, reply: { kind: 'bid', leading: leaderId === cmd.bidderId, currentPrice: price, leaderId, seq } };
}

/**
 * Second-price proxy bidding: the leader is the highest maximum (the earlier one on a tie) and the price is
 * the runner-up's maximum plus one increment, capped at the leader's maximum.
 */
function contest(
  s: AuctionState,
  bidderId: string,
  maxAmount: number,
): { leaderId: string; leaderMax: number; proxyPrice: number } {
  if (s.leaderId === null) return { leaderId: bidderId, leaderMax: maxAmount, proxyPrice: s.startingPrice };
  if (s.leaderId === bidderId) {
    return { leaderId: bidderId, leaderMax: maxAmount, proxyPrice: s.currentPrice ?? s.startingPrice };
  }
  const step = (runnerUp: number): number => runnerUp + incrementAt(runnerUp, s.minIncrement);
  if (maxAmount > s.leaderMax) {
    return { leaderId: bidderId, leaderMax: maxAmount, proxyPrice: Math.min(maxAmount, step(s.leaderMax)) };
  }
  return { leaderId: s.leaderId, leaderMax: s.leaderMax, proxyPrice: Math.min(s.leaderMax, step(maxAmount)) };
}

/** Soft close: a price or leader change inside the window pushes the end to `at + extension`, never earlier. */
function extendIfClosing(draft: Draft, at: number): void {
  const s = draft.state;
  const { windowSeconds, extensionSeconds } = s.softClose;
  if (windowSeconds <= 0 || at < s.endsAt - windowSeconds * 1000) return;
  const endsAt = at + extensionSeconds * 1000;
  if (endsAt <= s.endsAt) return;
  draft.emit({ type: 'AuctionExtended', at, data: { endsAt, previousEndsAt: s.endsAt } });
}

function buyNow(draft: Draft, cmd: Extract<AuctionCommand, { type: 'BuyNow' }>): Outcome {
  const s = draft.state;
  const closed = notBiddable(s);
  if (closed) return closed;
  if (cmd.buyerId === s.sellerId) return reject('seller_cannot_bid', 'Sellers cannot buy their own auction');
  if (!isBuyNowOffered(s) || s.buyNowPrice === null) {
    return reject('buy_now_unavailable', 'Buy now is not offered on this auction any more');
  }
  const price = s.buyNowPrice;
  // A leader who buys gets their own hold back first, so it counts towards the price.
  const released = s.leaderId === cmd.buyerId ? s.leaderMax : 0;
  if (!canHold(draft.balance(cmd.buyerId), price - released)) {
    return reject('insufficient_funds', `Buying now needs ${price} available`);
  }
  if (s.leaderId !== null) draft.move(s.leaderId, 'hold_released', s.leaderMax, cmd.at);
  draft.move(cmd.buyerId, 'bid_hold', price, cmd.at);
  draft.move(cmd.buyerId, 'payment', price, cmd.at);
  draft.move(s.sellerId, 'payout', price, cmd.at);
  const seq = draft.emit({
    type: 'AuctionClosed',
    at: cmd.at,
    data: { reason: 'buy_now', sold: true, winnerId: cmd.buyerId, finalPrice: price, reserveMet: true },
  });
  return { ok: true, reply: { kind: 'buy_now', winnerId: cmd.buyerId, finalPrice: price, seq } };
}

function cancel(draft: Draft, cmd: Extract<AuctionCommand, { type: 'CancelAuction' }>): Outcome {
  const s = draft.state;
  if (cmd.userId !== s.sellerId) return reject('forbidden', 'Only the seller may cancel an auction');
  if (isTerminal(s)) return reject('cannot_cancel', 'The auction is already over');
  if (s.bidCount > 0) return reject('cannot_cancel', 'An auction cannot be cancelled after its first bid');
  const seq = draft.emit({ type: 'AuctionCancelled', at: cmd.at, data: {} });
  return { ok: true, reply: { kind: 'cancelled', seq } };
}
