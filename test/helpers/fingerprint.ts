/** A digest of everything the write side holds, to assert that a refused request changed nothing. */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';

export async function writeSideFingerprint(db: Db): Promise<string> {
  const { rows } = await sql<{ f: string }>`
    SELECT concat_ws('|',
      (SELECT count(*) FROM events),
      (SELECT coalesce(sum(version), 0) FROM streams),
      (SELECT coalesce(sum(available), 0) || '/' || coalesce(sum(held), 0) || '/' || coalesce(sum(version), 0) FROM wallets),
      (SELECT count(*) FROM users),
      (SELECT count(*) FROM commands)) AS f`.execute(db);
  return rows[0]?.f ?? '';
}
