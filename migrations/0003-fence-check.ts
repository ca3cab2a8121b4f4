import { type Kysely, sql } from 'kysely';

/**
 * `fence_check(moved, expected)` raises a serialization failure (40001) unless every stream header in a batch
 * moved from its expected version. It lets the whole batch write (fence, events, balances, outcomes) be one
 * statement: a stale writer's statement fails, and so does its transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION fence_check(moved bigint, expected bigint) RETURNS bigint LANGUAGE plpgsql AS $$
    BEGIN
      IF moved <> expected THEN
        RAISE EXCEPTION 'stream fence: % of % stream headers were at their expected version', moved, expected
          USING ERRCODE = 'serialization_failure';
      END IF;
      RETURN moved;
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS fence_check(bigint, bigint)`.execute(db);
}
