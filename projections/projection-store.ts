/**
 * The projections table: which version of each read model is live, which is being rebuilt, and how far each
 * has read the log. The unversioned views that readers query always point at the live version.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { LOG_START, type LogPosition } from '../src/event-store/types.js';
import { type Projection, versioned } from './projection.js';

export type ProjectionStatus = 'live' | 'rebuilding' | 'retired';

export interface ProjectionVersion {
  readonly name: string;
  readonly version: number;
  readonly status: ProjectionStatus;
  readonly checkpoint: LogPosition;
}

interface Row {
  name: string;
  version: number;
  status: ProjectionStatus;
  xid: string;
  checkpoint_position: number;
}

const toVersion = (r: Row): ProjectionVersion => ({
  name: r.name,
  version: r.version,
  status: r.status,
  checkpoint: { xid: r.xid, position: r.checkpoint_position },
});

export async function listProjectionVersions(db: Db, name?: string): Promise<ProjectionVersion[]> {
  const { rows } = await sql<Row>`
    SELECT name, version, status, checkpoint_xid::text AS xid, checkpoint_position FROM projections
    ${name === undefined ? sql`` : sql`WHERE name = ${name}`}
    ORDER BY name, version`.execute(db);
  return rows.map(toVersion);
}

/** Serialises set-up and swaps across processes starting at the same time. */
async function lockProjections(trx: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('projections'))`.execute(trx);
}

async function pointViewsAt(trx: Db, projection: Projection, version: number): Promise<void> {
  for (const table of projection.tables) {
    await sql`DROP VIEW IF EXISTS ${sql.table(table)}`.execute(trx);
    await sql`CREATE VIEW ${sql.table(table)} AS SELECT * FROM ${sql.table(versioned(table, version))}`.execute(trx);
  }
}

export async function liveVersion(db: Db, name: string): Promise<ProjectionVersion | undefined> {
  return (await listProjectionVersions(db, name)).find((v) => v.status === 'live');
}

/** The live version of a projection, creating version 1 (tables, views, checkpoint at the start) the first time. */
export async function ensureLive(db: Db, projection: Projection): Promise<ProjectionVersion> {
  return db.transaction().execute(async (trx) => {
    await lockProjections(trx);
    const live = (await listProjectionVersions(trx, projection.name)).find((v) => v.status === 'live');
    if (live) return live;
    const latest = (await listProjectionVersions(trx, projection.name)).at(-1)?.version ?? 0;
    const version = latest + 1;
    await projection.createTables(trx, version);
    await projection.createIndexes(trx, version);
    await trx
      .withTables<{ projections: { name: string; version: number; status: string } }>()
      .insertInto('projections')
      .values({ name: projection.name, version, status: 'live' })
      .execute();
    await pointViewsAt(trx, projection, version);
    return { name: projection.name, version, status: 'live' as const, checkpoint: LOG_START };
  });
}

/**
 * Starts a new version beside the live one, with empty tables (primary keys only: createIndexes comes before
 * the swap) and its checkpoint at the start of the log.
 */
export async function beginRebuild(db: Db, projection: Projection): Promise<ProjectionVersion> {
  return db.transaction().execute(async (trx) => {
    await lockProjections(trx);
    const versions = await listProjectionVersions(trx, projection.name);
    const running = versions.find((v) => v.status === 'rebuilding');
    if (running) return running;
    const version = (versions.at(-1)?.version ?? 0) + 1;
    for (const table of projection.tables)
      await sql`DROP TABLE IF EXISTS ${sql.table(versioned(table, version))}`.execute(trx);
    await projection.createTables(trx, version);
    await sql`INSERT INTO projections (name, version, status) VALUES (${projection.name}, ${version}, 'rebuilding')`.execute(
      trx,
    );
    return { name: projection.name, version, status: 'rebuilding' as const, checkpoint: LOG_START };
  });
}

/**
 * Makes `version` the live one: in one transaction the views switch and the old version retires, so a reader
 * sees either the old tables or the new ones, never a mix. The old tables are dropped afterwards.
 */
export async function swapLive(db: Db, projection: Projection, version: number): Promise<number | null> {
  const retired = await db.transaction().execute(async (trx) => {
    await lockProjections(trx);
    const versions = await listProjectionVersions(trx, projection.name);
    // Only a rebuilding version goes live, once: a second swap (another process) changes nothing.
    if (versions.find((v) => v.version === version)?.status !== 'rebuilding') return null;
    const old = versions.find((v) => v.status === 'live');
    await sql`UPDATE projections SET status = 'retired', updated_at = now() WHERE name = ${projection.name} AND status = 'live'`.execute(
      trx,
    );
    await sql`UPDATE projections SET status = 'live', updated_at = now() WHERE name = ${projection.name} AND version = ${version}`.execute(
      trx,
    );
    await pointViewsAt(trx, projection, version);
    return old?.version ?? null;
  });
  if (retired !== null) {
    for (const table of projection.tables)
      await sql`DROP TABLE IF EXISTS ${sql.table(versioned(table, retired))}`.execute(db);
  }
  return retired;
}

export async function readCheckpoint(db: Db, name: string, version: number): Promise<LogPosition | null> {
  const v = (await listProjectionVersions(db, name)).find((p) => p.version === version);
  return v?.checkpoint ?? null;
}
