/**
 * One design under bidding load: a fresh stage running the service in that design, bidders over WebSocket, the
 * open-loop load, then the service's own figures and every invariant. hot and many differ only in what they
 * seed and which auction each bid goes to.
 */
import type { Db } from '../../src/db/database.js';
import { type LoadResult, openLoop } from './load.js';
import { type CpuReading, cpuPerCommand } from './proc.js';
import type { SeededUser } from './seed.js';
import { profileFlags } from './server.js';
import { histogramMean, stage } from './stage.js';
import { connectBidders } from './ws-bidder.js';

export type Design = 'actor' | 'lock-per-request';

export interface DesignRun<T extends { users: readonly SeededUser[] }> {
  readonly name: string;
  readonly design: Design;
  readonly seed: (db: Db) => Promise<T>;
  /** The auction and maximum of the `sequence`-th bid. */
  readonly nextBid: (seeded: T, sequence: number) => { auctionId: string; maxAmount: number };
  readonly offeredPerSec: number;
  readonly seconds: number;
  readonly warmupMs: number;
}

export interface DesignOutcome {
  readonly load: LoadResult;
  /** CPU per accepted bid, of the service and of PostgreSQL, over the measured window. */
  readonly cpu: Record<string, number>;
  readonly meanBatch: number;
  readonly meanAuctionsPerTransaction: number;
  readonly invariantsOk: boolean;
  readonly failed: string[];
}

export async function runDesign<T extends { users: readonly SeededUser[] }>(run: DesignRun<T>): Promise<DesignOutcome> {
  // BENCH_PROFILE=<dir> writes a CPU profile of the product's service there.
  const profile = run.design === 'actor' ? profileFlags() : [];
  const s = await stage(
    `${run.name}_${run.design.replace(/-/g, '_')}`,
    { COMMAND_MODE: run.design, DB_POOL_SIZE: '32' },
    run.seed,
    profile,
  );
  const sockets = await connectBidders(s.url, s.seeded.users, run.name.slice(0, 1));
  const window: CpuReading[] = [];
  const load = await openLoop({
    onWindow: () => window.push(s.cpu()),
    senders: sockets.length,
    ratePerSecond: run.offeredPerSec,
    durationMs: run.seconds * 1000,
    warmupMs: run.warmupMs,
    send: async (w, sequence) => {
      const { auctionId, maxAmount } = run.nextBid(s.seeded, sequence);
      const answer = await (sockets[w] as (typeof sockets)[number]).bid(auctionId, maxAmount);
      return answer.ok ? 'ok' : answer.code;
    },
  });
  const metrics = await s.metrics();
  for (const socket of sockets) socket.close();
  const verdict = await s.finish();
  return {
    load,
    cpu: cpuPerCommand(window[0] as CpuReading, window[1] as CpuReading, load.outcomes.ok ?? 0),
    meanBatch: histogramMean(metrics, 'auction_commit_batch_commands'),
    meanAuctionsPerTransaction: histogramMean(metrics, 'auction_commit_batch_auctions'),
    ...verdict,
  };
}
