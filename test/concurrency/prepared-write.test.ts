/**
 * The group commit's write statement is prepared once per connection. A session that loses it (DISCARD ALL, a
 * pooler in between) must cost nothing but a second try: the bid is still decided, written once and acked.
 */
import { sql } from 'kysely';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/service.js';
import { type Api, fundedUser, injectApi, openAuction, registerUser } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/database.js';

t.test('a connection that lost the prepared write statement prepares it again', async (t) => {
  // One connection (below what the settings allow), so the committer's next transaction surely uses the
  // session whose statement is dropped below.
  const config = loadConfig({ DATABASE_URL: await createTestDatabase(t, 'prepared'), LOG_LEVEL: 'silent' });
  const service = await startService({
    config: { ...config, DB_POOL_SIZE: 1 },
    log: createLogger('silent'),
    listen: false,
    processMetrics: false,
  });
  t.teardown(() => service.stop());
  const api: Api = injectApi(service);
  const seller = await registerUser(api, 'seller');
  const [u1, u2] = await Promise.all([fundedUser(api, 10_000, 'u1'), fundedUser(api, 10_000, 'u2')]);
  const auction = await openAuction(api, seller, { startingPrice: 100, minIncrement: 10 });
  const bid = (user: typeof u1, maxAmount: number, commandId: string) =>
    api('POST', `/v1/auctions/${auction.id}/bids`, { token: user.token, body: { maxAmount, commandId } });

  const first = await bid(u1, 500, 'p1');
  t.equal(first.status, 201, 'the first bid prepares the statement and lands');

  const client = await service.database.pool.connect();
  try {
    t.same((await client.query('SELECT name FROM pg_prepared_statements')).rows, [{ name: 'write_batch' }]);
    await client.query('DEALLOCATE ALL');
  } finally {
    client.release();
  }

  const second = await bid(u2, 800, 'p2');
  t.equal(second.status, 201, 'the bid after the statements were dropped is accepted, not refused');
  t.same(second.body, { leading: true, currentPrice: 510, leaderId: u2.userId, seq: 4 });

  const placed = await sql<{ n: string }>`
    SELECT count(*) AS n FROM events WHERE stream_id = ${`auction-${auction.id}`} AND type = 'BidPlaced'`.execute(
    service.database.db,
  );
  t.equal(Number(placed.rows[0]?.n), 2, 'each bid is in the log once');
  const wallet = await api('GET', '/v1/wallet', { token: u2.token });
  t.same(wallet.body, { available: 9_200, held: 800 }, 'the hold is taken once');
});
