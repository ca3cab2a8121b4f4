/**
 * NATS stops in the middle of a bid storm: bids keep committing (the log is PostgreSQL), /ready reports the
 * bus down, and when NATS returns the relay catches up and every room and projection converges, with each
 * socket seeing every event once, in order.
 */
import t from 'tap';
import { readModelChecks } from '../../projections/verify-read-models.js';
import { verify } from '../../src/ops/verify.js';
import { type Api, type TestUser, eventually, fundedUser, httpApi, openAuction, registerUser } from '../helpers/api.js';
import { privateNatsServer } from '../helpers/nats.js';
import { startTestService } from '../helpers/service.js';
import { TestSocket } from '../helpers/socket.js';

t.test('bids keep committing while NATS is down, and everything converges when it returns', async (t) => {
  const nats = await privateNatsServer(t);
  const service = await startTestService(t, { listen: true, env: { NATS_URL: nats.url, NATS_NAMESPACE: 'outage' } });
  const api: Api = httpApi(service.url);
  await eventually(async () => ((await api('GET', '/ready')).status === 200 ? true : undefined), 'ready with NATS');
  const seller = await registerUser(api, 'seller');
  const bidders: TestUser[] = [];
  for (let i = 0; i < 5; i += 1) bidders.push(await fundedUser(api, 100_000_000, `b${i}`));
  const lot = await openAuction(api, seller, {
    startingPrice: 100,
    minIncrement: 1,
    softClose: { windowSeconds: 0, extensionSeconds: 1 },
  });

  const watcher = await TestSocket.open(service.url);
  t.teardown(() => watcher.close());
  watcher.send({ type: 'subscribe', auctionId: lot.id });
  await watcher.next((f) => f.type === 'snapshot', 'snapshot');

  let n = 0;
  const storm = async (count: number) => {
    const statuses: number[] = [];
    await Promise.all(
      bidders.map(async (user) => {
        for (let i = 0; i < count; i += 1) {
          n += 1;
          const res = await api('POST', `/v1/auctions/${lot.id}/bids`, {
            token: user.token,
            body: { maxAmount: 1_000 + n * 10, commandId: `o${n}` },
          });
          statuses.push(res.status);
        }
      }),
    );
    return statuses;
  };

  const before = await storm(10);
  t.ok(
    before.every((s) => s === 201),
    'bids accepted with NATS up',
  );
  await nats.stop();
  await eventually(
    async () => ((await api('GET', '/ready')).status === 503 ? true : undefined),
    '/ready to report the bus down',
  );
  t.match((await api('GET', '/ready')).body, { ready: false, checks: { bus: false, database: true } });
  const during = await storm(40);
  t.ok(
    during.every((s) => s === 201),
    `all ${during.length} bids committed while NATS was down`,
  );
  const head = (await api('GET', `/v1/auctions/${lot.id}`)).body.version as number;

  await nats.start();
  await eventually(async () => ((await api('GET', '/ready')).status === 200 ? true : undefined), 'ready again', 30_000);
  const after = await storm(5);
  t.ok(after.every((s) => s === 201));
  const last = (await api('GET', `/v1/auctions/${lot.id}`)).body.version as number;
  t.ok(last > head);

  await watcher.untilSeq(lot.id, last, 30_000);
  t.same(
    watcher.events(lot.id).map((f) => f.seq),
    Array.from({ length: last - 2 }, (_, i) => i + 3),
    'the socket saw every event once, in order, across the outage',
  );
  await service.projections.settle(30_000);
  const checks = await service.database.db.transaction().execute((trx) => readModelChecks(trx));
  for (const check of checks) t.ok(check.ok, `${check.name}: ${check.detail}`);
  let history = 0;
  let cursor: string | null = null;
  do {
    const page: { body: { items: unknown[]; nextCursor: string | null } } = await api(
      'GET',
      `/v1/auctions/${lot.id}/bids?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    history += page.body.items.length;
    cursor = page.body.nextCursor;
  } while (cursor);
  t.equal(history, bidders.length * 55, 'the bid history has every bid');
  t.equal((await api('GET', `/v1/auctions/${lot.id}`)).body.bidCount, bidders.length * 55);
  const report = await verify(service.database.db);
  for (const check of report.checks) t.ok(check.ok, `${check.name}: ${check.detail}`);
});
