/**
 * Applying one batch to one projection version: the read model's rows and the checkpoint's move go to
 * PostgreSQL as ONE statement, so the batch needs one round trip and no explicit transaction. The checkpoint
 * moves only from where this runner believes it is (`from`); the rows are written only if it did. A runner
 * that lost a race (another process applied the batch first) writes nothing and learns it from the conflict.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { ConcurrencyError } from '../src/event-store/errors.js';
import type { LogPosition, RecordedEvent } from '../src/event-store/types.js';
import type { Projection } from './projection.js';

export async function applyBatch(
  db: Db,
  projection: Projection,
  version: number,
  events: readonly RecordedEvent[],
  from: LogPosition,
  to: LogPosition,
): Promise<void> {
  const relevant = events.filter((e) => projection.eventTypes.has(e.type));
  const write = relevant.length > 0 ? await projection.write(db, relevant, version) : null;
  const moved = sql`
    UPDATE projections SET checkpoint_xid = ${to.xid}::xid8, checkpoint_position = ${to.position}, updated_at = now()
    WHERE name = ${projection.name} AND version = ${version}
      AND checkpoint_xid = ${from.xid}::xid8 AND checkpoint_position = ${from.position}
    RETURNING 1`;
  // A data-modifying WITH runs once and to the end whether or not the outer query reads it; `written` sees
  // `moved`'s result, so it writes only when the checkpoint moved.
  const { rows } = await (
    write
      ? sql<{ n: number }>`WITH moved AS (${moved}), written AS (${write(sql`EXISTS (SELECT 1 FROM moved)`)})
          SELECT count(*)::int AS n FROM moved`
      : sql<{ n: number }>`WITH moved AS (${moved}) SELECT count(*)::int AS n FROM moved`
  ).execute(db);
  if (rows[0]?.n !== 1) throw new ConcurrencyError(`projection ${projection.name} v${version} checkpoint moved on`);
}
