/**
 * replay: rebuild every read model from a log of 1,000,000 events (quick: 20,000) made by the real decider,
 * first each projection alone, then all four together reading the log once (what `npm run ops -- rebuild all`
 * does), and check that the rebuilt read models equal the log replayed. The figure is the all-four rate.
 */
import { ProjectionManager } from '../../projections/projection-manager.js';
import { readModelChecks } from '../../projections/verify-read-models.js';
import { createLogger } from '../../src/logger.js';
import { readCpu } from '../lib/proc.js';
import { dropDatabase, freshMigratedDatabase } from '../lib/database.js';
import type { ScenarioResult } from '../lib/report.js';
import { table } from '../lib/stats.js';
import { writeSyntheticLog } from '../lib/synthetic-log.js';

const TARGET_EVENTS_PER_SEC = 50_000;

export async function replay({ quick }: { quick: boolean }): Promise<ScenarioResult> {
  const name = 'auction_bench_replay';
  // As the service opens its followers' pool: rebuilt read models are derived, their commits need no flush.
  const { database } = await freshMigratedDatabase(name, { max: 10, synchronousCommit: false });
  try {
    const started = performance.now();
    const events = await writeSyntheticLog(database.db, { targetEvents: quick ? 20_000 : 1_000_000 });
    console.log(`  wrote ${events} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const manager = new ProjectionManager(database.db, { log: createLogger('warn') });
    const rows: Array<{
      rebuild: string;
      seconds: number;
      eventsPerSec: number;
      nodeCpu: number;
      postgresCpu: number;
    }> = [];
    const timed = async (rebuild: string, work: () => Promise<unknown>) => {
      const t0 = performance.now();
      const cpu0 = { node: process.cpuUsage(), postgres: readCpu(undefined, name).postgres };
      await work();
      const seconds = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu0.node);
      rows.push({
        rebuild,
        seconds: Math.round(seconds * 10) / 10,
        eventsPerSec: Math.round(events / seconds),
        // Cores busy on average: where the time went (this process reads and prepares, PostgreSQL writes).
        nodeCpu: Math.round(((used.user + used.system) / 1e6 / seconds) * 100) / 100,
        postgresCpu: Math.round(((readCpu(undefined, name).postgres - cpu0.postgres) / seconds) * 100) / 100,
      });
    };
    for (const projection of manager.names) {
      await timed(projection, async () => (await manager.rebuild(projection)).done);
    }
    await timed('all four, reading the log once', () => manager.rebuildAll());
    await manager.stop();
    const checks = await database.db.transaction().execute((trx) => readModelChecks(trx));
    console.log(
      table(
        rows.map((r) => ({
          rebuild: r.rebuild,
          events,
          seconds: r.seconds,
          'events/s': r.eventsPerSec,
          'node cores': r.nodeCpu,
          'postgres cores': r.postgresCpu,
        })),
      ),
    );
    const all = rows.at(-1) as (typeof rows)[number];
    return {
      scenario: 'replay',
      quick,
      invariantsOk: checks.every((c) => c.ok),
      product: { acceptedPerSec: all.eventsPerSec, p50Ms: null, p99Ms: null, eventsPerSec: all.eventsPerSec, events },
      rebuilds: rows,
      targets: [
        {
          name: `at least ${TARGET_EVENTS_PER_SEC.toLocaleString('en')} events per second`,
          ok: all.eventsPerSec >= TARGET_EVENTS_PER_SEC,
          detail: `${all.eventsPerSec.toLocaleString('en')} events/s over ${events.toLocaleString('en')} events, all four read models`,
        },
      ],
      notes: [
        'each rebuild fills a new version beside the live one, indexes it, and swaps it in',
        ...checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
      ],
    };
  } finally {
    await database.close();
    await dropDatabase(name);
  }
}
