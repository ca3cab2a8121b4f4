/**
 * The PostgreSQL pool and its kysely handle. bigint columns come back as JavaScript numbers: every amount,
 * version and position in this service is a safe integer, and a value that is not fails loudly instead of
 * being rounded.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { WriteSideTables } from './schema.js';

const INT8_OID = 20;

export class UnsafeIntegerError extends Error {
  override readonly name = 'UnsafeIntegerError';
}

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new UnsafeIntegerError(`bigint ${text} is beyond the safe integer range`);
  return value;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

export type Db = Kysely<WriteSideTables>;

export interface Database {
  readonly db: Db;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  readonly max?: number;
  readonly applicationName?: string;
  /**
   * false: commits return before their WAL is flushed. Only for writers of derived state whose checkpoint
   * commits with it (the relay, the projections): a crash loses both together and the log replays them.
   */
  readonly synchronousCommit?: boolean;
}

export function openDatabase(connectionString: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 20,
    types,
    application_name: options.applicationName ?? 'live-auction',
    // sql-literals.ts quotes text for this setting (the default); pin it so a server setting cannot change it.
    options: `-c standard_conforming_strings=on${options.synchronousCommit === false ? ' -c synchronous_commit=off' : ''}`,
    // A statement stuck for this long is a bug or an outage; fail it rather than hold a connection forever.
    statement_timeout: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on('error', () => undefined);
  const db = new Kysely<WriteSideTables>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
