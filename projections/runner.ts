/**
 * Keeps one version of one projection up to date with the log: read a page of committed events after the
 * checkpoint, apply it and move the checkpoint in one transaction, repeat; when there is nothing left, wait
 * for a wake-up (after a commit in this process) or the polling interval (commits by other processes).
 */
import type { Logger } from 'pino';
import type { Db } from '../src/db/database.js';
import { isConflict } from '../src/event-store/errors.js';
import { readCommitted } from '../src/event-store/read-all.js';
import type { LogPosition, RecordedEvent } from '../src/event-store/types.js';
import type { Projection } from './projection.js';
import { advanceCheckpoint, readCheckpoint } from './projection-store.js';

export interface RunnerOptions {
  readonly batchSize?: number;
  readonly pollMillis?: number;
  readonly log: Logger;
  /** Called after each applied batch: the events it covered and where the checkpoint is now. */
  readonly onBatch?: (events: readonly RecordedEvent[], checkpoint: LogPosition) => void;
}

export class ProjectionRunner {
  private checkpoint: LogPosition;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  /** One step at a time, whether the loop or a caller of catchUp() asks. */
  private stepping: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly db: Db,
    readonly projection: Projection,
    readonly version: number,
    start: LogPosition,
    private readonly options: RunnerOptions,
  ) {
    this.checkpoint = start;
  }

  get position(): LogPosition {
    return this.checkpoint;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await this.stepping.catch(() => 0);
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Applies batches until the log holds nothing more after the checkpoint; returns how many events it read. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      total += n;
      if (n === 0) return total;
    }
  }

  step(): Promise<number> {
    const next = this.stepping.catch(() => 0).then(() => this.applyNextBatch());
    this.stepping = next;
    return next;
  }

  private async applyNextBatch(): Promise<number> {
    const from = this.checkpoint;
    const events = await readCommitted(this.db, from, this.options.batchSize ?? 2000);
    const last = events.at(-1);
    if (!last) return 0;
    const relevant = events.filter((e) => this.projection.eventTypes.has(e.type));
    try {
      await this.db.transaction().execute(async (trx) => {
        if (relevant.length > 0) await this.projection.apply(trx, relevant, this.version);
        await advanceCheckpoint(trx, this.projection.name, this.version, from, last.logPosition);
      });
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Another runner (another process) applied this batch first; continue from where it got to.
      this.checkpoint = (await readCheckpoint(this.db, this.projection.name, this.version)) ?? from;
      return events.length;
    }
    this.checkpoint = last.logPosition;
    this.options.onBatch?.(events, this.checkpoint);
    return events.length;
  }

  private async run(): Promise<void> {
    const log = this.options.log.child({ projection: this.projection.name, version: this.version });
    let failures = 0;
    while (this.running) {
      try {
        this.pendingWake = false;
        const n = await this.step();
        failures = 0;
        if (n > 0) continue;
      } catch (err) {
        failures += 1;
        log.error({ err, failures }, 'projection batch failed; retrying');
      }
      await this.idle(failures > 0 ? Math.min(5000, 100 * 2 ** failures) : (this.options.pollMillis ?? 1000));
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
