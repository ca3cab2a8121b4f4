/**
 * Restart: the service stops with auctions that end (or start and end) while it is down. When it comes back,
 * those auctions close at once, settle their money exactly once, and record the instant they ended; auctions
 * not yet due stay open. Two instances coming back together still close each auction once.
 */
import { sql } from 'kysely';
import t from 'tap';
import { verify } from '../../src/ops/verify.js';
import { type Api, eventually, fundedUser, injectApi, openAuction, registerUser } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/database.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { startTestService } from '../helpers/service.js';

const SECOND = 1000;

t.test('auctions due while the service was down close once on start', async (t) => {
  const databaseUrl = await createTestDatabase(t, 'restart');
  const t0 = Date.now();
  const clock = new ManualClock(t0);
  const first = await startTestService(t, { databaseUrl, clock, manualStop: true });
  const api: Api = injectApi(first);
  const seller = await registerUser(api, 'seller');
  const u1 = await fundedUser(api, 50_000, 'u1');
  const u2 = await fundedUser(api, 50_000, 'u2');
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const noSoftClose = { windowSeconds: 0, extensionSeconds: 1 };
  const sold = await openAuction(api, seller, {
    title: 'sold',
    startingPrice: 500,
    minIncrement: 10,
    endsAt: at(10 * SECOND),
    softClose: noSoftClose,
  });
  const empty = await openAuction(api, seller, { title: 'no bids', endsAt: at(10 * SECOND) });
  const reserve = await openAuction(api, seller, {
    title: 'reserve unmet',
    reservePrice: 9_000,
    endsAt: at(10 * SECOND),
    softClose: noSoftClose,
  });
  const later = await openAuction(api, seller, { title: 'not due', endsAt: at(3_600 * SECOND) });
  const whole = await openAuction(api, seller, {
    title: 'starts and ends while down',
    startsAt: at(5 * SECOND),
    endsAt: at(15 * SECOND),
  });
  const bid = (user: typeof u1, id: string, maxAmount: number) =>
    api('POST', `/v1/auctions/${id}/bids`, { token: user.token, body: { maxAmount, commandId: `${id}-${maxAmount}` } });
  t.equal((await bid(u1, sold.id, 3_000)).status, 201);
  t.equal((await bid(u2, sold.id, 2_000)).status, 201);
  t.equal((await bid(u2, reserve.id, 4_000)).status, 201);
  t.equal((await bid(u1, later.id, 700)).status, 201);
  t.equal(whole.status, 'scheduled');
  await first.stop();

  // Twenty seconds later, two instances start together over the same database.
  clock.set(t0 + 20 * SECOND);
  const [a, b] = await Promise.all([
    startTestService(t, { databaseUrl, clock }),
    startTestService(t, { databaseUrl, clock }),
  ]);
  const db = a.database.db;
  const closes = async (auctionId: string) =>
    (
      await sql<{ n: number }>`SELECT count(*)::bigint AS n FROM events
        WHERE stream_id = ${`auction-${auctionId}`} AND type = 'AuctionClosed'`.execute(db)
    ).rows[0]?.n ?? 0;
  for (const auction of [sold, empty, reserve, whole]) {
    await eventually(async () => ((await closes(auction.id)) > 0 ? true : undefined), `${auction.title} to close`);
  }
  // Both instances have answered every timer they had by now.
  await Promise.all([a.registry.drain(), b.registry.drain()]);

  for (const auction of [sold, empty, reserve, whole])
    t.equal(await closes(auction.id), 1, `${auction.title} closed exactly once`);
  t.equal(await closes(later.id), 0, 'the auction not yet due is still open');

  const view = async (id: string) => (await injectApi(a)('GET', `/v1/auctions/${id}`)).body;
  t.match(
    await view(sold.id),
    { status: 'closed', winnerId: u1.userId, finalPrice: 2_010, closedAt: at(10 * SECOND) },
    'closed at its end, not at the restart',
  );
  t.match(await view(empty.id), { status: 'closed', winnerId: null, finalPrice: null });
  t.match(await view(reserve.id), { status: 'closed', winnerId: null, reserveMet: false });
  t.match(await view(whole.id), { status: 'closed', winnerId: null, closedAt: at(15 * SECOND) });
  t.same((await injectApi(a)('GET', '/v1/wallet', { token: u1.token })).body, {
    available: 50_000 - 2_010 - 700,
    held: 700,
  });
  t.same((await injectApi(a)('GET', '/v1/wallet', { token: u2.token })).body, { available: 50_000, held: 0 });
  t.same((await injectApi(a)('GET', '/v1/wallet', { token: seller.token })).body, { available: 2_010, held: 0 });

  await a.stop();
  await b.stop();
  const third = await startTestService(t, { databaseUrl, clock });
  t.equal(third.scheduler.size, 1, 'a third start has only the open auction left to wake');
  t.equal(third.scheduler.dueAt(later.id), t0 + 3_600 * SECOND);
  const report = await verify(third.database.db);
  for (const check of report.checks) t.ok(check.ok, `${check.name}: ${check.detail}`);
});
