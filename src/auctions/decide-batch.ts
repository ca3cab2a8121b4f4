/**
 * Deciding a whole batch: the commands of one or more auctions, in order, against their actors' states and
 * the balances read under lock. Pure apart from the wallet map, which exists only for one transaction. Both
 * the group committer and the lock-per-request baseline use it, so they write exactly the same events.
 */
import { type OutcomeToStore, type StoredOutcome, keyOf } from '../commands/command-store.js';
import { auctionStreamId, walletStreamId } from '../event-store/streams.js';
import type { EventToAppend } from '../event-store/types.js';
import { newId } from '../ids.js';
import type { WalletRow } from '../wallets/wallet-store.js';
import { type AuctionState, evolve } from './auction.js';
import type { BatchWrites, StreamAdvance } from './batch-transaction.js';
import { type AuctionCommand, type Outcome, decide, isWalletEvent, walletsTouchedBy } from './decide.js';

export interface Idempotency {
  readonly userId: string;
  readonly commandId: string;
  /** A digest of what the command asks; the same id with another request is refused, not replayed. */
  readonly fingerprint: string;
}

/** A bid's key: the same commandId again with another auction or another maximum is another request. */
export function bidIdempotency(userId: string, commandId: string, auctionId: string, maxAmount: number): Idempotency {
  return { userId, commandId, fingerprint: `bid:${auctionId}:${maxAmount}` };
}

export interface PendingCommand {
  readonly command: AuctionCommand;
  readonly idempotency?: Idempotency | undefined;
}

export interface CommitUnit {
  readonly state: AuctionState;
  readonly commands: readonly PendingCommand[];
}

export interface CommittedUnit {
  readonly state: AuctionState;
  readonly outcomes: readonly Outcome[];
  /** Everything appended for this unit, auction and wallet events, in order. */
  readonly events: readonly EventToAppend[];
}

const reused = (): Outcome => ({
  ok: false,
  rejection: { code: 'invalid_request', message: 'This commandId was already used for a different request' },
});

/** Every wallet any command of the batch may move, sorted: the lock order. */
export function walletsFor(units: readonly CommitUnit[]): string[] {
  const ids = new Set<string>();
  for (const unit of units) {
    for (const { command } of unit.commands) {
      for (const id of walletsTouchedBy(unit.state, command)) ids.add(id);
    }
  }
  return [...ids].sort();
}

export interface DecidedBatch extends BatchWrites {
  readonly results: CommittedUnit[];
  readonly advances: StreamAdvance[];
  readonly events: EventToAppend[];
  readonly changedWallets: WalletRow[];
  readonly outcomes: OutcomeToStore[];
}

export function decideAll(
  units: readonly CommitUnit[],
  wallets: Map<string, WalletRow>,
  earlier: Map<string, StoredOutcome>,
): DecidedBatch {
  const seen = new Map(earlier);
  const changed = new Set<string>();
  const batch: DecidedBatch = { results: [], advances: [], events: [], changedWallets: [], outcomes: [] };
  const funds = (userId: string): WalletRow => {
    const wallet = wallets.get(userId);
    // walletsTouchedBy must name every wallet decide() can move; reaching this is a bug, and it aborts the batch.
    if (!wallet) throw new Error(`wallet ${userId} was not locked for this batch`);
    return wallet;
  };

  for (const unit of units) {
    let state = unit.state;
    const outcomes: Outcome[] = [];
    const events: EventToAppend[] = [];
    for (const pending of unit.commands) {
      const idem = pending.idempotency;
      const key = idem ? keyOf(idem) : null;
      const prior = key ? seen.get(key) : undefined;
      if (idem && prior) {
        outcomes.push(prior.fingerprint === idem.fingerprint ? (prior.outcome as Outcome) : reused());
        continue;
      }
      const decision = decide(state, pending.command, funds);
      for (const event of decision.events) {
        if (isWalletEvent(event)) {
          const before = funds(event.data.userId);
          const after: WalletRow = {
            ...before,
            available: event.data.available,
            held: event.data.held,
            version: before.version + 1,
          };
          wallets.set(after.userId, after);
          changed.add(after.userId);
          events.push({
            streamId: walletStreamId(after.userId),
            version: after.version,
            eventId: newId(event.at),
            ...event,
          });
        } else {
          state = evolve(state, event);
          events.push({
            streamId: auctionStreamId(state.id),
            version: state.version,
            eventId: newId(event.at),
            ...event,
          });
        }
      }
      outcomes.push(decision.outcome);
      if (idem && key) {
        const stored = { fingerprint: idem.fingerprint, outcome: decision.outcome };
        seen.set(key, stored);
        batch.outcomes.push({ userId: idem.userId, commandId: idem.commandId, ...stored });
      }
    }
    // Every unit is fenced, even one that only answered rejections: they were judged against this version.
    batch.advances.push({ state, expectedVersion: unit.state.version });
    batch.events.push(...events);
    batch.results.push({ state, outcomes, events });
  }
  for (const id of changed) batch.changedWallets.push(wallets.get(id) as WalletRow);
  return batch;
}
