/** Reading one stream in version order, from the primary key. */
import type { Db } from '../db/database.js';
import type { RecordedEvent } from './types.js';

export interface StreamPage {
  readonly afterVersion?: number;
  readonly limit?: number;
  /** Newest first, for history pages. */
  readonly descending?: boolean;
  readonly beforeVersion?: number;
  readonly types?: readonly string[];
}

export async function readStream(db: Db, streamId: string, page: StreamPage = {}): Promise<RecordedEvent[]> {
  let query = db
    .selectFrom('events')
    .select(['stream_version', 'event_id', 'type', 'data', 'occurred_at', 'transaction_id', 'global_position'])
    .where('stream_id', '=', streamId)
    .orderBy('stream_version', page.descending ? 'desc' : 'asc');
  if (page.afterVersion !== undefined) query = query.where('stream_version', '>', page.afterVersion);
  if (page.beforeVersion !== undefined) query = query.where('stream_version', '<', page.beforeVersion);
  if (page.types) query = query.where('type', 'in', page.types);
  if (page.limit !== undefined) query = query.limit(page.limit);
  const rows = await query.execute();
  return rows.map((r) => ({
    streamId,
    version: r.stream_version,
    eventId: r.event_id,
    type: r.type,
    data: r.data,
    at: r.occurred_at.getTime(),
    logPosition: { xid: r.transaction_id, position: r.global_position },
  }));
}
