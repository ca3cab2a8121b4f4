import t from 'tap';
import { type Api, fundedUser, injectApi, registerUser } from '../helpers/api.js';
import { writeSideFingerprint } from '../helpers/fingerprint.js';
import { startTestService } from '../helpers/service.js';

t.test('wallet routes', async (t) => {
  const service = await startTestService(t);
  const api: Api = injectApi(service);
  const db = service.database.db;

  t.test('a new wallet is empty and deposits add to available', async (t) => {
    const u = await registerUser(api);
    t.same((await api('GET', '/v1/wallet', { token: u.token })).body, { available: 0, held: 0 });
    const res = await api('POST', '/v1/wallet/deposits', { token: u.token, body: { amount: 2_500 } });
    t.equal(res.status, 201);
    t.same(res.body, { available: 2_500, held: 0 });
    t.same((await api('GET', '/v1/wallet', { token: u.token })).body, { available: 2_500, held: 0 });
  });

  t.test('an Idempotency-Key makes a retried deposit a no-op with the same answer', async (t) => {
    const u = await registerUser(api);
    const send = () =>
      api('POST', '/v1/wallet/deposits', {
        token: u.token,
        body: { amount: 700 },
        headers: { 'idempotency-key': 'dep-1' },
      });
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    t.same([a.status, b.status, c.status], [201, 201, 201]);
    t.same(a.body, { available: 700, held: 0 });
    t.same(b.body, a.body);
    t.same(c.body, a.body);
    t.same((await api('GET', '/v1/wallet', { token: u.token })).body, { available: 700, held: 0 }, 'credited once');
    // A later deposit with its own key still counts, and replaying the first key still gives the first answer.
    await api('POST', '/v1/wallet/deposits', {
      token: u.token,
      body: { amount: 1 },
      headers: { 'idempotency-key': 'dep-2' },
    });
    t.same((await send()).body, { available: 700, held: 0 });
    t.same((await api('GET', '/v1/wallet', { token: u.token })).body, { available: 701, held: 0 });
  });

  t.test('a key is scoped to its user, and reusing it for another request is refused', async (t) => {
    const u1 = await registerUser(api);
    const u2 = await registerUser(api);
    const key = { 'idempotency-key': 'shared' };
    t.equal(
      (await api('POST', '/v1/wallet/deposits', { token: u1.token, body: { amount: 10 }, headers: key })).status,
      201,
    );
    t.equal(
      (await api('POST', '/v1/wallet/deposits', { token: u2.token, body: { amount: 20 }, headers: key })).status,
      201,
    );
    t.same((await api('GET', '/v1/wallet', { token: u2.token })).body, { available: 20, held: 0 });
    const before = await writeSideFingerprint(db);
    const reused = await api('POST', '/v1/wallet/deposits', { token: u1.token, body: { amount: 99 }, headers: key });
    t.equal(reused.status, 400);
    t.equal(reused.body.error.code, 'invalid_request');
    t.equal(await writeSideFingerprint(db), before, 'nothing changed');
  });

  t.test('withdrawals take from available and refuse more than it holds', async (t) => {
    const u = await fundedUser(api, 1_000);
    const ok = await api('POST', '/v1/wallet/withdrawals', { token: u.token, body: { amount: 400 } });
    t.equal(ok.status, 201);
    t.same(ok.body, { available: 600, held: 0 });
    const before = await writeSideFingerprint(db);
    const refused = await api('POST', '/v1/wallet/withdrawals', { token: u.token, body: { amount: 601 } });
    t.equal(refused.status, 409);
    t.equal(refused.body.error.code, 'insufficient_funds');
    t.equal(await writeSideFingerprint(db), before, 'nothing changed');
  });

  t.test('bad amounts are refused with 400 invalid_request and change nothing', async (t) => {
    const u = await fundedUser(api, 1_000);
    const before = await writeSideFingerprint(db);
    const bodies: unknown[] = [
      { amount: 1.5 },
      { amount: -5 },
      { amount: 0 },
      { amount: '100' },
      { amount: 2 ** 53 },
      { amount: null },
      {},
      { amount: 10, extra: true },
      [],
    ];
    for (const path of ['/v1/wallet/deposits', '/v1/wallet/withdrawals']) {
      for (const body of bodies) {
        const res = await api('POST', path, { token: u.token, body });
        t.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
        t.equal(res.body?.error?.code, 'invalid_request');
      }
      // 2^53 + 1 cannot even be written as a JavaScript number: JSON.parse would round it to 2^53.
      const huge = await api('POST', path, { token: u.token, raw: '{"amount": 9007199254740993}' });
      t.equal(huge.status, 400, 'an amount over 2^53 written out in JSON');
      const raw = await api('POST', path, { token: u.token, raw: '{"amount": 12' });
      t.equal(raw.status, 400, 'malformed JSON');
      t.equal(raw.body.error.code, 'invalid_request');
    }
    t.equal(await writeSideFingerprint(db), before, 'nothing changed');
  });

  t.test('a deposit that would pass the largest exact balance is refused', async (t) => {
    const u = await fundedUser(api, Number.MAX_SAFE_INTEGER - 10);
    const res = await api('POST', '/v1/wallet/deposits', { token: u.token, body: { amount: 11 } });
    t.equal(res.status, 400);
    t.equal(res.body.error.code, 'invalid_request');
    t.same((await api('GET', '/v1/wallet', { token: u.token })).body, {
      available: Number.MAX_SAFE_INTEGER - 10,
      held: 0,
    });
  });

  t.test('every wallet route needs a valid token', async (t) => {
    for (const [method, path] of [
      ['GET', '/v1/wallet'],
      ['POST', '/v1/wallet/deposits'],
      ['POST', '/v1/wallet/withdrawals'],
      ['GET', '/v1/wallet/ledger'],
    ] as const) {
      for (const token of [undefined, 'not-a-real-token-000000000000']) {
        const res = await api(method, path, {
          ...(token === undefined ? {} : { token }),
          ...(method === 'POST' ? { body: { amount: 1 } } : {}),
        });
        t.equal(res.status, 401, `${method} ${path} with ${token === undefined ? 'no' : 'a bad'} token`);
        t.equal(res.body.error.code, 'unauthorized');
      }
    }
  });

  t.test('the ledger lists every wallet event newest first with the balances after it, in pages', async (t) => {
    const u = await fundedUser(api, 1_000);
    await api('POST', '/v1/wallet/withdrawals', { token: u.token, body: { amount: 300 } });
    await api('POST', '/v1/wallet/deposits', { token: u.token, body: { amount: 50 } });
    await service.projections.settle();
    const all = await api('GET', '/v1/wallet/ledger', { token: u.token });
    t.equal(all.status, 200);
    t.match(all.body.entries, [
      { type: 'WalletCredited', reason: 'deposit', amount: 50, available: 750, held: 0 },
      { type: 'WalletDebited', reason: 'withdrawal', amount: 300, available: 700, held: 0 },
      { type: 'WalletCredited', reason: 'deposit', amount: 1_000, available: 1_000, held: 0 },
    ]);
    t.equal(all.body.entries.length, 3);
    t.equal(all.body.nextCursor, null);
    const first = await api('GET', '/v1/wallet/ledger?limit=2', { token: u.token });
    t.equal(first.body.entries.length, 2);
    t.type(first.body.nextCursor, 'string');
    const second = await api('GET', `/v1/wallet/ledger?limit=2&cursor=${first.body.nextCursor}`, { token: u.token });
    t.same(second.body.entries, all.body.entries.slice(2));
    t.equal(second.body.nextCursor, null);
    const bad = await api('GET', '/v1/wallet/ledger?cursor=bm90LWEtY3Vyc29y', { token: u.token });
    t.equal(bad.status, 400);
    t.equal(bad.body.error.code, 'invalid_request');
    const other = await registerUser(api);
    t.same((await api('GET', '/v1/wallet/ledger', { token: other.token })).body.entries, [], 'only your own wallet');
  });
});
