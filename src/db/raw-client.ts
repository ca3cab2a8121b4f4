/**
 * A pooled client for the statements that bypass kysely (several statements in one round trip). If the work
 * fails, whatever transaction it opened is rolled back; a client whose connection broke is discarded rather
 * than given back to the pool.
 */
import type pg from 'pg';

export async function withRawClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await work(client);
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
      broken = rollbackFailed as Error;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
