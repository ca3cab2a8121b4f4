/**
 * The write floor: write-floor-server.ts on a fresh database of its own, migrated and seeded like the
 * scenario's. Driven by the same load generator as the service, it shows what acknowledgement latency this
 * machine gives the product's rows alone (SPEC §7's events, the balances and the outcomes of each bid), so
 * the gap between the durable-ack floor and the product splits into what the data costs and what the design
 * around it costs. With `followers`, it also keeps the product's read models (see write-floor-server.ts), so
 * the design's cost splits once more: the followers SPEC's read models need, and the command path.
 */
import type { Db } from '../../src/db/database.js';
import { startChildServer } from './child-server.js';
import { dropDatabase, freshMigratedDatabase } from './database.js';
import { SERVICE_NODE_FLAGS } from './server.js';

export interface WriteFloor<T> {
  /** Base URL for connectBidders: tokens name the bidders seeded here. */
  readonly url: string;
  readonly seeded: T;
  stop(): Promise<void>;
}

export async function startWriteFloor<T extends { auctionId: string }>(
  seed: (db: Db) => Promise<T>,
  { followers = false }: { followers?: boolean } = {},
): Promise<WriteFloor<T>> {
  const name = `auction_bench_latency_write_floor${followers ? '_followers' : ''}`;
  const { url, database } = await freshMigratedDatabase(name, { max: 2 });
  const seeded = await seed(database.db).finally(() => database.close());
  // The service's node flags, so the two differ in what they do, not in how node runs them.
  const server = await startChildServer(
    'write-floor-server.ts',
    [url, seeded.auctionId, ...(followers ? ['followers'] : [])],
    SERVICE_NODE_FLAGS,
  );
  return {
    url: `http://127.0.0.1:${server.port}`,
    seeded,
    stop: async () => {
      await server.stop();
      await dropDatabase(name);
    },
  };
}
