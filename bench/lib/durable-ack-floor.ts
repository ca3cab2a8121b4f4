/**
 * The latency floor: durable-ack-server.ts on a fresh database of its own. Driven by the same load generator
 * and the same WebSocket bidders as the service, it shows what acknowledgement latency this machine gives a
 * server that only makes each bid durable before answering.
 */
import { startChildServer } from './child-server.js';
import { dropDatabase, freshDatabase } from './database.js';

export interface DurableAckFloor {
  /** Base URL for connectBidders (the server ignores the path and the token). */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startDurableAckFloor(): Promise<DurableAckFloor> {
  const name = 'auction_bench_latency_floor';
  const server = await startChildServer('durable-ack-server.ts', [await freshDatabase(name)]);
  return {
    url: `http://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.stop();
      await dropDatabase(name);
    },
  };
}
