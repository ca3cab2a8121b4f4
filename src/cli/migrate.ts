/**
 * `npm run migrate`: applies pending migrations and exits, against DATABASE_URL or the embedded PostgreSQL.
 */
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
let embedded: EmbeddedDatabase | null = null;
try {
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT, log);
    url = embedded.url;
  }
  const database = openDatabase(url, { max: 2 });
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
} finally {
  await embedded?.stop();
}
