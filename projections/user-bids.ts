/**
 * UserBids: the auctions each user has bid on, with their own highest maximum (theirs to see). Whether they
 * lead, were outbid, won or lost is read from the auction's summary when asked, so a change of leader does
 * not rewrite every bidder's row.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import type { AuctionState, BidPlacedData } from '../src/auctions/auction.js';
import { parseStreamId } from '../src/event-store/streams.js';
import { summaryStates } from './auction-summaries.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromEpochMs, jsonRows } from './json-rows.js';
import { type Projection, versioned } from './projection.js';

const TABLE = 'user_bids';

export const userBids: Projection = {
  name: 'user-bids',
  tables: [TABLE],
  eventTypes: new Set(['BidPlaced']),

  async createTables(db, version) {
    const t = versioned(TABLE, version);
    await sql`
      CREATE TABLE IF NOT EXISTS ${sql.table(t)} (
        user_id uuid NOT NULL,
        auction_id uuid NOT NULL,
        bid_count integer NOT NULL,
        max_amount bigint NOT NULL,
        first_bid_at timestamptz NOT NULL,
        last_bid_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, auction_id)
      )`.execute(db);
  },

  async createIndexes(db, version) {
    const t = versioned(TABLE, version);
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`${t}_recent`)} ON ${sql.table(t)} (user_id, last_bid_at DESC, auction_id DESC)`.execute(
      db,
    );
  },

  async write(_db, events, version) {
    // Fold the batch per (user, auction) first: one row write each, however many bids the batch holds.
    const rows = new Map<
      string,
      { user_id: string; auction_id: string; bid_count: number; max_amount: number; first_ms: number; last_ms: number }
    >();
    for (const e of events) {
      const ref = parseStreamId(e.streamId);
      if (ref.kind !== 'auction' || e.type !== 'BidPlaced') continue;
      const d = e.data as BidPlacedData;
      const key = `${d.bidderId}/${ref.auctionId}`;
      const row = rows.get(key) ?? {
        user_id: d.bidderId,
        auction_id: ref.auctionId,
        bid_count: 0,
        max_amount: 0,
        first_ms: e.at,
        last_ms: e.at,
      };
      row.bid_count += 1;
      row.max_amount = Math.max(row.max_amount, d.maxAmount);
      row.last_ms = Math.max(row.last_ms, e.at);
      rows.set(key, row);
    }
    if (rows.size === 0) return null;
    const list = [...rows.values()];
    return (guard) => sql`
      INSERT INTO ${sql.table(versioned(TABLE, version))} AS u (user_id, auction_id, bid_count, max_amount, first_bid_at, last_bid_at)
      SELECT user_id, auction_id, bid_count, max_amount, ${fromEpochMs('first_ms')}, ${fromEpochMs('last_ms')}
      FROM ${jsonRows(list, 'user_id uuid, auction_id uuid, bid_count integer, max_amount bigint, first_ms bigint, last_ms bigint')}
      WHERE ${guard}
      ON CONFLICT (user_id, auction_id) DO UPDATE SET
        bid_count = u.bid_count + excluded.bid_count,
        max_amount = greatest(u.max_amount, excluded.max_amount),
        last_bid_at = greatest(u.last_bid_at, excluded.last_bid_at)`;
  },
};

export type MyBidState = 'leading' | 'outbid' | 'won' | 'lost';

export function myBidState(userId: string, auction: AuctionState): MyBidState {
  if (auction.status === 'open' || auction.status === 'scheduled')
    return auction.leaderId === userId ? 'leading' : 'outbid';
  return auction.winnerId === userId ? 'won' : 'lost';
}

export interface MyBid {
  auctionId: string;
  title: string;
  status: AuctionState['status'];
  state: MyBidState;
  currentPrice: number | null;
  finalPrice: number | null;
  myMaxAmount: number;
  bidCount: number;
  endsAt: string;
  lastBidAt: string;
}

export async function listMyBids(
  db: Db,
  userId: string,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ items: MyBid[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, ['string', 'string']);
  const { rows } = await sql<{ auction_id: string; bid_count: number; max_amount: number; last_bid_at: Date }>`
    SELECT auction_id, bid_count, max_amount, last_bid_at FROM user_bids
    WHERE user_id = ${userId}::uuid
      ${after ? sql`AND (last_bid_at, auction_id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
    ORDER BY last_bid_at DESC, auction_id DESC LIMIT ${page.limit + 1}`.execute(db);
  const pageRows = rows.slice(0, page.limit);
  const states = await summaryStates(
    db,
    pageRows.map((r) => r.auction_id),
  );
  const items = pageRows.flatMap((r) => {
    const auction = states.get(r.auction_id);
    if (!auction) return [];
    return [
      {
        auctionId: r.auction_id,
        title: auction.title,
        status: auction.status,
        state: myBidState(userId, auction),
        currentPrice: auction.currentPrice,
        finalPrice: auction.finalPrice,
        myMaxAmount: r.max_amount,
        bidCount: r.bid_count,
        endsAt: new Date(auction.endsAt).toISOString(),
        lastBidAt: r.last_bid_at.toISOString(),
      },
    ];
  });
  const last = pageRows[pageRows.length - 1];
  return {
    items,
    nextCursor:
      rows.length > page.limit && last ? encodeCursor([last.last_bid_at.toISOString(), last.auction_id]) : null,
  };
}
