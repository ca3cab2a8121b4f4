/**
 * Replay: rebuild every read model from a log of N events (default 200,000; the full suite uses 1,000,000)
 * and report events per second, per projection and for all four rebuilt side by side.
 *
 *   npx tsx bench/replay.ts [--events 200000]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ProjectionManager } from '../projections/projection-manager.js';
import { readModelChecks } from '../projections/verify-read-models.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { dropDatabase, freshDatabase } from './lib/database.js';
import { table } from './lib/stats.js';
import { writeSyntheticLog } from './lib/synthetic-log.js';

const { values: args } = parseArgs({
  options: { events: { type: 'string' }, quick: { type: 'boolean', default: false } },
});
const TARGET = Number(args.events ?? (args.quick ? 20_000 : 200_000));
const name = 'auction_bench_replay';
const url = await freshDatabase(name);
const database = openDatabase(url, { max: 10 });
const log = createLogger('warn');
try {
  await migrateToLatest(database.db);
  const started = performance.now();
  const events = await writeSyntheticLog(database.db, { targetEvents: TARGET });
  console.log(`wrote ${events} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const manager = new ProjectionManager(database.db, { log });
  const rows: Array<Record<string, string | number>> = [];
  // One at a time: each projection's own speed.
  for (const projection of manager.names) {
    const t0 = performance.now();
    const { done } = await manager.rebuild(projection);
    await done;
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ rebuild: projection, events, seconds: seconds.toFixed(1), 'events/s': Math.round(events / seconds) });
  }
  // All four together, reading the log once: what `npm run ops -- rebuild all` does.
  const t0 = performance.now();
  await manager.rebuildAll();
  const seconds = (performance.now() - t0) / 1000;
  rows.push({
    rebuild: 'all four (one read of the log)',
    events,
    seconds: seconds.toFixed(1),
    'events/s': Math.round(events / seconds),
  });
  const checks = await database.db.transaction().execute((trx) => readModelChecks(trx));
  const invariantsOk = checks.every((c) => c.ok);
  console.log(table(rows));
  console.log(`read models equal the log replayed: ${invariantsOk ? 'yes' : 'NO'}`);
  const slowest = Math.min(...rows.slice(0, -1).map((r) => Number(r['events/s'])));
  const result = {
    scenario: 'replay',
    events,
    invariantsOk,
    product: { eventsPerSec: rows.at(-1)?.['events/s'], slowestProjectionEventsPerSec: slowest },
    rows,
  };
  const out = path.join(import.meta.dirname, 'results', `replay${args.quick ? '-quick' : ''}.json`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  await manager.stop();
  if (!invariantsOk) process.exitCode = 1;
} finally {
  await database.close();
  await dropDatabase(name);
}
