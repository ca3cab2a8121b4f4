/**
 * One auction's single writer in this process. Commands wait in a bounded mailbox; whenever the actor is not
 * committing, it takes everything waiting (up to a cap) as one batch and hands it to the group committer.
 * Batches form by themselves while the previous commit is in flight, so there is no batching timer and no
 * added latency when the auction is quiet.
 *
 * The actor's state is the last committed one. After any failed commit it forgets it and reloads from the
 * stream before the next batch: a fence conflict means another writer moved the stream on, and a lost
 * connection leaves the commit's fate unknown.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { BusyError, UnavailableError } from '../errors.js';
import { isConflict } from '../event-store/errors.js';
import type { AuctionState } from './auction.js';
import type { AuctionCommand, Outcome } from './decide.js';
import type { CommitUnit, CommittedUnit, Idempotency, PendingCommand } from './decide-batch.js';

export interface ActorDeps {
  readonly load: (auctionId: string) => Promise<AuctionState | null>;
  readonly commit: (unit: CommitUnit) => Promise<CommittedUnit>;
  readonly onCommitted: (auctionId: string, committed: CommittedUnit) => void;
  readonly clock: Clock;
  readonly log: Logger;
  readonly mailboxCapacity: number;
  readonly maxBatch: number;
  /** Attempts per batch when the fence refuses it (each after a reload). */
  readonly maxAttempts: number;
  /** Told each time the fence refuses a batch because another writer moved the stream on. */
  readonly onConflict?: (auctionId: string) => void;
}

/** A command as callers send it; the actor stamps its time on arrival. */
export type IncomingCommand = DistributiveOmit<AuctionCommand, 'at'>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

interface Envelope {
  readonly pending: PendingCommand;
  resolve(outcome: Outcome): void;
  reject(err: unknown): void;
}

const notFound: Outcome = { ok: false, rejection: { code: 'not_found', message: 'No such auction' } };

export class AuctionActor {
  private state: AuctionState | null | undefined = undefined;
  private loading: Promise<AuctionState | null> | null = null;
  private readonly mailbox: Envelope[] = [];
  private running: Promise<void> | null = null;
  private lastActive: number;

  constructor(
    readonly auctionId: string,
    private readonly deps: ActorDeps,
  ) {
    this.lastActive = deps.clock.now();
  }

  get depth(): number {
    return this.mailbox.length;
  }

  /** Known not to exist: the registry drops such actors at once. */
  get missing(): boolean {
    return this.state === null;
  }

  idleSince(): number | null {
    return this.running === null && this.mailbox.length === 0 ? this.lastActive : null;
  }

  /**
   * Queues a command. Internal commands (timer ticks) bypass the capacity: a full mailbox must not stop an
   * auction from closing on time.
   */
  tell(command: IncomingCommand, idempotency?: Idempotency, internal = false): Promise<Outcome> {
    if (!internal && this.mailbox.length >= this.deps.mailboxCapacity) return Promise.reject(new BusyError());
    const at = this.deps.clock.now();
    return new Promise<Outcome>((resolve, reject) => {
      this.mailbox.push({ pending: { command: { ...command, at }, idempotency }, resolve, reject });
      this.running ??= this.drainMailbox();
    });
  }

  /** The last committed state, loading it if needed; null when the auction does not exist. */
  current(): Promise<AuctionState | null> {
    return this.state === undefined ? this.ensureLoaded() : Promise.resolve(this.state);
  }

  /** Resolves once everything queued so far has been answered. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private ensureLoaded(): Promise<AuctionState | null> {
    if (this.state !== undefined) return Promise.resolve(this.state);
    this.loading ??= this.deps.load(this.auctionId).then(
      (state) => {
        this.state = state;
        this.loading = null;
        return state;
      },
      (err: unknown) => {
        this.loading = null;
        throw err;
      },
    );
    return this.loading;
  }

  private async drainMailbox(): Promise<void> {
    // Start on a later tick, so commands sent in the same tick share the first batch.
    await Promise.resolve();
    try {
      while (this.mailbox.length > 0) {
        const batch = this.mailbox.splice(0, this.deps.maxBatch);
        await this.process(batch);
      }
    } finally {
      this.lastActive = this.deps.clock.now();
      this.running = null;
    }
  }

  private async process(batch: Envelope[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      let state: AuctionState | null;
      try {
        state = await this.ensureLoaded();
      } catch (err) {
        this.deps.log.error({ err, auctionId: this.auctionId }, 'loading the auction failed');
        for (const e of batch) e.reject(new UnavailableError());
        return;
      }
      if (state === null) {
        for (const e of batch) e.resolve(notFound);
        return;
      }
      try {
        const committed = await this.deps.commit({ state, commands: batch.map((e) => e.pending) });
        this.state = committed.state;
        batch.forEach((e, i) => e.resolve(committed.outcomes[i] as Outcome));
        this.notify(committed);
        return;
      } catch (err) {
        this.state = undefined;
        if (isConflict(err)) this.deps.onConflict?.(this.auctionId);
        if (isConflict(err) && attempt < this.deps.maxAttempts) {
          this.deps.log.warn({ auctionId: this.auctionId, attempt }, 'stream moved on; reloading and deciding again');
          continue;
        }
        this.deps.log.error({ err, auctionId: this.auctionId, commands: batch.length }, 'commit failed');
        const answer = isConflict(err)
          ? new BusyError('The auction is contended; retry shortly')
          : new UnavailableError();
        for (const e of batch) e.reject(answer);
        return;
      }
    }
  }

  private notify(committed: CommittedUnit): void {
    try {
      this.deps.onCommitted(this.auctionId, committed);
    } catch (err) {
      // Listeners (timers, relay wake-up, metrics) must never undo an answered commit.
      this.deps.log.error({ err, auctionId: this.auctionId }, 'a commit listener failed');
    }
  }
}
