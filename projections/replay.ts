/**
 * Replaying the log into several projection versions at once. One reader takes the log page by page, each
 * page once; every target applies the pages in order, each in one statement together with its checkpoint's
 * move (apply-batch.ts), so a target is always exactly at its checkpoint whatever fails. Targets run side by side on
 * separate connections and do not wait for each other: the reader stays a few pages ahead of the slowest, and
 * the replay takes as long as the slowest target alone, with PostgreSQL's work spread over its cores.
 */
import type { Db } from '../src/db/database.js';
import { readCommitted } from '../src/event-store/read-all.js';
import type { LogPosition, RecordedEvent } from '../src/event-store/types.js';
import type { Projection } from './projection.js';
import { applyBatch } from './apply-batch.js';

export interface ReplayTarget {
  readonly projection: Projection;
  readonly version: number;
}

export interface ReplayOptions {
  readonly pageSize?: number;
  /** Pages read but not yet applied by every target: memory held, against waiting for the reader. */
  readonly pagesAhead?: number;
  /** Events applied by every target so far. */
  readonly onProgress?: (events: number) => void;
}

interface Page {
  events: readonly RecordedEvent[];
  readonly from: LogPosition;
  readonly to: LogPosition;
}

/**
 * Applies everything committed after `from` to every target and returns where it stopped and how many events
 * it read. All targets must be at `from`.
 */
export async function replayInto(
  db: Db,
  targets: readonly ReplayTarget[],
  from: LogPosition,
  options: ReplayOptions = {},
): Promise<{ position: LogPosition; events: number }> {
  const pageSize = options.pageSize ?? 10_000;
  const ahead = options.pagesAhead ?? 4;
  const pages: Page[] = [];
  /** The next page each target applies. */
  const cursors = targets.map(() => 0);
  let end = from;
  let total = 0;
  let readAll = false;
  let failure: { error: unknown } | null = null;
  let applied = 0;

  // Everyone waits on one signal, given whenever anything moves.
  let wake: () => void = () => undefined;
  let moved = new Promise<void>((resolve) => (wake = resolve));
  const signal = () => {
    const resolve = wake;
    moved = new Promise<void>((r) => (wake = r));
    resolve();
  };
  const slowest = () => Math.min(...cursors);

  const reader = async () => {
    while (!failure) {
      if (pages.length - slowest() >= ahead) {
        await moved;
        continue;
      }
      const events = await readCommitted(db, end, pageSize);
      const last = events.at(-1);
      if (!last) break;
      pages.push({ events, from: end, to: last.logPosition });
      end = last.logPosition;
      total += events.length;
      signal();
    }
    readAll = true;
    signal();
  };

  const worker = async (target: ReplayTarget, k: number) => {
    while (!failure) {
      const i = cursors[k] as number;
      const page = pages[i];
      if (!page) {
        if (readAll) return;
        await moved;
        continue;
      }
      await applyBatch(db, target.projection, target.version, page.events, page.from, page.to);
      cursors[k] = i + 1;
      if (slowest() === i + 1) {
        // Every target is past this page: let it go, and tell how far the replay has got.
        applied += page.events.length;
        page.events = [];
        options.onProgress?.(applied);
      }
      signal();
    }
  };

  const fail = (error: unknown) => {
    failure ??= { error };
    signal();
  };
  await Promise.all([reader().catch(fail), ...targets.map((target, k) => worker(target, k).catch(fail))]);
  if (failure) throw (failure as { error: unknown }).error;
  return { position: end, events: total };
}
