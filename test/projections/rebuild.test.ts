/**
 * Rebuilding every read model while a 10,000-command storm goes on, over NATS and over the in-process bus:
 * the old versions keep serving, the new ones swap in, and afterwards every check of SPEC §8 passes, read
 * models included (each live table equals the log replayed into fresh ones).
 */
import { sql } from 'kysely';
import t from 'tap';
import { openDatabase } from '../../src/db/database.js';
import { verifyAll } from '../../src/ops/verify-all.js';
import { type Api, eventually, httpApi } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/database.js';
import { busEnv } from '../helpers/nats.js';
import { startServerProcess } from '../helpers/server-process.js';
import { runStormDriver, seedMarket } from '../helpers/storm.js';

const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';
const admin = { authorization: `Bearer ${OPERATOR_TOKEN}` };

interface ProjectionItem {
  name: string;
  version: number;
  status: string;
  lagEvents: number;
}

for (const kind of ['memory', 'nats'] as const) {
  t.test(`rebuild during a storm, ${kind} bus`, async (t) => {
    const databaseUrl = await createTestDatabase(t, `rebuild ${kind}`);
    const server = await startServerProcess(t, {
      DATABASE_URL: databaseUrl,
      OPERATOR_TOKEN,
      LOG_REQUESTS: 'false',
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
      ...(await busEnv(t, kind)),
    });
    const api: Api = httpApi(server.url);
    const database = openDatabase(databaseUrl, { max: 2 });
    t.teardown(() => database.close());
    const market = await seedMarket(api, { wallets: 100, auctions: 20, closing: 5, closingWithinMs: 6_000 });
    const projections = async () =>
      (await api('GET', '/v1/admin/projections', { headers: admin })).body.items as ProjectionItem[];
    const before = await projections();
    t.same(
      before.map((p) => [p.name, p.version, p.status]),
      [
        ['auction-summaries', 1, 'live'],
        ['bid-history', 1, 'live'],
        ['user-bids', 1, 'live'],
        ['wallet-ledger', 1, 'live'],
      ],
    );

    // Index definitions of one version's tables, with the version taken out so versions compare.
    const indexes = async (version: number) =>
      (
        await sql<{ definition: string }>`
          SELECT regexp_replace(indexdef, '_v[0-9]+', '_v?', 'g') AS definition FROM pg_indexes
          WHERE tablename ~ ${`_v${version}$`} ORDER BY 1`.execute(database.db)
      ).rows.map((r) => r.definition);
    const fresh = await indexes(1);
    t.ok(fresh.length >= 9, "version 1 carries its keys and the readers' indexes");

    const events = async () =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(database.db)).rows[0]?.n);
    const seeded = await events();
    const storm = runStormDriver({ url: server.url, seed: 4242, clients: 50, commands: 10_000, market });
    // Once the storm is well under way, rebuild everything beside the live versions.
    await eventually(
      async () => ((await events()) > seeded + 1_000 ? true : undefined),
      'the storm to be under way',
      30_000,
    );
    for (const p of before) {
      const res = await api('POST', `/v1/admin/projections/${p.name}/rebuild`, { headers: admin });
      t.equal(res.status, 202, `rebuild ${p.name} accepted`);
      t.match(res.body, { name: p.name, version: 2, status: 'rebuilding' });
    }
    const listed = await api('GET', '/v1/auctions?limit=5');
    t.equal(listed.status, 200, 'reads keep being served during the rebuild');
    const report = await storm;
    t.same(report.unexpected, [], 'the storm saw only successes and business rejections');
    t.comment(`10,000 commands in ${report.millis} ms`);

    await eventually(
      async () => {
        const now = await projections();
        return now.every((p) => p.version === 2 && p.status === 'live' && p.lagEvents === 0) && now.length === 4
          ? now
          : undefined;
      },
      'every projection to be rebuilt, live and caught up',
      60_000,
    );
    t.equal(await server.stop('SIGTERM'), 0);

    // A rebuild fills its tables before indexing them; the version that went live has every index of version 1.
    t.same(await indexes(2), fresh, 'the rebuilt tables are indexed like the first version');

    const verdict = await verifyAll(database.db);
    for (const check of verdict.checks) t.ok(check.ok, `${check.name}: ${check.detail}`);
    t.ok(
      verdict.checks.filter((c) => c.name.startsWith('8. read model')).length === 4,
      'all four read models compared',
    );
  });
}
