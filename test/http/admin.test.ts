import t from 'tap';
import { type Api, fundedUser, injectApi, nextCommandId, openAuction, registerUser } from '../helpers/api.js';
import { startTestService } from '../helpers/service.js';

const TOKEN = 'an-operator-token-long-enough-123';

t.test('admin routes', async (t) => {
  const service = await startTestService(t, { env: { OPERATOR_TOKEN: TOKEN } });
  const api: Api = injectApi(service);
  const operator = { authorization: `Bearer ${TOKEN}` };
  const seller = await registerUser(api, 'seller');
  const bidder = await fundedUser(api, 10_000);
  const lot = await openAuction(api, seller);
  await api('POST', `/v1/auctions/${lot.id}/bids`, {
    token: bidder.token,
    body: { maxAmount: 500, commandId: nextCommandId() },
  });
  await service.projections.settle();

  t.test('need the operator token: a user token or none is refused', async (t) => {
    const refused: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${bidder.token}` },
      { authorization: 'Bearer wrong-operator-token-000000' },
    ];
    for (const headers of refused) {
      for (const [method, path] of [
        ['GET', '/v1/admin/projections'],
        ['POST', '/v1/admin/projections/bid-history/rebuild'],
        ['GET', '/v1/admin/verify'],
      ] as const) {
        const res = await api(method, path, { headers });
        t.equal(res.status, 401, `${method} ${path}`);
        t.equal(res.body.error.code, 'unauthorized');
      }
    }
  });

  t.test('projections: list, rebuild beside the live version, swap', async (t) => {
    const listed = await api('GET', '/v1/admin/projections', { headers: operator });
    t.equal(listed.status, 200);
    t.same(
      listed.body.items.map((p: { name: string; version: number; status: string; lagEvents: number }) => [
        p.name,
        p.version,
        p.status,
        p.lagEvents,
      ]),
      [
        ['auction-summaries', 1, 'live', 0],
        ['bid-history', 1, 'live', 0],
        ['user-bids', 1, 'live', 0],
        ['wallet-ledger', 1, 'live', 0],
      ],
    );
    t.equal((await api('POST', '/v1/admin/projections/nonsense/rebuild', { headers: operator })).status, 404);
    const started = await api('POST', '/v1/admin/projections/bid-history/rebuild', { headers: operator });
    t.equal(started.status, 202);
    t.same(started.body, { name: 'bid-history', version: 2, status: 'rebuilding' });
    const deadline = Date.now() + 10_000;
    let items: Array<{ name: string; version: number; status: string }>;
    do {
      items = (await api('GET', '/v1/admin/projections', { headers: operator })).body.items;
      if (items.some((p) => p.name === 'bid-history' && p.version === 2 && p.status === 'live')) break;
      await new Promise((r) => setTimeout(r, 20));
    } while (Date.now() < deadline);
    t.same(
      items.filter((p) => p.name === 'bid-history').map((p) => [p.version, p.status]),
      [[2, 'live']],
      'version 2 is live, version 1 retired',
    );
    const bids = await api('GET', `/v1/auctions/${lot.id}/bids`);
    t.equal(bids.body.items.length, 1, 'the rebuilt history serves the same bid');
  });

  t.test('verify: every invariant, read models included', async (t) => {
    const res = await api('GET', '/v1/admin/verify', { headers: operator });
    t.equal(res.status, 200);
    t.equal(res.body.ok, true);
    t.ok(res.body.checks.length >= 15);
    t.ok(res.body.checks.every((c: { ok: boolean }) => c.ok));
  });
});

t.test('without OPERATOR_TOKEN the admin routes are closed', async (t) => {
  const service = await startTestService(t);
  const res = await injectApi(service)('GET', '/v1/admin/projections', {
    headers: { authorization: 'Bearer anything-at-all-here' },
  });
  t.equal(res.status, 401);
  t.match(res.body.error.message, /OPERATOR_TOKEN/);
});
