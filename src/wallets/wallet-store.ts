/**
 * Wallet rows: the balances and the header (version) of each wallet stream.
 *
 * Locks are always taken in ONE statement in ascending user id order. Every transaction that touches
 * wallets takes all its wallet locks this way before anything else, so no two of them can wait on each other
 * in a cycle: the deadlock of the lock-the-leader-then-the-bidder design cannot happen.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Balance } from './wallet.js';

export interface WalletRow extends Balance {
  readonly userId: string;
  readonly version: number;
}

export async function lockWallets(trx: Db, userIds: readonly string[]): Promise<Map<string, WalletRow>> {
  const wallets = new Map<string, WalletRow>();
  if (userIds.length === 0) return wallets;
  const { rows } = await sql<{ user_id: string; available: number; held: number; version: number }>`
    SELECT user_id, available, held, version FROM wallets
    WHERE user_id = ANY(${[...userIds]}::uuid[])
    ORDER BY user_id
    FOR UPDATE`.execute(trx);
  for (const r of rows) {
    wallets.set(r.user_id, { userId: r.user_id, available: r.available, held: r.held, version: r.version });
  }
  return wallets;
}

/** Writes balances decided under the locks of `lockWallets` in the same transaction. */
export async function saveWallets(trx: Db, wallets: readonly WalletRow[]): Promise<void> {
  if (wallets.length === 0) return;
  await sql`
    UPDATE wallets AS w SET available = v.available, held = v.held, version = v.version
    FROM unnest(${wallets.map((w) => w.userId)}::uuid[], ${wallets.map((w) => w.available)}::bigint[],
                ${wallets.map((w) => w.held)}::bigint[], ${wallets.map((w) => w.version)}::bigint[])
         AS v(user_id, available, held, version)
    WHERE w.user_id = v.user_id`.execute(trx);
}

export async function readBalance(db: Db, userId: string): Promise<Balance | null> {
  const row = await db
    .selectFrom('wallets')
    .select(['available', 'held'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ?? null;
}
