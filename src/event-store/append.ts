/**
 * Appending: one INSERT for any number of events on any number of streams. The primary key
 * (stream_id, stream_version) is the last line of the fence: two writers can never both place version n.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { EventToAppend } from './types.js';

export async function insertEvents(trx: Db, events: readonly EventToAppend[]): Promise<void> {
  if (events.length === 0) return;
  const streamIds: string[] = [];
  const versions: number[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const payloads: string[] = [];
  const times: string[] = [];
  for (const e of events) {
    streamIds.push(e.streamId);
    versions.push(e.version);
    ids.push(e.eventId);
    types.push(e.type);
    payloads.push(JSON.stringify(e.data));
    times.push(new Date(e.at).toISOString());
  }
  await sql`
    INSERT INTO events (stream_id, stream_version, event_id, type, data, occurred_at)
    SELECT * FROM unnest(${streamIds}::text[], ${versions}::bigint[], ${ids}::uuid[], ${types}::text[],
                         ${payloads}::jsonb[], ${times}::timestamptz[])`.execute(trx);
}
