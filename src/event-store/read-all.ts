/**
 * Reading the whole log in commit-safe order.
 *
 * Positions are taken before commit, so transactions become visible out of position order: a reader that
 * has seen position 1001 may later see 1000 appear. Instead we read only events whose transaction is older
 * than every transaction still running (`pg_snapshot_xmin`), ordered by (transaction_id, global_position).
 * Anything behind that horizon is final, so a checkpoint of the pair never skips an event.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { EventToAppend, LogPosition, RecordedEvent } from './types.js';

/** The columns toRecorded() reads, for every whole-log reader. */
export const EVENT_COLUMNS = sql.raw(
  'transaction_id::text AS xid, global_position, stream_id, stream_version, event_id, type, data, (extract(epoch from occurred_at) * 1000)::bigint AS at_ms',
);

/**
 * Events committed after `after` that no running transaction can still precede: the one condition every
 * whole-log reader uses (see the top of this file).
 */
function committedAfter(after: LogPosition) {
  return sql`transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    AND (transaction_id, global_position) > (${after.xid}::xid8, ${after.position}::bigint)`;
}

export interface EventRow {
  xid: string;
  global_position: number;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: unknown;
  /** occurred_at as epoch milliseconds: cheaper to read than a timestamp parsed into a Date. */
  at_ms: number;
}

export async function readCommitted(db: Db, after: LogPosition, limit: number): Promise<RecordedEvent[]> {
  const { rows } = await sql<EventRow>`
    SELECT ${EVENT_COLUMNS}
    FROM events
    WHERE ${committedAfter(after)}
    ORDER BY transaction_id, global_position
    LIMIT ${limit}`.execute(db);
  return rows.map(toRecorded);
}

/**
 * The same page as readCommitted, reading only positions and ids when `recall` knows every event's content
 * (the relay's events just committed by this process); if any is unknown, the page is read in full.
 */
export async function readCommittedRecalling(
  db: Db,
  after: LogPosition,
  limit: number,
  recall: (eventId: string) => EventToAppend | undefined,
): Promise<RecordedEvent[]> {
  const { rows } = await sql<{ xid: string; global_position: number; event_id: string }>`
    SELECT transaction_id::text AS xid, global_position, event_id
    FROM events
    WHERE ${committedAfter(after)}
    ORDER BY transaction_id, global_position
    LIMIT ${limit}`.execute(db);
  const events: RecordedEvent[] = [];
  for (const r of rows) {
    const known = recall(r.event_id);
    if (!known) return readCommitted(db, after, limit);
    events.push({ ...known, logPosition: { xid: r.xid, position: r.global_position } });
  }
  return events;
}

/** A row of `events` (with `transaction_id::text AS xid`) as a recorded event. */
export function toRecorded(r: EventRow): RecordedEvent {
  return {
    streamId: r.stream_id,
    version: r.stream_version,
    eventId: r.event_id,
    type: r.type,
    data: r.data,
    at: r.at_ms,
    logPosition: { xid: r.xid, position: r.global_position },
  };
}

/**
 * The newest committed position. By default only what lies behind the read horizon (what a reader may take
 * now); with `ignoreHorizon`, whatever this snapshot sees committed, which readers will reach once older
 * transactions end.
 */
export async function headPosition(db: Db, options: { ignoreHorizon?: boolean } = {}): Promise<LogPosition | null> {
  const horizon = options.ignoreHorizon ? sql`true` : sql`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;
  const { rows } = await sql<{ xid: string; global_position: number }>`
    SELECT transaction_id::text AS xid, global_position FROM events
    WHERE ${horizon}
    ORDER BY transaction_id DESC, global_position DESC LIMIT 1`.execute(db);
  const row = rows[0];
  return row ? { xid: row.xid, position: row.global_position } : null;
}

/** How many committed events lie after `after`: the lag of a reader at that checkpoint. */
export async function countAfter(db: Db, after: LogPosition): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::bigint AS n FROM events
    WHERE ${committedAfter(after)}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** How far behind a reader at `after` is: committed events after it, and the age of the oldest of them. */
export async function lagBehind(db: Db, after: LogPosition, now: number): Promise<{ events: number; seconds: number }> {
  const { rows } = await sql<{ n: number; oldest: Date | null }>`
    SELECT count(*)::bigint AS n, min(occurred_at) AS oldest FROM events
    WHERE ${committedAfter(after)}`.execute(db);
  const row = rows[0];
  const oldest = row?.oldest?.getTime();
  return { events: row?.n ?? 0, seconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000) };
}
