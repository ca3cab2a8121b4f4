/**
 * The group committer: turns the batches of many auction actors into as few PostgreSQL transactions as
 * possible. Each actor hands over one batch at a time (a unit); while a transaction is in flight, units from
 * every auction queue up and go together in the next one, so one fsync carries them all.
 *
 * One transaction (batch-transaction.ts does the SQL, in two round trips):
 *   1. look up earlier outcomes of the command ids in the batch, and lock every wallet any command may touch,
 *      in one statement, in ascending id order;
 *   2. decide each command in order against the actor's state and the locked balances;
 *   3. fence and advance the auction streams, append all events, write balances and outcomes; COMMIT.
 * Nobody is answered before COMMIT returns.
 */
import type pg from 'pg';
import { isConflict } from '../event-store/errors.js';
import { auctionStreamId, walletStreamId } from '../event-store/streams.js';
import type { EventToAppend } from '../event-store/types.js';
import { newId } from '../ids.js';
import { type OutcomeToStore, type StoredOutcome, keyOf } from '../commands/command-store.js';
import type { WalletRow } from '../wallets/wallet-store.js';
import { type AuctionState, evolve } from './auction.js';
import { type BatchWrites, type StreamAdvance, runBatchTransaction } from './batch-transaction.js';
import { type AuctionCommand, type Outcome, decide, isWalletEvent, walletsTouchedBy } from './decide.js';

export interface Idempotency {
  readonly userId: string;
  readonly commandId: string;
  /** A digest of what the command asks; the same id with another request is refused, not replayed. */
  readonly fingerprint: string;
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

export interface CommitObserver {
  transaction(info: { units: number; commands: number; seconds: number; ok: boolean }): void;
}

export interface GroupCommitterOptions {
  /** Commands per transaction; a larger batch waits for the next one. */
  readonly maxCommandsPerTransaction?: number;
  /** Transactions in flight at once. */
  readonly concurrency?: number;
  readonly observer?: CommitObserver;
}

interface Job {
  readonly unit: CommitUnit;
  resolve(result: CommittedUnit): void;
  reject(err: unknown): void;
}

const reused = (): Outcome => ({
  ok: false,
  rejection: { code: 'invalid_request', message: 'This commandId was already used for a different request' },
});

export class GroupCommitter {
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private readonly maxCommands: number;
  private readonly concurrency: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: GroupCommitterOptions = {},
  ) {
    this.maxCommands = options.maxCommandsPerTransaction ?? 2048;
    this.concurrency = options.concurrency ?? 1;
  }

  submit(unit: CommitUnit): Promise<CommittedUnit> {
    return new Promise((resolve, reject) => {
      this.queue.push({ unit, resolve, reject });
      this.startTransactions();
    });
  }

  get queuedUnits(): number {
    return this.queue.length;
  }

  private startTransactions(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const jobs = this.takeJobs();
      this.inFlight += 1;
      void this.run(jobs).finally(() => {
        this.inFlight -= 1;
        this.startTransactions();
      });
    }
  }

  private takeJobs(): Job[] {
    const jobs: Job[] = [];
    let commands = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Job;
      if (jobs.length > 0 && commands + next.unit.commands.length > this.maxCommands) break;
      jobs.push(next);
      commands += next.unit.commands.length;
      this.queue.shift();
    }
    return jobs;
  }

  private async run(jobs: Job[]): Promise<void> {
    try {
      const results = await this.commit(jobs.map((j) => j.unit));
      jobs.forEach((job, i) => job.resolve(results[i] as CommittedUnit));
    } catch (err) {
      if (jobs.length === 1 || !isConflict(err)) {
        for (const job of jobs) job.reject(err);
        return;
      }
      // One stale unit fails the whole transaction; alone, each of the others goes through.
      for (const job of jobs) {
        try {
          const [result] = await this.commit([job.unit]);
          job.resolve(result as CommittedUnit);
        } catch (alone) {
          job.reject(alone);
        }
      }
    }
  }

  private async commit(units: readonly CommitUnit[]): Promise<CommittedUnit[]> {
    const started = process.hrtime.bigint();
    const commandCount = units.reduce((n, u) => n + u.commands.length, 0);
    let ok = false;
    try {
      const keys = units.flatMap((u) => u.commands.flatMap((c) => (c.idempotency ? [c.idempotency] : [])));
      const plan = {
        keys,
        walletIds: walletsFor(units),
        expectedVersions: new Map(units.map((u) => [auctionStreamId(u.state.id), u.state.version])),
      };
      const results = await runBatchTransaction(this.pool, plan, ({ earlier, wallets }) => {
        const batch = decideAll(units, wallets, earlier);
        return { writes: batch, result: batch.results };
      });
      ok = true;
      return results;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.observer?.transaction({ units: units.length, commands: commandCount, seconds, ok });
    }
  }
}

function walletsFor(units: readonly CommitUnit[]): string[] {
  const ids = new Set<string>();
  for (const unit of units) {
    for (const { command } of unit.commands) {
      for (const id of walletsTouchedBy(unit.state, command)) ids.add(id);
    }
  }
  return [...ids].sort();
}

interface DecidedBatch extends BatchWrites {
  readonly results: CommittedUnit[];
  readonly advances: StreamAdvance[];
  readonly events: EventToAppend[];
  readonly changedWallets: WalletRow[];
  readonly outcomes: OutcomeToStore[];
}

/** Step 3: pure apart from the wallet map it updates in place, which exists only for this transaction. */
function decideAll(
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
