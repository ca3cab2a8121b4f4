/**
 * Invariant 8 for read models: each live projection must equal what replaying the log up to its checkpoint
 * produces. Inside verify's snapshot, every projection is rebuilt into scratch tables (created in that
 * transaction and rolled back with it) and compared row by row with the live ones.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { EVENT_COLUMNS, type EventRow, toRecorded } from '../src/event-store/read-all.js';
import type { LogPosition } from '../src/event-store/types.js';
import type { Check } from '../src/ops/verify.js';
import { PROJECTIONS } from './catalog.js';
import { type Projection, versioned } from './projection.js';
import { liveVersion } from './projection-store.js';

const PAGE = 5_000;

async function replayInto(trx: Db, projection: Projection, version: number, upTo: LogPosition): Promise<void> {
  let after: LogPosition = { xid: '0', position: 0 };
  for (;;) {
    const { rows } = await sql<EventRow>`
      SELECT ${EVENT_COLUMNS}
      FROM events
      WHERE (transaction_id, global_position) > (${after.xid}::xid8, ${after.position}::bigint)
        AND (transaction_id, global_position) <= (${upTo.xid}::xid8, ${upTo.position}::bigint)
      ORDER BY transaction_id, global_position LIMIT ${PAGE}`.execute(trx);
    const events = rows.map(toRecorded).filter((e) => projection.eventTypes.has(e.type));
    const write = events.length > 0 ? await projection.write(trx, events, version) : null;
    // Scratch tables have no checkpoint: nothing guards the write.
    if (write) await write(sql`true`).execute(trx);
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return;
    after = { xid: last.xid, position: last.global_position };
  }
}

async function differences(trx: Db, live: string, scratch: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT (SELECT count(*) FROM (SELECT * FROM ${sql.table(live)} EXCEPT ALL SELECT * FROM ${sql.table(scratch)}) a)
         + (SELECT count(*) FROM (SELECT * FROM ${sql.table(scratch)} EXCEPT ALL SELECT * FROM ${sql.table(live)}) b) AS n`.execute(
    trx,
  );
  return Number(rows[0]?.n ?? 0);
}

export async function readModelChecks(trx: Db, projections: readonly Projection[] = PROJECTIONS): Promise<Check[]> {
  const checks: Check[] = [];
  for (const projection of projections) {
    const name = `8. read model ${projection.name} equals the log replayed`;
    const live = await liveVersion(trx, projection.name);
    if (!live) {
      checks.push({ name, ok: true, detail: 'not created yet' });
      continue;
    }
    // A version number no projection will reach, so the scratch tables clash with nothing.
    const scratch = 1_000_000_000 + randomInt(1_000_000);
    await projection.createTables(trx, scratch);
    await replayInto(trx, projection, scratch, live.checkpoint);
    const problems: string[] = [];
    for (const table of projection.tables) {
      const n = await differences(trx, versioned(table, live.version), versioned(table, scratch));
      if (n > 0) problems.push(`${table}: ${n} rows differ`);
    }
    checks.push({
      name,
      ok: problems.length === 0,
      detail: problems.length === 0 ? `ok at ${live.checkpoint.xid}/${live.checkpoint.position}` : problems.join('; '),
    });
  }
  return checks;
}
