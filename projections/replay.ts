/**
 * Replaying the log into several projection versions at once. Each page of events is read once; while it is
 * applied, the next page is already being read. Every target applies the page in a transaction of its own,
 * together with its checkpoint, and the targets run side by side on separate connections, so PostgreSQL spreads
 * the work over its cores. A target is therefore always exactly at its checkpoint, whatever fails.
 */
import type { Db } from '../src/db/database.js';
import { readCommitted } from '../src/event-store/read-all.js';
import type { LogPosition, RecordedEvent } from '../src/event-store/types.js';
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
  const pageSize = options.pageSize ?? 10_000;
  let position = from;
  let total = 0;
  let page = readCommitted(db, position, pageSize);
  for (;;) {
    const events = await page;
    const last = events.at(-1);
    if (!last) return { position, events: total };
    page = readCommitted(db, last.logPosition, pageSize);
    try {
      await Promise.all(targets.map((target) => applyPage(db, target, events, position, last.logPosition)));
    } catch (err) {
      page.catch(() => undefined);
      throw err;
    }
    position = last.logPosition;
    total += events.length;
    options.onProgress?.(total);
  }
}

async function applyPage(
  db: Db,
  { projection, version }: ReplayTarget,
  events: readonly RecordedEvent[],
  from: LogPosition,
  to: LogPosition,
): Promise<void> {
  const relevant = events.filter((e) => projection.eventTypes.has(e.type));
  await db.transaction().execute(async (trx) => {
    if (relevant.length > 0) await projection.apply(trx, relevant, version);
    await advanceCheckpoint(trx, projection.name, version, from, to);
  });
}
