/**
 * WalletLedger: one entry per wallet event, newest first, with the balances after it.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { parseStreamId } from '../src/event-store/streams.js';
import { WALLET_EVENT_TYPES, type WalletEventData } from '../src/wallets/wallet.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromEpochMs, jsonRows } from './json-rows.js';
import { type Projection, versioned } from './projection.js';

const TABLE = 'wallet_ledger';

export const walletLedger: Projection = {
  name: 'wallet-ledger',
  tables: [TABLE],
  eventTypes: WALLET_EVENT_TYPES,

  async createTables(db, version) {
    await sql`
      CREATE TABLE IF NOT EXISTS ${sql.table(versioned(TABLE, version))} (
        user_id uuid NOT NULL,
        version bigint NOT NULL,
        type text NOT NULL,
        reason text NOT NULL,
        amount bigint NOT NULL,
        available bigint NOT NULL,
        held bigint NOT NULL,
        auction_id uuid,
        at timestamptz NOT NULL
      )`.execute(db);
  },

  async createIndexes(db, version) {
    // The key, as a unique index built after a rebuild has filled the table. Until then ON CONFLICT has
    // nothing to check, and a second writer of the same version still loses at its checkpoint.
    const t = versioned(TABLE, version);
    await sql`CREATE UNIQUE INDEX IF NOT EXISTS ${sql.id(`${t}_key`)} ON ${sql.table(t)} (user_id, version)`.execute(
      db,
    );
  },

  async write(_db, events, version) {
    const entries = events.flatMap((e) => {
      const ref = parseStreamId(e.streamId);
      if (ref.kind !== 'wallet' || !WALLET_EVENT_TYPES.has(e.type)) return [];
      const d = e.data as WalletEventData;
      return [
        {
          user_id: ref.userId,
          version: e.version,
          type: e.type,
          reason: d.reason,
          amount: d.amount,
          available: d.available,
          held: d.held,
          auction_id: d.auctionId ?? null,
          at_ms: e.at,
        },
      ];
    });
    if (entries.length === 0) return null;
    return (guard) => sql`
      INSERT INTO ${sql.table(versioned(TABLE, version))} (user_id, version, type, reason, amount, available, held, auction_id, at)
      SELECT user_id, version, type, reason, amount, available, held, auction_id, ${fromEpochMs('at_ms')}
      FROM ${jsonRows(entries, 'user_id uuid, version bigint, type text, reason text, amount bigint, available bigint, held bigint, auction_id uuid, at_ms bigint')}
      WHERE ${guard}
      ON CONFLICT DO NOTHING`;
  },
};

export interface LedgerEntry {
  type: string;
  reason: string;
  amount: number;
  available: number;
  held: number;
  auctionId?: string;
  at: string;
}

export async function listLedger(
  db: Db,
  userId: string,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ entries: LedgerEntry[]; nextCursor: string | null }> {
  const before = decodeCursor(page.cursor, ['number'])?.[0] as number | undefined;
  const { rows } = await sql<{
    version: number;
    type: string;
    reason: string;
    amount: number;
    available: number;
    held: number;
    auction_id: string | null;
    at: Date;
  }>`
    SELECT version, type, reason, amount, available, held, auction_id, at FROM wallet_ledger
    WHERE user_id = ${userId}::uuid ${before === undefined ? sql`` : sql`AND version < ${before}`}
    ORDER BY version DESC LIMIT ${page.limit + 1}`.execute(db);
  const page_ = rows.slice(0, page.limit);
  const entries = page_.map((r) => ({
    type: r.type,
    reason: r.reason,
    amount: r.amount,
    available: r.available,
    held: r.held,
    ...(r.auction_id === null ? {} : { auctionId: r.auction_id }),
    at: r.at.toISOString(),
  }));
  const last = page_[page_.length - 1];
  return { entries, nextCursor: rows.length > page.limit && last ? encodeCursor([last.version]) : null };
}
