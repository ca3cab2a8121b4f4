/**
 * verify() must notice when stored data breaks an invariant. Each case builds the same small history in its own
 * database, checks that it verifies clean, tampers with one thing behind the service's back, and expects the
 * matching check to fail.
 */
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import type { Db } from '../../src/db/database.js';
import { newId } from '../../src/ids.js';
import { verify } from '../../src/ops/verify.js';
import { type Api, fundedUser, injectApi, openAuction, registerUser } from '../helpers/api.js';
import { startTestService } from '../helpers/service.js';

interface History {
  db: Db;
  u1: string;
  open: string;
  sold: string;
}

async function history(t: Test): Promise<History> {
  const service = await startTestService(t);
  const api: Api = injectApi(service);
  const seller = await registerUser(api, 'seller');
  const u1 = await fundedUser(api, 10_000);
  const u2 = await fundedUser(api, 10_000);
  const open = await openAuction(api, seller, { minIncrement: 10 });
  const sold = await openAuction(api, seller, { buyNowPrice: 2_000 });
  const bid = (u: typeof u1, id: string, maxAmount: number, c: string) =>
    api('POST', `/v1/auctions/${id}/bids`, { token: u.token, body: { maxAmount, commandId: c } });
  await bid(u1, open.id, 1_000, 'a');
  await bid(u2, open.id, 800, 'b');
  await bid(u1, sold.id, 500, 'c');
  await api('POST', `/v1/auctions/${sold.id}/buy-now`, { token: u2.token, body: { commandId: 'd' } });
  await service.registry.drain();
  return { db: service.database.db, u1: u1.userId, open: open.id, sold: sold.id };
}

async function appendRaw(db: Db, streamId: string, version: number, type: string, data: unknown): Promise<void> {
  await sql`INSERT INTO events (stream_id, stream_version, event_id, type, data, occurred_at)
    VALUES (${streamId}, ${version}, ${newId()}::uuid, ${type}, ${JSON.stringify(data)}::jsonb, now())`.execute(db);
}

async function failing(db: Db): Promise<string[]> {
  return (await verify(db)).checks.filter((c) => !c.ok).map((c) => c.name);
}

const cases: Array<[string, string, (h: History) => Promise<void>]> = [
  [
    'a balance changed behind the log',
    '8. stored balances equal the replayed ones',
    async ({ db, u1 }) => {
      await sql`UPDATE wallets SET available = available + 5 WHERE user_id = ${u1}`.execute(db);
    },
  ],
  [
    'a hold that matches no lead',
    '3. held equals the maximums a user leads',
    async ({ db, u1 }) => {
      await sql`UPDATE wallets SET held = held + 5, available = available - 5 WHERE user_id = ${u1}`.execute(db);
    },
  ],
  [
    'money from nowhere',
    '2. money is conserved',
    async ({ db, u1 }) => {
      await sql`UPDATE wallets SET available = available + 1 WHERE user_id = ${u1}`.execute(db);
    },
  ],
  [
    'a snapshot that disagrees with its stream',
    '8. stored auction states equal the replayed ones',
    async ({ db, open }) => {
      await sql`UPDATE streams SET snapshot = jsonb_set(snapshot, '{currentPrice}', '1') WHERE stream_id = ${`auction-${open}`}`.execute(
        db,
      );
    },
  ],
  [
    'a gap in an auction stream',
    '5. seq runs 1, 2, 3 without gaps',
    async ({ db, open }) => {
      await appendRaw(db, `auction-${open}`, 9, 'AuctionOpened', {});
    },
  ],
  [
    'a price that went down',
    '5. the price never goes down',
    async ({ db, open, u1 }) => {
      const data = { bidderId: u1, maxAmount: 2_000, commandId: 'x', currentPrice: 50, leaderId: u1, reserveMet: true };
      await appendRaw(db, `auction-${open}`, 5, 'BidPlaced', data);
    },
  ],
  [
    'a bid after the close',
    '6. no bid at or after the end in force',
    async ({ db, sold, u1 }) => {
      const data = {
        bidderId: u1,
        maxAmount: 9_000,
        commandId: 'y',
        currentPrice: 5_000,
        leaderId: u1,
        reserveMet: true,
      };
      await appendRaw(db, `auction-${sold}`, 5, 'BidPlaced', data);
    },
  ],
  [
    'an accepted bid whose answer was lost',
    '7. one effect per command id',
    async ({ db, u1 }) => {
      await sql`DELETE FROM commands WHERE user_id = ${u1} AND command_id = 'a'`.execute(db);
    },
  ],
  [
    'a seller paid twice',
    '4. a sale pays the seller the final price',
    async ({ db, sold }) => {
      const { rows } = await sql<{ stream_id: string; v: number; data: Record<string, unknown> }>`
        SELECT stream_id, stream_version AS v, data FROM events
        WHERE type = 'WalletCredited' AND data->>'reason' = 'payout' AND data->>'auctionId' = ${sold}`.execute(db);
      const payout = rows[0]!;
      const last = await sql<{
        v: number;
      }>`SELECT max(stream_version) AS v FROM events WHERE stream_id = ${payout.stream_id}`.execute(db);
      await appendRaw(db, payout.stream_id, last.rows[0]!.v + 1, 'WalletCredited', payout.data);
    },
  ],
];

for (const [what, check, tamper] of cases) {
  t.test(what, async (t) => {
    const h = await history(t);
    t.same(await failing(h.db), [], 'the untouched history verifies clean');
    await tamper(h);
    t.ok((await failing(h.db)).includes(check), `"${check}" fails`);
  });
}
