/**
 * Runs the live version of every projection in this process, reports their state and lag, and rebuilds them
 * blue/green: a new version is filled from the PostgreSQL log beside the live one, which keeps serving, and
 * the views swap to it in one transaction once it has caught up.
 */
import type { Logger } from 'pino';
import type { Bus } from '../src/bus/bus.js';
import type { Db } from '../src/db/database.js';
import { countAfter, headPosition } from '../src/event-store/read-all.js';
import { LOG_START, type LogPosition, comparePositions } from '../src/event-store/types.js';
import { PROJECTIONS } from './catalog.js';
import type { Projection } from './projection.js';
import {
  type ProjectionStatus,
  beginRebuild,
  ensureLive,
  listProjectionVersions,
  liveVersion,
  swapLive,
} from './projection-store.js';
import { replayInto } from './replay.js';
import { ProjectionRunner } from './runner.js';

export interface ProjectionManagerOptions {
  readonly log: Logger;
  /** Follow this bus; without one, runners poll the log (and are woken after local commits). */
  readonly bus?: Bus | null;
  readonly pollMillis?: number;
  /** Least milliseconds between a live read model's batches from the bus (see RunnerOptions.stepMillis). */
  readonly stepMillis?: number;
  readonly batchSize?: number;
  readonly projections?: readonly Projection[];
  /** Told after each batch a live runner applies (for lag metrics). */
  readonly onApplied?: (name: string, checkpoint: LogPosition, lastEventAt: number) => void;
}

export interface ProjectionReport {
  readonly name: string;
  readonly version: number;
  readonly status: ProjectionStatus;
  readonly position: LogPosition;
  readonly lagEvents: number;
}

export interface RebuildProgress {
  readonly name: string;
  readonly version: number;
  readonly applied: number;
}

const consumerName = (projection: Projection): string => `projection-${projection.name}`;

export class ProjectionManager {
  private readonly live = new Map<string, ProjectionRunner>();
  private readonly rebuilds = new Map<string, Promise<number>>();
  private readonly projections: readonly Projection[];
  private watcher: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly options: ProjectionManagerOptions,
  ) {
    this.projections = options.projections ?? PROJECTIONS;
  }

  /** Creates missing read models, catches each up from the log, then follows. */
  async start(): Promise<void> {
    this.started = true;
    for (const projection of this.projections) {
      const live = await ensureLive(this.db, projection);
      await this.run(projection, live.version, live.checkpoint);
    }
    // Another process may rebuild and swap a projection; follow it to the new version.
    this.watcher = setInterval(() => void this.followSwaps(), 2_000);
    this.watcher.unref();
  }

  wake(): void {
    for (const runner of this.live.values()) runner.wake();
  }

  /** Brings every live projection up to the end of the readable log (tests and shutdown use it). */
  async catchUp(): Promise<void> {
    await Promise.all([...this.live.values()].map((r) => r.catchUp()));
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
      const behind = [...this.live.values()].filter((r) => comparePositions(r.position, target) < 0);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`projections did not reach ${target.xid}/${target.position} in time`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async status(): Promise<ProjectionReport[]> {
    const versions = await listProjectionVersions(this.db);
    const reports = await Promise.all(
      versions
        .filter((v) => v.status !== 'retired')
        .map(async (v) => ({
          name: v.name,
          version: v.version,
          status: v.status,
          position: v.checkpoint,
          lagEvents: await countAfter(this.db, v.checkpoint),
        })),
    );
    return reports.sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
  }

  /**
   * Starts a rebuild of `name` in the background and resolves with its version; `done` resolves when the new
   * version is live. A rebuild already running is joined, not doubled.
   */
  async rebuild(
    name: string,
    onProgress?: (p: RebuildProgress) => void,
  ): Promise<{ version: number; done: Promise<number> }> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`no projection named ${name}`);
    const next = await beginRebuild(this.db, projection);
    let done = this.rebuilds.get(name);
    if (!done) {
      done = this.fillAndSwap(projection, next.version, next.checkpoint, onProgress).finally(() =>
        this.rebuilds.delete(name),
      );
      this.rebuilds.set(name, done);
    }
    return { version: next.version, done };
  }

  /**
   * Rebuilds every projection together, reading the log once: all new versions are filled page by page side
   * by side (replay.ts), get their indexes, then each swaps in. Resolves with the new versions once they are live.
   */
  async rebuildAll(onProgress?: (events: number) => void): Promise<Map<string, number>> {
    if (this.rebuilds.size > 0) throw new Error('a rebuild is already running');
    const started = await Promise.all(
      this.projections.map(async (projection) => ({ projection, next: await beginRebuild(this.db, projection) })),
    );
    const fresh = started.filter((s) => s.next.checkpoint.xid === '0' && s.next.checkpoint.position === 0);
    if (fresh.length !== started.length) throw new Error('a rebuild of some projection is already under way elsewhere');
    const targets = started.map((s) => ({ projection: s.projection, version: s.next.version }));
    const all = (async () => {
      let { position, events } = await replayInto(this.db, targets, LOG_START, {
        ...(onProgress ? { onProgress } : {}),
      });
      await Promise.all(targets.map(({ projection, version }) => projection.createIndexes(this.db, version)));
      // The live versions stop writing only for the last stretch: catch up again, swap, follow.
      for (const { projection } of targets) {
        await this.live.get(projection.name)?.stop();
        this.live.delete(projection.name);
      }
      const last = await replayInto(this.db, targets, position, { onProgress: (n) => onProgress?.(events + n) });
      position = last.position;
      events += last.events;
      for (const { projection, version } of targets) {
        await swapLive(this.db, projection, version);
        if (this.started && !this.stopped) await this.run(projection, version, position);
      }
      this.options.log.info({ events }, 'every projection rebuilt and live');
      return 0;
    })();
    for (const { projection } of targets) this.rebuilds.set(projection.name, all);
    try {
      await all;
    } finally {
      for (const { projection } of targets) this.rebuilds.delete(projection.name);
    }
    return new Map(targets.map((t) => [t.projection.name, t.version]));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watcher) clearInterval(this.watcher);
    await Promise.allSettled([...this.rebuilds.values()]);
    await Promise.all([...this.live.values()].map((r) => r.stop()));
    this.live.clear();
  }

  get names(): string[] {
    return this.projections.map((p) => p.name);
  }

  private async fillAndSwap(
    projection: Projection,
    version: number,
    start: LogPosition,
    onProgress?: (p: RebuildProgress) => void,
  ): Promise<number> {
    const log = this.options.log.child({ projection: projection.name, version });
    const runner = new ProjectionRunner(this.db, projection, version, start, {
      log,
      batchSize: this.options.batchSize ?? 10_000,
    });
    log.info('rebuilding from the log');
    const report = (applied: number) => onProgress?.({ name: projection.name, version, applied });
    let applied = await runner.catchUp(report);
    await projection.createIndexes(this.db, version);
    // The live version stops writing only for the last stretch: catch up again, swap, follow.
    const old = this.live.get(projection.name);
    await old?.stop();
    this.live.delete(projection.name);
    applied += await runner.catchUp((n) => report(applied + n));
    await swapLive(this.db, projection, version);
    // A manager that only rebuilds (the operator CLI) leaves following to the running service.
    if (this.started && !this.stopped) await this.run(projection, version, runner.position);
    log.info({ events: applied }, 'rebuilt and live');
    return version;
  }

  private async run(projection: Projection, version: number, from: LogPosition): Promise<void> {
    const runner = new ProjectionRunner(this.db, projection, version, from, {
      log: this.options.log,
      ...(this.options.batchSize === undefined ? {} : { batchSize: this.options.batchSize }),
      // With a bus, the log is only a safety net; without one it is the feed.
      pollMillis: this.options.pollMillis ?? (this.options.bus ? 5_000 : 1_000),
      ...(this.options.stepMillis === undefined ? {} : { stepMillis: this.options.stepMillis }),
      onBatch: (events, checkpoint) =>
        this.options.onApplied?.(projection.name, checkpoint, events.at(-1)?.at ?? Date.now()),
    });
    this.live.set(projection.name, runner);
    // The runner catches up from the log in the background; bus batches that arrive meanwhile wait their turn.
    if (this.options.bus) runner.follow(this.options.bus.consumer(consumerName(projection)));
    else runner.start();
  }

  private async followSwaps(): Promise<void> {
    for (const projection of this.projections) {
      const runner = this.live.get(projection.name);
      if (!runner || this.rebuilds.has(projection.name) || this.stopped) continue;
      const live = await liveVersion(this.db, projection.name).catch(() => undefined);
      if (live && live.version !== runner.version) {
        this.options.log.info(
          { projection: projection.name, version: live.version },
          'another process swapped in a new version; following it',
        );
        await runner.stop();
        await this.run(projection, live.version, live.checkpoint);
      }
    }
  }
}
