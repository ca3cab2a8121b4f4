/**
 * The outbox relay: publishes committed events to the bus, in log order, exactly as they are in PostgreSQL.
 *
 * Each step reads the next page of committed events after the checkpoint in commit-safe order (read-all.ts),
 * publishes them with their log position and the position of the event before (`prev`), waits until the bus
 * has stored every one, and only then moves the checkpoint. A crash between publishing and the checkpoint
 * publishes the same events again: the bus drops what it has already seen (msgID = event_id) and consumers
 * skip positions they have applied.
 *
 * Only the holder of the lease in relay_checkpoint publishes. It is woken by the service after each local
 * commit and polls as a fallback, for commits made by other processes.
 *
 * While events keep coming, steps start at most every `stepMillis`: each step costs a read of the log, a
 * checkpoint write and, downstream, one write per read model, whatever its size, so under load fewer and larger
 * steps leave the cores to the bids. A first event after a quiet spell is published at once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Bus, BusEvent } from '../bus/bus.js';
import type { Db } from '../db/database.js';
import { readCommitted, readCommittedRecalling } from '../event-store/read-all.js';
import type { LogPosition } from '../event-store/types.js';
import { wakeableSleep } from '../wakeable-sleep.js';
import type { RecentEvents } from './recent-events.js';
import { acquireLease, advanceRelayCheckpoint, releaseLease } from './relay-store.js';

export interface RelayOptions {
  readonly log: Logger;
  readonly batchSize?: number;
  readonly pollMillis?: number;
  readonly leaseSeconds?: number;
  /** Least time from one step's start to the next while events keep coming (see above); 0 for none. */
  readonly stepMillis?: number;
  /** Events this process committed, so their payloads need not be read back (see recent-events.ts). */
  readonly recent?: RecentEvents;
  /** Told after each published batch (for metrics). */
  readonly onPublished?: (events: readonly BusEvent[], checkpoint: LogPosition) => void;
}

export class OutboxRelay {
  readonly owner = `relay-${randomUUID()}`;
  private checkpoint: LogPosition | null = null;
  private leaseRenewedAt = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private failures = 0;
  /** Steps run one at a time, whether the loop or flush() asks. */
  private stepping: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly options: RelayOptions,
  ) {}

  private get pageSize(): number {
    return this.options.batchSize ?? 1_000;
  }

  get position(): LogPosition | null {
    return this.checkpoint;
  }

  get leading(): boolean {
    return this.checkpoint !== null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Publishes everything committed so far (shutdown calls it before closing the bus); false if it could not. */
  async flush(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await this.step()) === 0) return true;
      } catch {
        await sleep(100);
      }
    }
    return false;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    if (this.checkpoint) await releaseLease(this.db, this.owner).catch(() => undefined);
    this.checkpoint = null;
  }

  /** One page: lead if possible, publish, checkpoint. Returns how many events it published. */
  step(): Promise<number> {
    const next = this.stepping.catch(() => 0).then(() => this.publishNextPage());
    this.stepping = next;
    return next;
  }

  private async publishNextPage(): Promise<number> {
    const leaseSeconds = this.options.leaseSeconds ?? 10;
    if (!this.checkpoint || Date.now() - this.leaseRenewedAt > (leaseSeconds * 1000) / 3) {
      const stored = await acquireLease(this.db, this.owner, leaseSeconds);
      this.leaseRenewedAt = Date.now();
      if (!stored) {
        this.checkpoint = null;
        return 0;
      }
      // Taking the lead, continue from where the previous holder stopped.
      if (!this.checkpoint) this.options.log.info({ owner: this.owner, checkpoint: stored }, 'relay is leading');
      this.checkpoint = stored;
    }
    const from = this.checkpoint;
    const limit = this.pageSize;
    const recent = this.options.recent;
    const events = recent
      ? await readCommittedRecalling(this.db, from, limit, (id) => recent.recall(id))
      : await readCommitted(this.db, from, limit);
    if (events.length === 0) return 0;
    let prev = from;
    const messages = events.map((event) => {
      const message: BusEvent = { event, prev };
      prev = event.logPosition;
      return message;
    });
    await this.bus.publish(messages);
    const last = prev;
    if (!(await advanceRelayCheckpoint(this.db, this.owner, last, leaseSeconds))) {
      this.options.log.warn({ owner: this.owner }, 'relay lost its lease; another relay continues');
      this.checkpoint = null;
      return 0;
    }
    this.leaseRenewedAt = Date.now();
    this.checkpoint = last;
    recent?.forget(events.map((e) => e.eventId));
    this.options.onPublished?.(messages, last);
    return events.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      const startedAt = Date.now();
      try {
        this.pendingWake = false;
        published = await this.step();
        this.failures = 0;
      } catch (err) {
        this.failures += 1;
        // The bus or the database is down: nothing moved, so the next attempt starts from the same place.
        if (this.failures === 1 || this.failures % 20 === 0)
          this.options.log.warn({ err, failures: this.failures }, 'relay step failed; retrying');
      }
      if (published > 0) {
        // A full page means a backlog: go on at once. Otherwise let the next events gather.
        const gather = (this.options.stepMillis ?? 0) - (Date.now() - startedAt);
        if (published < this.pageSize && gather > 0 && this.running) await sleep(gather);
        continue;
      }
      const wait =
        this.failures > 0
          ? Math.min(2_000, 100 * 2 ** this.failures)
          : this.leading
            ? (this.options.pollMillis ?? 500)
            : 1_000;
      await this.idle(wait);
    }
  }

  private async idle(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) return;
    const wait = wakeableSleep(ms);
    this.wakeUp = wait.end;
    await wait.done;
    this.wakeUp = null;
  }
}
