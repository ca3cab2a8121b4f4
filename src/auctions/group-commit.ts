/**
 * The group committer: turns the batches of many auction actors into as few PostgreSQL transactions as
 * possible. Each actor hands over one batch at a time (a unit); while a transaction is in flight, units from
 * every auction queue up and go together in the next one, so one fsync carries them all.
 *
 * One transaction (batch-transaction.ts does the SQL, in two round trips):
 *   1. look up earlier outcomes of the batch's command ids; lock every wallet any command may touch, then the
 *      auction stream headers, each kind in one statement in ascending id order; check every fence;
 *   2. decide each command in order against its actor's state and the locked balances (decide-batch.ts);
 *   3. advance the stream headers, append all events, write balances and outcomes; COMMIT.
 * Nobody is answered before COMMIT returns. A transaction that fails is retried unit by unit, so one stale
 * or failing auction never fails the others that shared its transaction.
 */
import type pg from 'pg';
import { auctionStreamId } from '../event-store/streams.js';
import { runBatchTransaction } from './batch-transaction.js';
import { type CommitUnit, type CommittedUnit, decideAll, walletsFor } from './decide-batch.js';

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
      if (jobs.length === 1) {
        jobs[0]?.reject(err);
        return;
      }
      // One stale (or failing) unit fails the whole transaction; alone, each of the others goes through.
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
