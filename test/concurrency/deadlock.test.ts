/**
 * The seed system's deadlock: U1 leads X and U2 leads Y; U2 bids on X while U1 bids on Y. Each bid releases the
 * other user's hold, so both transactions lock both wallets; locking the previous leader and then the bidder
 * takes them in opposite orders and deadlocks. Here X and Y are even served by two service instances with
 * their own connection pools (two processes, as far as PostgreSQL can tell), each committing two transactions
 * at a time.
 */
import { sql } from 'kysely';
import t from 'tap';
import { verify } from '../../src/ops/verify.js';
import { type Api, type TestUser, fundedUser, injectApi, openAuction, registerUser } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/database.js';
import { startTestService } from '../helpers/service.js';

const ROUNDS = 200;

t.test('crossed bids on two auctions never deadlock', async (t) => {
  const databaseUrl = await createTestDatabase(t, 'deadlock');
  const env = { COMMIT_CONCURRENCY: '2' };
  const a = await startTestService(t, { databaseUrl, env });
  const b = await startTestService(t, { databaseUrl, env });
  const viaA: Api = injectApi(a);
  const viaB: Api = injectApi(b);
  const db = a.database.db;
  const deadlocks = async () =>
    (
      await sql<{
        n: number;
      }>`SELECT deadlocks::bigint AS n FROM pg_stat_database WHERE datname = current_database()`.execute(db)
    ).rows[0]?.n ?? 0;
  const deadlocksBefore = await deadlocks();

  const seller = await registerUser(viaA, 'seller');
  const u1 = await fundedUser(viaA, 1_000_000_000, 'u1');
  const u2 = await fundedUser(viaA, 1_000_000_000, 'u2');
  const auction = { startingPrice: 100, minIncrement: 1, softClose: { windowSeconds: 0, extensionSeconds: 1 } };
  const x = await openAuction(viaA, seller, { title: 'X', ...auction });
  const y = await openAuction(viaA, seller, { title: 'Y', ...auction });
  // X is always reached through instance A and Y through instance B.
  const bid = (user: TestUser, on: 'X' | 'Y', maxAmount: number, commandId: string) =>
    (on === 'X' ? viaA : viaB)('POST', `/v1/auctions/${on === 'X' ? x.id : y.id}/bids`, {
      token: user.token,
      body: { maxAmount, commandId },
    });

  t.equal((await bid(u1, 'X', 100, 'start-x')).status, 201, 'U1 leads X');
  t.equal((await bid(u2, 'Y', 100, 'start-y')).status, 201, 'U2 leads Y');

  t.test('in lock step: every round, each bid outbids the other user on the other auction', async (t) => {
    const statuses: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const [onX, onY] = round % 2 === 1 ? [u2, u1] : [u1, u2];
      const max = 100 + round * 10;
      const answers = await Promise.all([bid(onX, 'X', max, `lx${round}`), bid(onY, 'Y', max, `ly${round}`)]);
      for (const res of answers) {
        statuses.push(res.status);
        if (res.status !== 201 || !res.body.leading)
          t.fail(`round ${round}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    t.equal(statuses.filter((s) => s === 201).length, 2 * ROUNDS, `all ${2 * ROUNDS} crossed bids were accepted`);
  });

  t.test('all at once: 400 crossed bids in flight together', async (t) => {
    const base = 100 + (ROUNDS + 1) * 10;
    const requests = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const [onX, onY] = round % 2 === 1 ? [u2, u1] : [u1, u2];
      requests.push(bid(onX, 'X', base + round * 10, `px${round}`), bid(onY, 'Y', base + round * 10, `py${round}`));
    }
    const answers = await Promise.all(requests);
    const unexpected = answers.filter((r) => r.status !== 201 && r.body?.error?.code !== 'bid_too_low');
    t.same(unexpected, [], 'only acceptances and business rejections');
    t.ok(answers.filter((r) => r.status === 201).length >= 2, 'bids went through');
  });

  t.test('afterwards', async (t) => {
    t.equal(await deadlocks(), deadlocksBefore, 'PostgreSQL detected no deadlock');
    const report = await verify(db);
    for (const check of report.checks) t.ok(check.ok, `${check.name}: ${check.detail}`);
  });
});
