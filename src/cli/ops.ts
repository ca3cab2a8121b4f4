/**
 * The operator CLI: `npm run ops -- <command>`.
 *
 *   status                   read models: version, status, checkpoint and lag
 *   rebuild <name> | all     refill read models from the log beside the live ones, then swap them in
 *   verify                   replay the log and check the invariants of SPEC §8 against what is stored
 *
 * Long operations show progress on a terminal (events done, rate, time left) and log it otherwise.
 */
import { sql } from 'kysely';
import { ProjectionManager } from '../../projections/projection-manager.js';
import { listProjectionVersions } from '../../projections/projection-store.js';
import { loadConfig } from '../config.js';
import { countAfter } from '../event-store/read-all.js';
import { createLogger } from '../logger.js';
import { verifyAll } from '../ops/verify-all.js';
import { type ConfiguredDatabase, openConfiguredDatabase } from './configured-database.js';
import { Progress } from './progress.js';

const USAGE = `usage: npm run ops -- <status | rebuild <projection>|all | verify>`;

async function eventCount(database: ConfiguredDatabase): Promise<number> {
  return Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(database.db)).rows[0]?.n ?? 0);
}

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
  const progress = new Progress('verify', await eventCount(database), log);
  const report = await verifyAll(database.db, { onProgress: (n) => progress.update(n) });
  progress.finish(report.events);
  for (const check of report.checks) {
    process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}${check.ok ? '' : `: ${check.detail}`}\n`);
  }
  process.stdout.write(report.ok ? `verified ${report.events} events: all checks pass\n` : 'verification FAILED\n');
  return report.ok ? 0 : 1;
}

/**
 * Rebuilds one read model or all of them. A running service keeps serving the old version and follows the
 * swap within seconds (its projection manager watches for it).
 */
async function rebuild(
  database: ConfiguredDatabase,
  log: ReturnType<typeof createLogger>,
  target: string | undefined,
): Promise<number> {
  const manager = new ProjectionManager(database.db, { log });
  const names = target === 'all' ? manager.names : target && manager.names.includes(target) ? [target] : null;
  if (!names) {
    process.stderr.write(`rebuild what? one of: ${manager.names.join(', ')}, or all\n`);
    return 2;
  }
  const total = await eventCount(database);
  if (target === 'all') {
    const progress = new Progress('rebuild all', total, log);
    const versions = await manager.rebuildAll((n) => progress.update(n));
    progress.finish(total);
    for (const [name, version] of versions) process.stdout.write(`${name}: version ${version} is live\n`);
    await manager.stop();
    return 0;
  }
  for (const name of names) {
    const progress = new Progress(`rebuild ${name}`, total, log);
    const { version, done } = await manager.rebuild(name, (p) => progress.update(p.applied));
    await done;
    progress.finish(total);
    process.stdout.write(`${name}: version ${version} is live\n`);
  }
  await manager.stop();
  return 0;
}

const [command, argument] = process.argv.slice(2);
const config = loadConfig();
const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
if (command !== 'status' && command !== 'verify' && command !== 'rebuild') {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const database = await openConfiguredDatabase(config, log);
try {
  process.exitCode =
    command === 'status'
      ? await status(database)
      : command === 'rebuild'
        ? await rebuild(database, log, argument)
        : await runVerify(database, log);
} catch (err) {
  log.error({ err }, `${command} failed`);
  process.exitCode = 1;
} finally {
  await database.close();
}
