/**
 * BidHistory: the public bids of each auction, newest first. No maximums: only who bid, the price it left and
 * who led after it.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import type { BidPlacedData } from '../src/auctions/auction.js';
import { parseStreamId } from '../src/event-store/streams.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromEpochMs, jsonRows } from './json-rows.js';
import { type Projection, versioned } from './projection.js';

const TABLE = 'bid_history';

export const bidHistory: Projection = {
  name: 'bid-history',
  tables: [TABLE],
  eventTypes: new Set(['BidPlaced']),

  async createTables(db, version) {
    await sql`
      CREATE TABLE IF NOT EXISTS ${sql.table(versioned(TABLE, version))} (
        auction_id uuid NOT NULL,
        seq bigint NOT NULL,
        bidder_id uuid NOT NULL,
        current_price bigint NOT NULL,
        leader_id uuid NOT NULL,
        reserve_met boolean NOT NULL,
        at timestamptz NOT NULL
      )`.execute(db);
  },

  async createIndexes(db, version) {
    // The key, as a unique index built after a rebuild has filled the table. Until then ON CONFLICT has
    // nothing to check, and a second writer of the same version still loses at its checkpoint.
    const t = versioned(TABLE, version);
    await sql`CREATE UNIQUE INDEX IF NOT EXISTS ${sql.id(`${t}_key`)} ON ${sql.table(t)} (auction_id, seq)`.execute(db);
  },

  async write(_db, events, version) {
    const bids = events.flatMap((e) => {
      const ref = parseStreamId(e.streamId);
      if (ref.kind !== 'auction' || e.type !== 'BidPlaced') return [];
      const d = e.data as BidPlacedData;
      return [
        {
          auction_id: ref.auctionId,
          seq: e.version,
          bidder_id: d.bidderId,
          current_price: d.currentPrice,
          leader_id: d.leaderId,
          reserve_met: d.reserveMet,
          at_ms: e.at,
        },
      ];
    });
    if (bids.length === 0) return null;
    return (guard) => sql`
      INSERT INTO ${sql.table(versioned(TABLE, version))} (auction_id, seq, bidder_id, current_price, leader_id, reserve_met, at)
      SELECT auction_id, seq, bidder_id, current_price, leader_id, reserve_met, ${fromEpochMs('at_ms')}
      FROM ${jsonRows(bids, 'auction_id uuid, seq bigint, bidder_id uuid, current_price bigint, leader_id uuid, reserve_met boolean, at_ms bigint')}
      WHERE ${guard}
      ON CONFLICT DO NOTHING`;
  },
};

export interface PublicBid {
  seq: number;
  bidderId: string;
  currentPrice: number;
  leaderId: string;
  reserveMet: boolean;
  at: string;
}

export async function listBids(
  db: Db,
  auctionId: string,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ items: PublicBid[]; nextCursor: string | null }> {
  const before = decodeCursor(page.cursor, ['number'])?.[0] as number | undefined;
  const { rows } = await sql<{
    seq: number;
    bidder_id: string;
    current_price: number;
    leader_id: string;
    reserve_met: boolean;
    at: Date;
  }>`
    SELECT seq, bidder_id, current_price, leader_id, reserve_met, at FROM bid_history
    WHERE auction_id = ${auctionId}::uuid ${before === undefined ? sql`` : sql`AND seq < ${before}`}
    ORDER BY seq DESC LIMIT ${page.limit + 1}`.execute(db);
  const items = rows.slice(0, page.limit).map((r) => ({
    seq: r.seq,
    bidderId: r.bidder_id,
    currentPrice: r.current_price,
    leaderId: r.leader_id,
    reserveMet: r.reserve_met,
    at: r.at.toISOString(),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.seq]) : null };
}
