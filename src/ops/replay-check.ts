/**
 * Replays the whole event log and checks the invariants of SPEC §8 that the log itself must satisfy, event
 * by event: versions without gaps, prices that never fall, no bid at or after the end in force, wallet events
 * whose recorded balances follow from their amounts. What it folds (auction states, balances) is kept for the
 * comparisons with stored data in verify.ts.
 */
import { type AuctionEvent, type AuctionState, type BidPlacedData, evolve } from '../auctions/auction.js';
import { toAuctionEvent } from '../auctions/auction-store.js';
import { parseStreamId } from '../event-store/streams.js';
import type { RecordedEvent } from '../event-store/types.js';
import {
  type Balance,
  EMPTY_BALANCE,
  WALLET_EVENT_TYPES,
  type WalletEventData,
  applyMovement,
} from '../wallets/wallet.js';

export interface Finding {
  readonly check: string;
  readonly detail: string;
}

/** What a sold auction's wallets saw, to check that the winner paid and the seller got exactly the price. */
interface Settlement {
  paidByWinner: number;
  paidOutToSeller: number;
  payouts: number;
}

export class ReplayState {
  readonly auctions = new Map<string, AuctionState>();
  readonly balances = new Map<string, Balance>();
  readonly findings: Finding[] = [];
  deposits = 0;
  withdrawals = 0;
  events = 0;
  private readonly versions = new Map<string, number>();
  /** The leader's maximum at the moment each auction closed, for the "price at most the winner's max" check. */
  readonly maxAtClose = new Map<string, number>();
  readonly settlements = new Map<string, Settlement>();
  /** Each BidPlaced by `bidder/commandId`: a second one for the same key is a command applied twice. */
  readonly placedBids = new Map<string, { auctionId: string; seq: number }>();
  private readonly findingCounts = new Map<string, number>();

  apply(e: RecordedEvent): void {
    this.events += 1;
    const last = this.versions.get(e.streamId) ?? 0;
    if (e.version !== last + 1) {
      this.find('5. seq runs 1, 2, 3 without gaps', `${e.streamId} has version ${e.version} after ${last}`);
    }
    this.versions.set(e.streamId, Math.max(last, e.version));
    const ref = parseStreamId(e.streamId);
    if (ref.kind === 'auction') this.applyAuction(ref.auctionId, e.version, toAuctionEvent(e));
    else if (ref.kind === 'wallet' && WALLET_EVENT_TYPES.has(e.type))
      this.applyWallet(ref.userId, e.data as WalletEventData);
  }

  private applyAuction(auctionId: string, seq: number, event: AuctionEvent): void {
    const before = this.auctions.get(auctionId) ?? null;
    if (event.type === 'BidPlaced' && before) this.checkBid(auctionId, seq, before, event.at, event.data);
    if (event.type === 'AuctionClosed' && before) this.maxAtClose.set(auctionId, before.leaderMax);
    try {
      this.auctions.set(auctionId, evolve(before, event));
    } catch (err) {
      this.find('5. seq runs 1, 2, 3 without gaps', `auction ${auctionId}: ${(err as Error).message}`);
    }
  }

  private checkBid(auctionId: string, seq: number, before: AuctionState, at: number, d: BidPlacedData): void {
    if (before.status !== 'open' || at >= before.endsAt) {
      this.find(
        '6. no bid at or after the end in force',
        `auction ${auctionId}: bid at ${new Date(at).toISOString()} (${before.status}, ends ${new Date(before.endsAt).toISOString()})`,
      );
    }
    if (before.currentPrice !== null && d.currentPrice < before.currentPrice) {
      this.find('5. the price never goes down', `auction ${auctionId}: ${before.currentPrice} then ${d.currentPrice}`);
    }
    const key = `${d.bidderId}/${d.commandId}`;
    if (this.placedBids.has(key)) this.find('7. one effect per command id', `bid command ${key} placed twice`);
    this.placedBids.set(key, { auctionId, seq });
  }

  private applyWallet(userId: string, d: WalletEventData): void {
    const before = this.balances.get(userId) ?? EMPTY_BALANCE;
    let after: Balance;
    try {
      after = applyMovement(before, d.reason, d.amount);
    } catch {
      this.find(
        '1. balances never negative',
        `wallet ${userId}: ${d.reason} of ${d.amount} from ${JSON.stringify(before)}`,
      );
      after = { available: before.available, held: before.held };
    }
    if (after.available !== d.available || after.held !== d.held) {
      this.find(
        '8. wallet events add up',
        `wallet ${userId}: ${d.reason} records ${d.available}/${d.held}, replay gives ${after.available}/${after.held}`,
      );
    }
    this.balances.set(userId, after);
    if (d.reason === 'deposit') this.deposits += d.amount;
    if (d.reason === 'withdrawal') this.withdrawals += d.amount;
    if (d.auctionId !== undefined && (d.reason === 'payment' || d.reason === 'payout')) {
      const s = this.settlements.get(d.auctionId) ?? { paidByWinner: 0, paidOutToSeller: 0, payouts: 0 };
      if (d.reason === 'payment') s.paidByWinner += d.amount;
      else {
        s.paidOutToSeller += d.amount;
        s.payouts += 1;
      }
      this.settlements.set(d.auctionId, s);
    }
  }

  /** Records a finding; after a few of one kind, only counts them, so a broken log cannot flood the report. */
  find(check: string, detail: string): void {
    const n = (this.findingCounts.get(check) ?? 0) + 1;
    this.findingCounts.set(check, n);
    if (n <= 5) this.findings.push({ check, detail });
  }

  /** Invariants on the final states: 3 (held equals led maximums) needs stored balances, so verify.ts does it. */
  checkSettlements(): void {
    for (const [id, a] of this.auctions) {
      if (a.status !== 'closed' || a.winnerId === null) continue;
      const price = a.finalPrice ?? -1;
      const s = this.settlements.get(id) ?? { paidByWinner: 0, paidOutToSeller: 0, payouts: 0 };
      const problems: string[] = [];
      if (a.winnerId === a.sellerId) problems.push('the winner is the seller');
      if (a.reservePrice !== null && price < a.reservePrice) problems.push(`price ${price} below the reserve`);
      const winnerMax = a.closeReason === 'buy_now' ? a.buyNowPrice : this.maxAtClose.get(id);
      if (winnerMax === undefined || winnerMax === null || price > winnerMax)
        problems.push(`price ${price} above the winner's max ${winnerMax}`);
      if (s.paidByWinner !== price) problems.push(`winner paid ${s.paidByWinner}, price ${price}`);
      if (s.payouts !== 1 || s.paidOutToSeller !== price)
        problems.push(`seller paid ${s.paidOutToSeller} in ${s.payouts} payouts, price ${price}`);
      if (problems.length > 0)
        this.find('4. a sale pays the seller the final price', `auction ${id}: ${problems.join('; ')}`);
    }
  }
}
