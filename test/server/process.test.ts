/**
 * The service as a process: SIGTERM while bids are in flight loses no acknowledged bid and exits 0; with no
 * DATABASE_URL it runs its own embedded PostgreSQL and keeps its data across restarts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { openDatabase } from '../../src/db/database.js';
import { type Api, fundedUser, httpApi, openAuction, registerUser } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/database.js';
import { startServerProcess } from '../helpers/server-process.js';

t.test('SIGTERM with bids in flight: every acknowledged bid is committed, and the exit code is 0', async (t) => {
  const databaseUrl = await createTestDatabase(t, 'sigterm');
  const server = await startServerProcess(t, { DATABASE_URL: databaseUrl, LOG_REQUESTS: 'false' });
  const api: Api = httpApi(server.url);
  const seller = await registerUser(api, 'seller');
  const bidders = await Promise.all(Array.from({ length: 20 }, (_, i) => fundedUser(api, 10_000_000, `b${i}`)));
  const auction = await openAuction(api, seller, { startingPrice: 100, minIncrement: 1 });

  let n = 0;
  const acknowledged: string[] = [];
  let refused = 0;
  const bidder = async (user: (typeof bidders)[number], i: number) => {
    for (;;) {
      n += 1;
      const commandId = `t${i}-${n}`;
      try {
        const res = await api('POST', `/v1/auctions/${auction.id}/bids`, {
          token: user.token,
          body: { maxAmount: 1_000 + n * 10, commandId },
        });
        if (res.status === 201) acknowledged.push(`${user.userId}/${commandId}`);
        else if (res.status >= 500) refused += 1;
      } catch {
        return; // the server has closed its port: this bid was never accepted
      }
    }
  };
  const loops = bidders.map((b, i) => bidder(b, i));
  // Stop once the service has answered a good number of bids, with twenty more on the wire.
  while (acknowledged.length < 200) await new Promise((r) => setImmediate(r));
  const code = await server.stop('SIGTERM');
  await Promise.all(loops);
  t.equal(code, 0, 'exit code 0');
  t.ok(
    server.logs.some((l) => l.msg === 'stopped'),
    'it logged a clean stop',
  );

  const database = openDatabase(databaseUrl, { max: 1 });
  t.teardown(() => database.close());
  const { rows } = await sql<{ key: string }>`
    SELECT (data->>'bidderId') || '/' || (data->>'commandId') AS key FROM events WHERE type = 'BidPlaced'`.execute(
    database.db,
  );
  const placed = new Set(rows.map((r) => r.key));
  t.same(
    acknowledged.filter((k) => !placed.has(k)),
    [],
    `all ${acknowledged.length} acknowledged bids are in the log`,
  );
  t.comment(`${refused} bids were answered 503 while stopping`);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

t.test('zero config: no DATABASE_URL runs an embedded PostgreSQL whose data survives a restart', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'auction-embedded-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = {
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_REQUESTS: 'false',
  };

  const first = await startServerProcess(t, env);
  const api = httpApi(first.url);
  t.equal((await api('GET', '/ready')).status, 200, 'ready');
  const user = await fundedUser(api, 1_234, 'embedded');
  t.equal(await first.stop('SIGTERM'), 0, 'stops cleanly, embedded PostgreSQL included');

  const second = await startServerProcess(t, env);
  const again = httpApi(second.url);
  t.same(
    (await again('GET', '/v1/wallet', { token: user.token })).body,
    { available: 1_234, held: 0 },
    'the data is still there',
  );
  t.equal(await second.stop('SIGTERM'), 0);
});
