/**
 * Outcomes of commands, kept per (user, command id) so that a retry gets the first answer and has no effect.
 * Rejections are kept too: the same command id always gets the same answer (SPEC §8.7).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface IdempotencyKey {
  readonly userId: string;
  readonly commandId: string;
}

export interface StoredOutcome<O = unknown> {
  /** What the command asked for: a retry with the same id but a different request is refused. */
  readonly fingerprint: string;
  readonly outcome: O;
}

export const keyOf = (k: IdempotencyKey): string => `${k.userId}\u0000${k.commandId}`;

export async function findOutcomes(db: Db, keys: readonly IdempotencyKey[]): Promise<Map<string, StoredOutcome>> {
  const found = new Map<string, StoredOutcome>();
  if (keys.length === 0) return found;
  const { rows } = await sql<{ user_id: string; command_id: string; fingerprint: string; outcome: unknown }>`
    SELECT c.user_id, c.command_id, c.fingerprint, c.outcome
    FROM commands c
    JOIN unnest(${keys.map((k) => k.userId)}::uuid[], ${keys.map((k) => k.commandId)}::text[]) AS k(user_id, command_id)
      ON c.user_id = k.user_id AND c.command_id = k.command_id`.execute(db);
  for (const r of rows) {
    found.set(keyOf({ userId: r.user_id, commandId: r.command_id }), {
      fingerprint: r.fingerprint,
      outcome: r.outcome,
    });
  }
  return found;
}

export interface OutcomeToStore extends IdempotencyKey, StoredOutcome {}

export async function insertOutcomes(trx: Db, rows: readonly OutcomeToStore[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO commands (user_id, command_id, fingerprint, outcome)
    SELECT * FROM unnest(${rows.map((r) => r.userId)}::uuid[], ${rows.map((r) => r.commandId)}::text[],
                         ${rows.map((r) => r.fingerprint)}::text[], ${rows.map((r) => JSON.stringify(r.outcome))}::jsonb[])`.execute(
    trx,
  );
}
