/** The relay's checkpoint row: a lease on publishing, and how far publishing has got. */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { LogPosition } from '../event-store/types.js';

const NAME = 'relay';

/**
 * Takes or renews the lease for `owner`; null when another relay holds an unexpired one. Returns the
 * checkpoint as stored, since a previous holder may have moved it.
 */
export async function acquireLease(db: Db, owner: string, seconds: number): Promise<LogPosition | null> {
  const { rows } = await sql<{ xid: string; position: number }>`
    UPDATE relay_checkpoint
    SET lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${seconds})
    WHERE name = ${NAME} AND (lease_owner = ${owner} OR lease_owner IS NULL OR lease_until < now())
    RETURNING checkpoint_xid::text AS xid, checkpoint_position AS position`.execute(db);
  const row = rows[0];
  return row ? { xid: row.xid, position: row.position } : null;
}

/** Moves the checkpoint and renews the lease; false when the lease was lost (another relay took over). */
export async function advanceRelayCheckpoint(
  db: Db,
  owner: string,
  to: LogPosition,
  seconds: number,
): Promise<boolean> {
  const result = await sql`
    UPDATE relay_checkpoint
    SET checkpoint_xid = ${to.xid}::xid8, checkpoint_position = ${to.position},
        lease_until = now() + make_interval(secs => ${seconds}), updated_at = now()
    WHERE name = ${NAME} AND lease_owner = ${owner}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

export async function releaseLease(db: Db, owner: string): Promise<void> {
  await sql`UPDATE relay_checkpoint SET lease_owner = NULL, lease_until = NULL WHERE name = ${NAME} AND lease_owner = ${owner}`.execute(
    db,
  );
}

export async function readRelayCheckpoint(db: Db): Promise<LogPosition> {
  const { rows } = await sql<{ xid: string; position: number }>`
    SELECT checkpoint_xid::text AS xid, checkpoint_position AS position FROM relay_checkpoint WHERE name = ${NAME}`.execute(
    db,
  );
  return rows[0] ?? { xid: '0', position: 0 };
}
