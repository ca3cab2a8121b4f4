/**
 * Fast set-up for benchmarks, written straight into the database but exactly as the service would have
 * written it: users with hashed tokens and wallets whose balances come from real deposit events, and open
 * auctions with their AuctionCreated/AuctionOpened events and snapshots. `verify` holds on the result.
 */
import { sql } from 'kysely';
import { type AuctionState, foldAuction, nextDeadline } from '../../src/auctions/auction.js';
import { SNAPSHOT_SCHEMA } from '../../src/auctions/auction-store.js';
import { createAuction } from '../../src/auctions/create.js';
import type { Db } from '../../src/db/database.js';
import { insertEvents } from '../../src/event-store/append.js';
import { auctionStreamId, walletStreamId } from '../../src/event-store/streams.js';
import type { EventToAppend } from '../../src/event-store/types.js';
import { newId } from '../../src/ids.js';
import { hashToken, newToken } from '../../src/users/user-store.js';
import { walletEvent } from '../../src/wallets/wallet.js';

export interface SeededUser {
  readonly userId: string;
  readonly token: string;
}

export async function seedUsers(db: Db, count: number, deposit: number): Promise<SeededUser[]> {
  const users: SeededUser[] = Array.from({ length: count }, () => ({ userId: newId(), token: newToken() }));
  const now = Date.now();
  for (let i = 0; i < users.length; i += 2_000) {
    const chunk = users.slice(i, i + 2_000);
    const events: EventToAppend[] = chunk.map((u) => {
      const { event } = walletEvent(u.userId, 'deposit', deposit, { available: 0, held: 0 }, now);
      return { streamId: walletStreamId(u.userId), version: 1, eventId: newId(now), ...event };
    });
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO users (id, display_name, token_hash)
        SELECT * FROM unnest(${chunk.map((u) => u.userId)}::uuid[], ${chunk.map((_, k) => `bidder ${i + k}`)}::text[],
                             ${chunk.map((u) => hashToken(u.token))}::bytea[])`.execute(trx);
      await sql`INSERT INTO wallets (user_id, available, held, version)
        SELECT u, ${deposit}::bigint, 0, 1 FROM unnest(${chunk.map((u) => u.userId)}::uuid[]) AS u`.execute(trx);
      await insertEvents(trx, events);
    });
  }
  return users;
}

export interface AuctionSpec {
  readonly title?: string;
  readonly startingPrice?: number;
  readonly minIncrement?: number;
  readonly endsInMs?: number;
  readonly windowSeconds?: number;
}

export async function seedAuctions(db: Db, sellerId: string, count: number, spec: AuctionSpec = {}): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1_000) {
    const states: AuctionState[] = [];
    const events: EventToAppend[] = [];
    for (let k = i; k < Math.min(count, i + 1_000); k += 1) {
      const id = newId(now);
      const created = createAuction(
        id,
        sellerId,
        {
          title: spec.title ?? `Lot ${k}`,
          startingPrice: spec.startingPrice ?? 100,
          ...(spec.minIncrement === undefined ? {} : { minIncrement: spec.minIncrement }),
          endsAt: now + (spec.endsInMs ?? 3_600_000),
          softClose: { windowSeconds: spec.windowSeconds ?? 0, extensionSeconds: 60 },
        },
        now,
      );
      if (!created.ok) throw new Error(created.rejection.message);
      states.push(foldAuction(created.events) as AuctionState);
      created.events.forEach((e, v) =>
        events.push({ streamId: auctionStreamId(id), version: v + 1, eventId: newId(now), ...e }),
      );
      ids.push(id);
    }
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO streams (stream_id, version, due_at, snapshot, snapshot_schema)
        SELECT s, v, d, j, ${SNAPSHOT_SCHEMA} FROM unnest(${states.map((s) => auctionStreamId(s.id))}::text[], ${states.map((s) => s.version)}::bigint[],
          ${states.map((s) => new Date(nextDeadline(s) ?? now).toISOString())}::timestamptz[], ${states.map((s) => JSON.stringify(s))}::jsonb[]) AS x(s, v, d, j)`.execute(
        trx,
      );
      await insertEvents(trx, events);
    });
  }
  return ids;
}
