/**
 * The database the operator tools work on: DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (started
 * for the duration of the command when the service is not running).
 */
import type { Config } from '../config.js';
import { type Database, openDatabase } from '../db/database.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded-postgres.js';
import type { Logger } from '../logger.js';

export interface ConfiguredDatabase extends Database {
  readonly embedded: EmbeddedDatabase | null;
}

export async function openConfiguredDatabase(config: Config, log: Logger): Promise<ConfiguredDatabase> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT, log);
    url = embedded.url;
  }
  const database = openDatabase(url, { max: 4, applicationName: 'live-auction-ops' });
  return {
    ...database,
    embedded,
    close: async () => {
      await database.close();
      await embedded?.stop();
    },
  };
}
