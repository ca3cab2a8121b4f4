/**
 * The auction streams in PostgreSQL: loading an auction's state, creating its stream, and the fenced update of
 * stream headers that every append goes through.
 */
import type { Db } from '../db/database.js';
import { insertEvents } from '../event-store/append.js';
import { readStream } from '../event-store/read-stream.js';
import { auctionStreamId } from '../event-store/streams.js';
import type { EventToAppend } from '../event-store/types.js';
import { type AuctionEvent, type AuctionState, foldAuction, nextDeadline } from './auction.js';

/** Bump when AuctionState changes shape: older snapshots are then ignored and the stream replayed. */
export const SNAPSHOT_SCHEMA = 1;

export async function loadAuction(db: Db, auctionId: string): Promise<AuctionState | null> {
  const streamId = auctionStreamId(auctionId);
  const header = await db
    .selectFrom('streams')
    .select(['version', 'snapshot', 'snapshot_schema'])
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  if (!header) return null;
  const snapshot = header.snapshot_schema === SNAPSHOT_SCHEMA ? (header.snapshot as AuctionState | null) : null;
  if (snapshot && snapshot.version === header.version) return snapshot;
  const events = await readStream(db, streamId, { afterVersion: snapshot?.version ?? 0 });
  return foldAuction(events.map(toAuctionEvent), snapshot);
}

export function toAuctionEvent(e: { type: string; at: number; data: unknown }): AuctionEvent {
  return { type: e.type, at: e.at, data: e.data } as AuctionEvent;
}

export async function insertAuctionStream(
  trx: Db,
  state: AuctionState,
  events: readonly EventToAppend[],
): Promise<void> {
  await trx
    .insertInto('streams')
    .values({
      stream_id: auctionStreamId(state.id),
      version: state.version,
      due_at: dateOrNull(nextDeadline(state)),
      snapshot: JSON.stringify(state),
      snapshot_schema: SNAPSHOT_SCHEMA,
    })
    .execute();
  await insertEvents(trx, events);
}

export interface Deadline {
  readonly auctionId: string;
  readonly dueAt: number;
}

/** Every auction that will open or close by itself, for the timers set at start. */
export async function loadDeadlines(db: Db): Promise<Deadline[]> {
  const rows = await db
    .selectFrom('streams')
    .select(['stream_id', 'due_at'])
    .where('due_at', 'is not', null)
    .where('stream_id', 'like', 'auction-%')
    .execute();
  return rows.map((r) => ({ auctionId: r.stream_id.slice('auction-'.length), dueAt: (r.due_at as Date).getTime() }));
}

const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
