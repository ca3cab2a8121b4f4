/**
 * Replaying the log into several projection versions at once: each page of events is read once and applied to
 * every target in one transaction that also moves every target's checkpoint. A full rebuild reads the log once,
 * not once per read model.
 */
import type { Db } from '../src/db/database.js';
import { readCommitted } from '../src/event-store/read-all.js';
import type { LogPosition } from '../src/event-store/types.js';
import type { Projection } from './projection.js';
import { advanceCheckpoint } from './projection-store.js';

export interface ReplayTarget {
  readonly projection: Projection;
  readonly version: number;
}

/**
 * Applies everything committed after `from` to every target, page by page, and returns where it stopped and
 * how many events it read. All targets must be at `from`.
 */
export async function replayInto(
  db: Db,
  targets: readonly ReplayTarget[],
  from: LogPosition,
  options: { pageSize?: number; onProgress?: (events: number) => void } = {},
): Promise<{ position: LogPosition; events: number }> {
  let position = from;
  let total = 0;
  for (;;) {
    const events = await readCommitted(db, position, options.pageSize ?? 10_000);
    const last = events.at(-1);
    if (!last) return { position, events: total };
    await db.transaction().execute(async (trx) => {
      for (const { projection, version } of targets) {
        const relevant = events.filter((e) => projection.eventTypes.has(e.type));
        if (relevant.length > 0) await projection.apply(trx, relevant, version);
        await advanceCheckpoint(trx, projection.name, version, position, last.logPosition);
      }
    });
    position = last.logPosition;
    total += events.length;
    options.onProgress?.(total);
  }
}
