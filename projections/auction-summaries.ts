/**
 * AuctionSummary: one row per auction for listing, search and sorting. The row keeps the auction's state as the
 * pure core folds it (evolve), so the list shows exactly what GET /v1/auctions/:id shows.
 */
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { AUCTION_EVENT_TYPES, type AuctionState, evolve } from '../src/auctions/auction.js';
import { toAuctionEvent } from '../src/auctions/auction-store.js';
import { type AuctionView, auctionView } from '../src/auctions/public-view.js';
import { parseStreamId } from '../src/event-store/streams.js';
import type { RecordedEvent } from '../src/event-store/types.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromEpochMs, jsonRows } from './json-rows.js';
import { type Projection, versioned } from './projection.js';

const TABLE = 'auction_summaries';

export const auctionSummaries: Projection = {
  name: 'auction-summaries',
  tables: [TABLE],
  eventTypes: AUCTION_EVENT_TYPES,

  async createTables(db, version) {
    const t = versioned(TABLE, version);
    await sql`
      CREATE TABLE IF NOT EXISTS ${sql.table(t)} (
        auction_id uuid PRIMARY KEY,
        seller_id uuid NOT NULL,
        title text NOT NULL,
        title_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED,
        status text NOT NULL,
        price bigint NOT NULL,
        ends_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        version bigint NOT NULL,
        state jsonb NOT NULL
      )`.execute(db);
  },

  async createIndexes(db, version) {
    const t = versioned(TABLE, version);
    for (const [suffix, columns] of [
      ['ending', sql`status, ends_at, auction_id`],
      ['newest', sql`status, created_at DESC, auction_id DESC`],
      ['price', sql`status, price, auction_id`],
    ] as const) {
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`${t}_${suffix}`)} ON ${sql.table(t)} (${columns})`.execute(db);
    }
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`${t}_search`)} ON ${sql.table(t)} USING gin (title_search)`.execute(
      db,
    );
  },

  async write(db, events, version) {
    const t = versioned(TABLE, version);
    const byAuction = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      const ref = parseStreamId(e.streamId);
      if (ref.kind !== 'auction') continue;
      const list = byAuction.get(ref.auctionId) ?? [];
      list.push(e);
      byAuction.set(ref.auctionId, list);
    }
    if (byAuction.size === 0) return null;
    const { rows } = await sql<{ auction_id: string; state: AuctionState }>`
      SELECT auction_id, state FROM ${sql.table(t)} WHERE auction_id = ANY(${[...byAuction.keys()]}::uuid[])`.execute(
      db,
    );
    const states = new Map(rows.map((r) => [r.auction_id, r.state]));
    const changed: AuctionState[] = [];
    for (const [id, list] of byAuction) {
      let state: AuctionState | null = states.get(id) ?? null;
      for (const e of list) {
        if (state && e.version <= state.version) continue;
        state = evolve(state, toAuctionEvent(e));
      }
      if (state) changed.push(state);
    }
    const summaries = changed.map((s) => ({
      auction_id: s.id,
      seller_id: s.sellerId,
      title: s.title,
      status: s.status,
      price: s.currentPrice ?? s.startingPrice,
      ends_ms: s.endsAt,
      created_ms: s.createdAt,
      version: s.version,
      state: s,
    }));
    return (guard) => sql`
      INSERT INTO ${sql.table(t)} (auction_id, seller_id, title, status, price, ends_at, created_at, version, state)
      SELECT auction_id, seller_id, title, status, price, ${fromEpochMs('ends_ms')}, ${fromEpochMs('created_ms')}, version, state
      FROM ${jsonRows(summaries, 'auction_id uuid, seller_id uuid, title text, status text, price bigint, ends_ms bigint, created_ms bigint, version bigint, state jsonb')}
      WHERE ${guard}
      ON CONFLICT (auction_id) DO UPDATE SET
        status = excluded.status, price = excluded.price, ends_at = excluded.ends_at,
        version = excluded.version, state = excluded.state`;
  },
};

export type AuctionSort = 'ending_soon' | 'newest' | 'price_asc' | 'price_desc';
export type AuctionStatusFilter = AuctionState['status'];

export interface AuctionListQuery {
  readonly status: AuctionStatusFilter;
  readonly q?: string | undefined;
  readonly sort: AuctionSort;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

interface SortSpec {
  readonly column: 'ends_at' | 'created_at' | 'price';
  readonly descending: boolean;
  readonly key: 'string' | 'number';
}

const SORTS: Record<AuctionSort, SortSpec> = {
  ending_soon: { column: 'ends_at', descending: false, key: 'string' },
  newest: { column: 'created_at', descending: true, key: 'string' },
  price_asc: { column: 'price', descending: false, key: 'number' },
  price_desc: { column: 'price', descending: true, key: 'number' },
};

/** Words become prefix matches, so "vint lam" finds "Vintage lamp"; anything but letters and digits is dropped. */
export function searchQuery(q: string): string | null {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length === 0
    ? null
    : words
        .slice(0, 8)
        .map((w) => `${w}:*`)
        .join(' & ');
}

interface SummaryRow {
  auction_id: string;
  price: number;
  ends_at: Date;
  created_at: Date;
  state: AuctionState;
}

export async function listAuctions(
  db: Db,
  query: AuctionListQuery,
): Promise<{ items: AuctionView[]; nextCursor: string | null }> {
  const spec = SORTS[query.sort];
  const after = decodeCursor(query.cursor, [spec.key, 'string']);
  const tsquery = query.q === undefined ? null : searchQuery(query.q);
  const column = sql.ref(spec.column);
  const conditions: Expression<SqlBool>[] = [sql<SqlBool>`status = ${query.status}`];
  if (tsquery) conditions.push(sql<SqlBool>`title_search @@ to_tsquery('simple', ${tsquery})`);
  if (query.q !== undefined && tsquery === null) conditions.push(sql<SqlBool>`false`);
  if (after) {
    const [key, id] = after;
    const keyValue = spec.key === 'string' ? sql`${key}::timestamptz` : sql`${key}::bigint`;
    conditions.push(
      spec.descending
        ? sql<SqlBool>`(${column}, auction_id) < (${keyValue}, ${id}::uuid)`
        : sql<SqlBool>`(${column}, auction_id) > (${keyValue}, ${id}::uuid)`,
    );
  }
  const direction = spec.descending ? sql`DESC` : sql`ASC`;
  const { rows } = await sql<SummaryRow>`
    SELECT auction_id, price, ends_at, created_at, state FROM auction_summaries
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY ${column} ${direction}, auction_id ${direction}
    LIMIT ${query.limit + 1}`.execute(db);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor([spec.column === 'price' ? last.price : last[spec.column].toISOString(), last.auction_id])
      : null;
  return { items: page.map((r) => auctionView(r.state)), nextCursor };
}

/** The summary's state of some auctions, for joining other read models to them. */
export async function summaryStates(db: Db, auctionIds: readonly string[]): Promise<Map<string, AuctionState>> {
  if (auctionIds.length === 0) return new Map();
  const { rows } = await sql<{ auction_id: string; state: AuctionState }>`
    SELECT auction_id, state FROM auction_summaries WHERE auction_id = ANY(${[...auctionIds]}::uuid[])`.execute(db);
  return new Map(rows.map((r) => [r.auction_id, r.state]));
}
