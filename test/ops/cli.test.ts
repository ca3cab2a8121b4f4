/** The operator CLI against a real database: status, rebuild, verify, and the exit codes scripts rely on. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import t from 'tap';
import { fundedUser, injectApi, nextCommandId, openAuction, registerUser } from '../helpers/api.js';
import { startTestService } from '../helpers/service.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function ops(databaseUrl: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/ops.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

t.test('npm run ops', async (t) => {
  const service = await startTestService(t);
  const api = injectApi(service);
  const seller = await registerUser(api, 'seller');
  const bidder = await fundedUser(api, 10_000);
  const lot = await openAuction(api, seller);
  await api('POST', `/v1/auctions/${lot.id}/bids`, {
    token: bidder.token,
    body: { maxAmount: 700, commandId: nextCommandId() },
  });
  await service.projections.settle();
  const url = (service.database.pool as unknown as { options: { connectionString: string } }).options.connectionString;

  const status = await ops(url, 'status');
  t.equal(status.code, 0);
  t.match(status.stdout, /auction-summaries\s+v1\s+live.*lag 0 events/);

  const rebuilt = await ops(url, 'rebuild', 'all');
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  t.match(rebuilt.stdout, /user-bids: version 2 is live/);
  const wrong = await ops(url, 'rebuild', 'nothing');
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /one of: auction-summaries/);

  const clean = await ops(url, 'verify');
  t.equal(clean.code, 0, clean.stdout);
  t.match(clean.stdout, /all checks pass/);
  await sql`UPDATE wallets SET available = available + 1 WHERE user_id = ${bidder.userId}`.execute(service.database.db);
  const broken = await ops(url, 'verify');
  t.equal(broken.code, 1, 'a broken invariant fails the command');
  t.match(broken.stdout, /FAIL\s+2\. money is conserved/);

  t.equal((await ops(url, 'dance')).code, 2, 'an unknown command is a usage error');
});
