/**
 * Fencing: two actors for the same auction, in two service instances (a second process during a rolling
 * deploy). Both hold the same state; when both append, the stream's expected-version fence lets exactly one
 * batch land, and the other reloads, decides again and answers what is true after the first.
 */
import { sql } from 'kysely';
import t from 'tap';
import { loadAuction } from '../../src/auctions/auction-store.js';
import { verify } from '../../src/ops/verify.js';
import type { RunningService } from '../../src/service.js';
import { type Api, fundedUser, injectApi, openAuction, registerUser } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/database.js';
import { startTestService } from '../helpers/service.js';

const conflicts = async (s: RunningService): Promise<number> =>
  (await s.metrics.fenceConflicts.get()).values[0]?.value ?? 0;

t.test('two actors for one auction', async (t) => {
  const databaseUrl = await createTestDatabase(t, 'fencing');
  const a = await startTestService(t, { databaseUrl });
  const b = await startTestService(t, { databaseUrl });
  const viaA: Api = injectApi(a);
  const viaB: Api = injectApi(b);
  const db = a.database.db;
  const seller = await registerUser(viaA, 'seller');
  const [u1, u2, u3, u4] = await Promise.all([1, 2, 3, 4].map((i) => fundedUser(viaA, 100_000, `u${i}`)));
  const auction = await openAuction(viaA, seller, {
    startingPrice: 100,
    minIncrement: 10,
    buyNowPrice: 50_000,
    softClose: { windowSeconds: 0, extensionSeconds: 1 },
  });
  const bid = (api: Api, user: typeof u1, maxAmount: number, commandId: string) =>
    api('POST', `/v1/auctions/${auction.id}/bids`, { token: user!.token, body: { maxAmount, commandId } });
  const seqs = async () =>
    (
      await sql<{
        v: number;
      }>`SELECT stream_version AS v FROM events WHERE stream_id = ${`auction-${auction.id}`} ORDER BY 1`.execute(db)
    ).rows.map((r) => r.v);

  t.test('a stale actor is refused, reloads, and answers against the new state', async (t) => {
    // Both instances load the auction at version 2.
    t.equal((await viaA('GET', `/v1/auctions/${auction.id}`)).body.version, 2);
    t.equal((await viaB('GET', `/v1/auctions/${auction.id}`)).body.version, 2);

    const first = await bid(viaA, u1, 1_000, 'f1');
    t.same(first.body, { leading: true, currentPrice: 100, leaderId: u1!.userId, seq: 3 });
    // B still believes nobody has bid: deciding alone, it would make u2 the leader at 100.
    const second = await bid(viaB, u2, 600, 'f2');
    t.equal(second.status, 201);
    t.same(
      second.body,
      { leading: false, currentPrice: 610, leaderId: u1!.userId, seq: 4 },
      'decided again after the reload',
    );
    t.equal(await conflicts(b), 1, 'B hit the fence once');
    t.equal(await conflicts(a), 0);
    t.same(await seqs(), [1, 2, 3, 4], 'one stream, no gap, no duplicate');
    t.same(
      (await viaA('GET', '/v1/wallet', { token: u2!.token })).body,
      { available: 100_000, held: 0 },
      'u2 holds nothing',
    );
  });

  t.test('both append at once: exactly one batch lands first, the other is decided again', async (t) => {
    // Drop both actors so both load the auction as it is now (A still holds version 3 from above).
    a.registry.passivateIdle(Number.MAX_SAFE_INTEGER);
    b.registry.passivateIdle(Number.MAX_SAFE_INTEGER);
    t.equal((await viaA('GET', `/v1/auctions/${auction.id}`)).body.version, 4);
    t.equal((await viaB('GET', `/v1/auctions/${auction.id}`)).body.version, 4);
    const before = (await conflicts(a)) + (await conflicts(b));
    const [r3, r4] = await Promise.all([bid(viaA, u3, 3_000, 'c3'), bid(viaB, u4, 2_000, 'c4')]);
    t.equal(r3.status, 201);
    t.equal(r4.status, 201);
    t.equal((await conflicts(a)) + (await conflicts(b)) - before, 1, 'exactly one of them was fenced off');
    // Read the stream itself: each instance's GET shows its own last committed view.
    const state = await loadAuction(db, auction.id);
    t.equal(state?.leaderId, u3!.userId, 'the higher maximum leads whatever the order');
    t.equal(state?.currentPrice, 2_010);
    t.same(await seqs(), [1, 2, 3, 4, 5, 6]);
  });

  t.test('a buy-now race between the two: one buyer, one auction_closed', async (t) => {
    const [x, y] = await Promise.all([
      viaA('POST', `/v1/auctions/${auction.id}/buy-now`, { token: u1!.token, body: { commandId: 'bx' } }),
      viaB('POST', `/v1/auctions/${auction.id}/buy-now`, { token: u2!.token, body: { commandId: 'by' } }),
    ]);
    t.same([x.status, y.status].sort(), [201, 409]);
    t.equal([x, y].find((r) => r.status === 409)?.body.error.code, 'auction_closed');
    const report = await verify(db);
    for (const check of report.checks) t.ok(check.ok, `${check.name}: ${check.detail}`);
  });
});
