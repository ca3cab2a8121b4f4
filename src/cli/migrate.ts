/**
 * `npm run migrate`: applies pending migrations and exits, against DATABASE_URL or the embedded PostgreSQL.
 */
import { loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';
import { openConfiguredDatabase } from './configured-database.js';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
try {
  const database = await openConfiguredDatabase(config, log);
  try {
    const results = await migrateToLatest(database.db);
    const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    log.info({ applied }, applied.length > 0 ? 'migrations applied' : 'already up to date');
  } finally {
    await database.close();
  }
} catch (err) {
  log.error({ err }, 'migration failed');
  process.exitCode = 1;
}
