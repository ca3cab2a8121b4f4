import { type Kysely, sql } from 'kysely';

/**
 * The outbox relay's checkpoint and lease. Only the holder of an unexpired lease publishes and moves the
 * checkpoint, so two service processes never relay at once; a crashed holder's lease runs out and another
 * takes over from the checkpoint.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE relay_checkpoint (
      name text PRIMARY KEY,
      checkpoint_xid xid8 NOT NULL DEFAULT '0',
      checkpoint_position bigint NOT NULL DEFAULT 0,
      lease_owner text,
      lease_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`INSERT INTO relay_checkpoint (name) VALUES ('relay')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS relay_checkpoint`.execute(db);
}
