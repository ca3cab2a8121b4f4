import { type Kysely, sql } from 'kysely';

/**
 * Read-model bookkeeping. Each projection has numbered versions of its tables (`<table>_v<n>`); exactly one
 * version is live and is what the view `<table>` shows. A rebuild fills version n+1 beside it and swaps the
 * views in one transaction. Each version keeps its own checkpoint in the log, written in the same
 * transaction as the rows it covers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE projections (
      name text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      status text NOT NULL CHECK (status IN ('live', 'rebuilding', 'retired')),
      checkpoint_xid xid8 NOT NULL DEFAULT '0',
      checkpoint_position bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX projections_one_live ON projections (name) WHERE status = 'live'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS projections`.execute(db);
}
