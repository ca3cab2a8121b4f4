import { type Kysely, sql } from 'kysely';

/**
 * The event store and the write side: streams with their version (the append fence), events ordered by
 * (transaction_id, global_position), wallets whose rows are the wallet streams' headers and locks, users
 * with hashed tokens, and the outcomes of commands for idempotent retries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE streams (
      stream_id text PRIMARY KEY,
      version bigint NOT NULL CHECK (version >= 0),
      due_at timestamptz,
      snapshot jsonb,
      snapshot_schema integer
    )`.execute(db);
  await sql`CREATE INDEX streams_due_at ON streams (due_at) WHERE due_at IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE events (
      global_position bigint GENERATED ALWAYS AS IDENTITY,
      transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      stream_id text NOT NULL,
      stream_version bigint NOT NULL CHECK (stream_version > 0),
      event_id uuid NOT NULL,
      type text NOT NULL,
      data jsonb NOT NULL,
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (stream_id, stream_version),
      CONSTRAINT events_event_id_key UNIQUE (event_id)
    )`.execute(db);
  // Readers of the whole log go in commit-safe order: see src/event-store/read-all.ts.
  await sql`CREATE INDEX events_transaction_order ON events (transaction_id, global_position)`.execute(db);
  // The log is append-only; a stray UPDATE or DELETE is refused by the database itself.
  await sql`
    CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'events are append-only (% refused)', TG_OP;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only()`.execute(db);

  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      display_name text NOT NULL,
      token_hash bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_token_hash_key UNIQUE (token_hash)
    )`.execute(db);

  await sql`
    CREATE TABLE wallets (
      user_id uuid PRIMARY KEY REFERENCES users (id),
      available bigint NOT NULL DEFAULT 0 CONSTRAINT wallets_available_nonnegative CHECK (available >= 0),
      held bigint NOT NULL DEFAULT 0 CONSTRAINT wallets_held_nonnegative CHECK (held >= 0),
      version bigint NOT NULL DEFAULT 0 CHECK (version >= 0)
    )`.execute(db);

  await sql`
    CREATE TABLE commands (
      user_id uuid NOT NULL,
      command_id text NOT NULL,
      fingerprint text NOT NULL,
      outcome jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, command_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['commands', 'wallets', 'users', 'events', 'streams']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS events_are_append_only()`.execute(db);
}
