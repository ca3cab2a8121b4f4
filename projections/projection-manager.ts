/**
 * Runs the live version of every projection in this process and wakes them after local commits.
 */
import type { Logger } from 'pino';
import type { Db } from '../src/db/database.js';
import { PROJECTIONS } from './catalog.js';
import type { Projection } from './projection.js';
import { ensureLive } from './projection-store.js';
import { ProjectionRunner } from './runner.js';
import { headPosition } from '../src/event-store/read-all.js';
import { comparePositions } from '../src/event-store/types.js';

export interface ProjectionManagerOptions {
  readonly log: Logger;
  readonly pollMillis?: number;
  readonly batchSize?: number;
  readonly projections?: readonly Projection[];
}

export class ProjectionManager {
  private readonly runners = new Map<string, ProjectionRunner>();

  constructor(
    private readonly db: Db,
    private readonly options: ProjectionManagerOptions,
  ) {}

  /** Creates missing read models and starts following the log. */
  async start(): Promise<void> {
    for (const projection of this.options.projections ?? PROJECTIONS) {
      const live = await ensureLive(this.db, projection);
      const runner = new ProjectionRunner(this.db, projection, live.version, live.checkpoint, {
        log: this.options.log,
        ...(this.options.pollMillis === undefined ? {} : { pollMillis: this.options.pollMillis }),
        ...(this.options.batchSize === undefined ? {} : { batchSize: this.options.batchSize }),
      });
      this.runners.set(projection.name, runner);
      runner.start();
    }
  }

  wake(): void {
    for (const runner of this.runners.values()) runner.wake();
  }

  /** Brings every live projection up to the end of the committed log (tests and shutdown use it). */
  async catchUp(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.catchUp()));
  }

  /**
   * Waits until every live projection has applied every event committed before the call. Unlike catchUp(), it
   * also waits out transactions elsewhere in the cluster that hold the read horizon back.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    const target = await headPosition(this.db, { ignoreHorizon: true });
    if (!target) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.catchUp();
      const behind = [...this.runners.values()].filter((r) => comparePositions(r.position, target) < 0);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`projections did not reach ${target.xid}/${target.position} in time`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }
}
