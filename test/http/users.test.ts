import t from 'tap';
import { type Api, fundedUser, injectApi, nextCommandId, openAuction, registerUser } from '../helpers/api.js';
import { writeSideFingerprint } from '../helpers/fingerprint.js';
import { startTestService } from '../helpers/service.js';

t.test('user routes', async (t) => {
  const service = await startTestService(t);
  const api: Api = injectApi(service);

  t.test('registration returns an id and a long random token, stored only as a hash', async (t) => {
    const res = await api('POST', '/v1/users', { body: { displayName: 'Ada' } });
    t.equal(res.status, 201);
    t.match(res.body, { userId: /^[0-9a-f-]{36}$/, token: /^[A-Za-z0-9_-]{43}$/ });
    const stored = await service.database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', res.body.userId)
      .executeTakeFirstOrThrow();
    t.notMatch(JSON.stringify(stored), res.body.token, 'the token itself is not stored');
    t.equal(stored.token_hash.length, 32);
    const me = await api('GET', '/v1/me', { token: res.body.token });
    t.same(me.body, { userId: res.body.userId, displayName: 'Ada' });
  });

  t.test('registration validates its body and changes nothing when refused', async (t) => {
    const before = await writeSideFingerprint(service.database.db);
    for (const body of [
      {},
      { displayName: '' },
      { displayName: 42 },
      { displayName: 'x'.repeat(81) },
      { displayName: 'a', admin: true },
      { displayName: 'nul\u0000byte' },
    ]) {
      const res = await api('POST', '/v1/users', { body });
      t.equal(res.status, 400, JSON.stringify(body));
      t.equal(res.body.error.code, 'invalid_request');
    }
    t.equal(await writeSideFingerprint(service.database.db), before);
  });

  t.test('/v1/me needs a valid bearer token', async (t) => {
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Basic abc' },
      { authorization: 'Bearer wrong-token-but-well-formed' },
    ];
    for (const headers of cases) {
      const res = await api('GET', '/v1/me', { headers });
      t.equal(res.status, 401, JSON.stringify(headers));
      t.equal(res.body.error.code, 'unauthorized');
    }
  });

  t.test('/v1/me/bids lists my auctions with leading, outbid, won and lost', async (t) => {
    const seller = await registerUser(api, 'seller');
    const ann = await fundedUser(api, 100_000, 'ann');
    const bob = await fundedUser(api, 100_000, 'bob');
    const leading = await openAuction(api, seller, { title: 'Leading' });
    const outbid = await openAuction(api, seller, { title: 'Outbid' });
    const won = await openAuction(api, seller, { title: 'Won', buyNowPrice: 5_000 });
    const lost = await openAuction(api, seller, { title: 'Lost', buyNowPrice: 5_000 });
    const bid = (u: typeof ann, id: string, maxAmount: number) =>
      api('POST', `/v1/auctions/${id}/bids`, { token: u.token, body: { maxAmount, commandId: nextCommandId() } });
    await bid(ann, leading.id, 1_000);
    await bid(ann, outbid.id, 1_000);
    await bid(bob, outbid.id, 2_000);
    await bid(ann, won.id, 1_000);
    await api('POST', `/v1/auctions/${won.id}/buy-now`, { token: ann.token, body: { commandId: nextCommandId() } });
    await bid(ann, lost.id, 1_000);
    await api('POST', `/v1/auctions/${lost.id}/buy-now`, { token: bob.token, body: { commandId: nextCommandId() } });
    await service.projections.settle();

    const res = await api('GET', '/v1/me/bids', { token: ann.token });
    t.equal(res.status, 200);
    const states = Object.fromEntries(res.body.items.map((i: { title: string; state: string }) => [i.title, i.state]));
    t.same(states, { Leading: 'leading', Outbid: 'outbid', Won: 'won', Lost: 'lost' });
    t.match(
      res.body.items.find((i: { title: string }) => i.title === 'Outbid'),
      { myMaxAmount: 1_000, bidCount: 1, currentPrice: 1_050 },
    );
    t.same((await api('GET', '/v1/me/bids', { token: seller.token })).body.items, [], 'only auctions I bid on');
    const page = await api('GET', '/v1/me/bids?limit=3', { token: ann.token });
    const rest = await api('GET', `/v1/me/bids?limit=3&cursor=${page.body.nextCursor}`, { token: ann.token });
    t.same([...page.body.items, ...rest.body.items], res.body.items);
    t.equal((await api('GET', '/v1/me/bids')).status, 401);
  });
});

t.test('edges of the protocol', async (t) => {
  const service = await startTestService(t);
  const api: Api = injectApi(service);
  const user = await fundedUser(api, 1_000);

  t.test('unknown routes and methods are 404 not_found', async (t) => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/v1/auction'],
      ['DELETE', '/v1/wallet'],
      ['PUT', '/v1/auctions'],
    ]) {
      const res = await api(method!, path!);
      t.equal(res.status, 404, `${method} ${path}`);
      t.equal(res.body.error.code, 'not_found');
    }
  });

  t.test('malformed URLs, bodies and content types are 4xx, never 5xx', async (t) => {
    const badUrl = await api('GET', '/v1/auctions/%E0%A4%A');
    t.equal(badUrl.status, 400);
    t.equal(badUrl.body.error.code, 'invalid_request');
    const longParam = await api('GET', `/v1/auctions/${'a'.repeat(500)}`);
    t.ok(longParam.status >= 400 && longParam.status < 500, `a huge path parameter: ${longParam.status}`);
    t.equal(longParam.body.error.code, longParam.status === 404 ? 'not_found' : 'invalid_request');
    const notJson = await api('POST', '/v1/wallet/deposits', { token: user.token, raw: 'amount=5' });
    t.equal(notJson.status, 400);
    const textPlain = await api('POST', '/v1/wallet/deposits', {
      token: user.token,
      raw: '{"amount":5}',
      headers: { 'content-type': 'text/plain' },
    });
    t.equal(textPlain.status, 415);
    t.equal(textPlain.body.error.code, 'invalid_request');
    const empty = await api('POST', '/v1/wallet/deposits', { token: user.token, raw: '' });
    t.equal(empty.status, 400);
    const proto = await api('POST', '/v1/wallet/deposits', { token: user.token, raw: '{"__proto__": {"amount": 5}}' });
    t.equal(proto.status, 400);
  });

  t.test('a body over 1 MB is 413 and changes nothing', async (t) => {
    const before = await writeSideFingerprint(service.database.db);
    const res = await api('POST', '/v1/users', { raw: JSON.stringify({ displayName: 'x'.repeat(1_100_000) }) });
    t.equal(res.status, 413);
    t.equal(res.body.error.code, 'invalid_request');
    t.equal(await writeSideFingerprint(service.database.db), before);
  });

  t.test('probes, metrics and the OpenAPI page', async (t) => {
    t.same((await api('GET', '/health')).body, { status: 'ok' });
    const ready = await api('GET', '/ready');
    t.equal(ready.status, 200);
    t.match(ready.body, { ready: true, checks: { database: true, migrations: true } });
    const metrics = await api('GET', '/metrics');
    t.equal(metrics.status, 200);
    for (const name of [
      'auction_commands_total',
      'auction_commit_batch_commands',
      'auction_commit_seconds',
      'auction_mailbox_depth',
      'http_request_seconds',
      'auction_follower_lag_events{follower="relay"}',
      'auction_follower_lag_seconds{follower="relay"}',
      'auction_follower_lag_events{follower="projection:auction-summaries"}',
      'auction_websocket_connections',
    ]) {
      t.match(metrics.body, name, name);
    }
    const docs = await api('GET', '/docs/json');
    t.equal(docs.status, 200);
    t.ok(docs.body.paths['/v1/auctions/{id}/bids'], 'the OpenAPI document lists the routes');
    const page = await api('GET', '/docs');
    t.ok([200, 302].includes(page.status), `the docs page answers (${page.status})`);
  });

  t.test('a request id is echoed from X-Request-Id', async (t) => {
    const res = await service.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-123' } });
    t.equal(res.headers['x-request-id'], 'trace-123');
    const generated = await service.app.inject({ method: 'GET', url: '/health' });
    t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'one is generated otherwise');
  });
});
