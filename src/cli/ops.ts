/**
 * The operator CLI: `npm run ops -- <command>`.
 *
 *   status              read models: version, status, checkpoint and lag
 *   verify              replay the log and check the invariants of SPEC §8 against what is stored
 */
import { sql } from 'kysely';
import { listProjectionVersions } from '../../projections/projection-store.js';
import { loadConfig } from '../config.js';
import { countAfter } from '../event-store/read-all.js';
import { createLogger } from '../logger.js';
import { verify } from '../ops/verify.js';
import { type ConfiguredDatabase, openConfiguredDatabase } from './configured-database.js';
import { Progress } from './progress.js';

const USAGE = `usage: npm run ops -- <status | verify>`;

async function status(database: ConfiguredDatabase): Promise<number> {
  const versions = await listProjectionVersions(database.db);
  const rows = await Promise.all(
    versions
      .filter((v) => v.status !== 'retired')
      .map(async (v) => ({ ...v, lagEvents: await countAfter(database.db, v.checkpoint) })),
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.name.padEnd(20)} v${String(r.version).padEnd(4)} ${r.status.padEnd(11)} at ${r.checkpoint.xid}/${r.checkpoint.position}  lag ${r.lagEvents} events\n`,
    );
  }
  return 0;
}

async function runVerify(database: ConfiguredDatabase, log: ReturnType<typeof createLogger>): Promise<number> {
  const total = Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(database.db)).rows[0]?.n ?? 0,
  );
  const progress = new Progress('verify', total, log);
  const report = await verify(database.db, { onProgress: (n) => progress.update(n) });
  progress.finish(report.events);
  for (const check of report.checks) {
    process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}${check.ok ? '' : `: ${check.detail}`}\n`);
  }
  process.stdout.write(report.ok ? `verified ${report.events} events: all checks pass\n` : 'verification FAILED\n');
  return report.ok ? 0 : 1;
}

const [command] = process.argv.slice(2);
const config = loadConfig();
const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
if (command !== 'status' && command !== 'verify') {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const database = await openConfiguredDatabase(config, log);
try {
  process.exitCode = command === 'status' ? await status(database) : await runVerify(database, log);
} catch (err) {
  log.error({ err }, `${command} failed`);
  process.exitCode = 1;
} finally {
  await database.close();
}
