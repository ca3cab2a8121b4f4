/**
 * Keeps one version of one projection up to date. It catches up from the PostgreSQL log (the source of truth),
 * then follows its bus consumer. Every batch is applied in one statement together with the checkpoint's move
 * (apply-batch.ts), so a redelivered batch changes nothing.
 *
 * Bus messages carry their log position and the position published before them (`prev`). A message at or
 * before the checkpoint is a duplicate and skipped; one whose `prev` is after the checkpoint means something
 * was missed, and the gap is read from PostgreSQL before going on. A slow poll of the log covers a bus that
 * delivers nothing at all.
 *
 * While events keep coming, it takes the bus's deliveries at most once per `stepMillis` (a backlog excepted),
 * so each statement carries more events and the read models take fewer turns of the cores (decision 10).
 */
import type { Logger } from 'pino';
import { BACKLOG_DELIVERY, type BusConsumer, type BusEvent } from '../src/bus/bus.js';
import type { Db } from '../src/db/database.js';
import { isConflict } from '../src/event-store/errors.js';
import { readCommitted } from '../src/event-store/read-all.js';
import { type LogPosition, type RecordedEvent, comparePositions } from '../src/event-store/types.js';
import { wakeableSleep } from '../src/wakeable-sleep.js';
import type { Projection } from './projection.js';
import { applyBatch } from './apply-batch.js';
import { readCheckpoint } from './projection-store.js';

export interface RunnerOptions {
  readonly log: Logger;
  readonly batchSize?: number;
  /** How often to look at the log when the bus has brought nothing. */
  readonly pollMillis?: number;
  /**
   * Least milliseconds from the start of one batch from the bus to the next: the bus holds what arrives
   * meanwhile, so under load each statement carries more events and the read models take fewer turns of the
   * cores. 0 applies each delivery as it comes.
   */
  readonly stepMillis?: number;
  /** Called after each applied batch: the events it covered and where the checkpoint is now. */
  readonly onBatch?: (events: readonly RecordedEvent[], checkpoint: LogPosition) => void;
}

export class ProjectionRunner {
  private checkpoint: LogPosition;
  private running = false;
  private poller: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private endGather: (() => void) | null = null;
  private consumer: BusConsumer | null = null;
  /** One batch at a time, whichever path (log or bus) brings it. */
  private serial: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    private readonly db: Db,
    readonly projection: Projection,
    readonly version: number,
    start: LogPosition,
    private readonly options: RunnerOptions,
  ) {
    this.checkpoint = start;
    this.log = options.log.child({ projection: projection.name, version });
  }

  get position(): LogPosition {
    return this.checkpoint;
  }

  /** Follows the log by polling only (rebuilds, and tests that want no bus). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.poller = this.poll();
  }

  /** Follows the bus consumer, with the log as a fallback. */
  follow(consumer: BusConsumer): void {
    this.start();
    this.consumer = consumer;
    consumer.start((events) => this.applyFromBus(events));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    this.endGather?.();
    await this.consumer?.stop();
    this.consumer = null;
    await this.poller;
    await this.serial.catch(() => undefined);
  }

  /** Makes the poller look at the log now (after a local commit, when there is no bus to bring it). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Applies batches from the log until nothing more is committed after the checkpoint; returns the count. */
  async catchUp(onProgress?: (applied: number) => void): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.exclusive(() => this.applyFromLog());
      total += n;
      onProgress?.(total);
      if (n === 0) return total;
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.serial.catch(() => undefined).then(work);
    this.serial = next;
    return next;
  }

  private async applyFromLog(): Promise<number> {
    const events = await readCommitted(this.db, this.checkpoint, this.options.batchSize ?? 5_000);
    if (events.length > 0) await this.apply(events);
    return events.length;
  }

  private async applyFromBus(messages: readonly BusEvent[]): Promise<void> {
    const startedAt = Date.now();
    await this.applyInOrder(messages);
    // A delivery this large means the bus is holding a backlog: go on at once, or the read model falls behind.
    if (messages.length >= BACKLOG_DELIVERY) return;
    const gather = (this.options.stepMillis ?? 0) - (Date.now() - startedAt);
    if (gather > 0 && this.running) await this.gather(gather);
  }

  /** Waits while the bus gathers the next delivery; stop() ends the wait. */
  private async gather(ms: number): Promise<void> {
    const wait = wakeableSleep(ms);
    this.endGather = wait.end;
    await wait.done;
    this.endGather = null;
  }

  private applyInOrder(messages: readonly BusEvent[]): Promise<void> {
    return this.exclusive(async () => {
      let run: RecordedEvent[] = [];
      let end = this.checkpoint;
      for (const { event, prev } of messages) {
        if (comparePositions(event.logPosition, end) <= 0) continue;
        if (comparePositions(prev, end) !== 0) {
          // A gap: apply what is contiguous so far, then read the rest from the log.
          if (run.length > 0) await this.apply(run);
          run = [];
          while ((await this.applyFromLog()) > 0);
          end = this.checkpoint;
          if (comparePositions(event.logPosition, end) <= 0) continue;
          this.log.warn(
            { event: event.logPosition, checkpoint: end },
            'bus is ahead of the readable log; waiting for the log',
          );
          throw new Error('event not yet readable from the log');
        }
        run.push(event);
        end = event.logPosition;
      }
      if (run.length > 0) await this.apply(run);
    });
  }

  private async apply(events: readonly RecordedEvent[]): Promise<void> {
    const from = this.checkpoint;
    const to = (events.at(-1) as RecordedEvent).logPosition;
    try {
      await applyBatch(this.db, this.projection, this.version, events, from, to);
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Another runner (another process) applied this batch first; go on from where it got to.
      this.checkpoint = (await readCheckpoint(this.db, this.projection.name, this.version)) ?? from;
      return;
    }
    this.checkpoint = to;
    this.options.onBatch?.(events, to);
  }

  private async poll(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.catchUp();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.log.error({ err, failures }, 'projection batch failed; retrying');
      }
      const ms = failures > 0 ? Math.min(5_000, 100 * 2 ** failures) : (this.options.pollMillis ?? 1_000);
      const wait = wakeableSleep(ms);
      this.wakeUp = wait.end;
      await wait.done;
      this.wakeUp = null;
    }
  }
}
