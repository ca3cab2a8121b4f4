/**
 * Where auction commands go. The product routes them to actors (actor-registry.ts); benchmarks can route them
 * to the lock-per-request baseline (baseline/lock-per-request.ts) behind the same HTTP stack.
 */
import type { AuctionState } from './auction.js';
import type { IncomingCommand } from './actor.js';
import type { Idempotency } from './decide-batch.js';
import type { Outcome } from './decide.js';

export interface CommandRouter {
  /** Internal commands (timer ticks) are never refused for load. */
  send(auctionId: string, command: IncomingCommand, idempotency?: Idempotency, internal?: boolean): Promise<Outcome>;
  /** The last committed state, or null when there is no such auction. */
  state(auctionId: string): Promise<AuctionState | null>;
  /** Stops taking commands and resolves when every accepted one has been answered. */
  drain(): Promise<void>;
}
