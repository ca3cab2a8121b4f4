/**
 * A benchmark stage: a fresh database, seeded, with the service running on it as a compiled process. `finish`
 * stops the service with SIGTERM and runs every check of SPEC §8 (read models included) on what it left.
 */
import type { Db } from '../../src/db/database.js';
import { verifyAll } from '../../src/ops/verify-all.js';
import { type CpuReading, readCpu } from './proc.js';
import { dropDatabase, freshMigratedDatabase } from './database.js';
import { type BenchServer, startBenchServer } from './server.js';

export interface Stage<T> {
  readonly url: string;
  readonly db: Db;
  readonly server: BenchServer;
  readonly seeded: T;
  /** Prometheus text from the service. */
  metrics(): Promise<string>;
  /** CPU seconds used so far by the service and by the PostgreSQL backends of its database. */
  cpu(): CpuReading;
  /** Stops the service, verifies the invariants, drops the database; true when every check passed. */
  finish(): Promise<{ invariantsOk: boolean; failed: string[] }>;
}

export async function stage<T>(
  name: string,
  env: Record<string, string>,
  seed: (db: Db) => Promise<T>,
  nodeArgs: string[] = [],
): Promise<Stage<T>> {
  const database = `auction_bench_${name}`;
  const { url, database: handle } = await freshMigratedDatabase(database, { max: 4 });
  const seeded = await seed(handle.db);
  const server = await startBenchServer({ DATABASE_URL: url, ...env }, nodeArgs);
  return {
    url: server.url,
    db: handle.db,
    server,
    seeded,
    metrics: async () => (await fetch(`${server.url}/metrics`)).text(),
    cpu: () => readCpu(server.child.pid, database),
    finish: async () => {
      await server.stop();
      try {
        const report = await verifyAll(handle.db);
        return {
          invariantsOk: report.ok,
          failed: report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
        };
      } finally {
        await handle.close();
        await dropDatabase(database);
      }
    },
  };
}

/** The sum and count of a Prometheus histogram, from the service's metrics text. */
export function histogramMean(metrics: string, name: string): number {
  const value = (suffix: string) =>
    Number(new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
  const count = value('count');
  return count === 0 ? 0 : value('sum') / count;
}
