/** Starts the whole service, as server.ts does, against a test database. */
import type { Test } from 'tap';
import type { Bus } from '../../src/bus/bus.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningService, startService } from '../../src/service.js';
import { createTestDatabase } from './database.js';

export interface TestServiceOptions {
  /** Reuse a database (restart tests); by default each call makes a fresh one. */
  readonly databaseUrl?: string;
  readonly clock?: Clock;
  readonly listen?: boolean;
  readonly env?: Record<string, string>;
  /** Leave stopping to the test (restart tests stop it themselves). */
  readonly manualStop?: boolean;
  /** A bus of the test's making (to inject faults); by default the one the environment names. */
  readonly bus?: Bus;
}

export async function startTestService(t: Test, options: TestServiceOptions = {}): Promise<RunningService> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase(t, t.name));
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_SECOND: '1000',
    RATE_LIMIT_BURST: '1000',
    DB_POOL_SIZE: '8',
    ...options.env,
  });
  const service = await startService({
    config,
    log: createLogger(config.LOG_LEVEL, { test: t.name }),
    ...(options.clock ? { clock: options.clock } : {}),
    listen: options.listen ?? false,
    ...(options.bus ? { bus: options.bus } : {}),
    processMetrics: false,
  });
  if (!options.manualStop) t.teardown(() => service.stop());
  return service;
}
