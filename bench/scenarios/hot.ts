/**
 * hot: one auction, many bidders over WebSocket, offered more bids than either design can take. The product,
 * then the lock-per-request baseline, then a raw ceiling: the very rows the product wrote, in batches of the
 * product's own average size, written by a bare SQL loop with no service around it.
 */
import pg from 'pg';
import type { AuctionState } from '../../src/auctions/auction.js';
import { loadAuction } from '../../src/auctions/auction-store.js';
import { prepareWrite, readSql, writeSql } from '../../src/auctions/batch-transaction.js';
import { bidIdempotency, decideAll, walletsFor } from '../../src/auctions/decide-batch.js';
import { auctionStreamId } from '../../src/event-store/streams.js';
import type { WalletRow } from '../../src/wallets/wallet-store.js';
import { dropDatabase, freshMigratedDatabase } from '../lib/database.js';
import { type Design, runDesign } from '../lib/design-run.js';
import { type Figures, type ScenarioResult, figures, timesBaseline } from '../lib/report.js';
import { seedAuctions, seedUsers } from '../lib/seed.js';

export interface HotOptions {
  readonly quick: boolean;
}

const DEPOSIT = 1_000_000_000_000;

async function seedHot(db: Parameters<typeof seedUsers>[0], bidders: number) {
  const [seller, ...users] = await seedUsers(db, bidders + 1, DEPOSIT);
  const [auctionId] = await seedAuctions(db, seller!.userId, 1, { startingPrice: 100, minIncrement: 1 });
  return { users, auctionId: auctionId as string };
}

const hotRun = (design: Design, bidders: number, offeredPerSec: number, seconds: number, warmupMs: number) =>
  runDesign({
    name: 'hot',
    design,
    seed: (db) => seedHot(db, bidders),
    // Maximums rise with every bid sent, so nearly every bid is valid when it arrives.
    nextBid: (seeded, sequence) => ({ auctionId: seeded.auctionId, maxAmount: 1_000 + sequence * 10 }),
    offeredPerSec,
    seconds,
    warmupMs,
  });

/** The product's rows written again by a bare loop: decided up front, then only SQL is timed. */
async function rawCeiling(bidders: number, batch: number, seconds: number, expectedPerSec: number): Promise<Figures> {
  const name = 'auction_bench_hot_ceiling';
  const { url, database: handle } = await freshMigratedDatabase(name, { max: 2 });
  try {
    const { users, auctionId } = await seedHot(handle.db, bidders);
    let state = (await loadAuction(handle.db, auctionId)) as AuctionState;
    const wallets = new Map<string, WalletRow>(
      users.map((u) => [u.userId, { userId: u.userId, available: DEPOSIT, held: 0, version: 1 }]),
    );
    const statements: Array<[string, string]> = [];
    let sequence = 0;
    const started = performance.now();
    // Enough batches for the time asked at five times the product's rate (the loop stops at the time limit).
    const batches = Math.ceil((5 * Math.max(expectedPerSec, 200) * seconds) / batch);
    for (let b = 0; b < batches; b += 1) {
      const commands = Array.from({ length: batch }, () => {
        sequence += 1;
        const user = users[sequence % users.length] as { userId: string };
        const commandId = `c${sequence}`;
        return {
          command: {
            type: 'PlaceBid' as const,
            at: Date.now(),
            bidderId: user.userId,
            maxAmount: 1_000 + sequence * 10,
            commandId,
          },
          idempotency: bidIdempotency(user.userId, commandId, auctionId, 1_000 + sequence * 10),
        };
      });
      const unit = { state, commands };
      const plan = {
        keys: commands.map((c) => c.idempotency),
        walletIds: walletsFor([unit]),
        expectedVersions: new Map([[auctionStreamId(auctionId), state.version]]),
      };
      const decided = decideAll([unit], wallets, new Map());
      statements.push([readSql(plan), writeSql(decided)]);
      state = (decided.results[0] as { state: AuctionState }).state;
    }
    console.log(
      `  ceiling: ${batches} batches of ${batch} prepared in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await prepareWrite(client);
    const t0 = performance.now();
    const latencies: number[] = [];
    let written = 0;
    for (const [read, write] of statements) {
      const b0 = performance.now();
      await client.query(read);
      await client.query(write);
      latencies.push(performance.now() - b0);
      written += batch;
      if (performance.now() - t0 > seconds * 1000) break;
    }
    const elapsed = (performance.now() - t0) / 1000;
    await client.end();
    latencies.sort((a, b) => a - b);
    return {
      acceptedPerSec: Math.round(written / elapsed),
      p50Ms: latencies[Math.floor(latencies.length / 2)] ?? 0,
      p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
      batch,
    };
  } finally {
    await handle.close();
    await dropDatabase(name);
  }
}

export async function hot({ quick }: HotOptions): Promise<ScenarioResult> {
  const bidders = quick ? 100 : 500;
  const seconds = quick ? 3 : 15;
  const warmup = quick ? 500 : 2_000;
  // Offered well above what either design takes, so each runs at its capacity ("as fast as accepted").
  const offered = quick ? 10_000 : 20_000;
  const product = await hotRun('actor', bidders, offered, seconds, warmup);
  const baseline = await hotRun('lock-per-request', bidders, offered, seconds, warmup);
  const batch = Math.max(1, Math.round(product.meanBatch));
  const ceiling = await rawCeiling(
    bidders,
    batch,
    quick ? 2 : 10,
    product.load.outcomes.ok ? product.load.outcomes.ok / product.load.seconds : 1_000,
  );
  const p = figures(product.load, { meanBatch: Math.round(product.meanBatch * 10) / 10, ...product.cpu });
  const b = figures(baseline.load, baseline.cpu);
  return {
    scenario: 'hot',
    quick,
    invariantsOk: product.invariantsOk && baseline.invariantsOk,
    product: p,
    baseline: b,
    ceiling,
    targets: [
      timesBaseline(10, p, b),
      {
        name: 'at least 40% of the raw ceiling',
        ok: p.acceptedPerSec >= 0.4 * ceiling.acceptedPerSec,
        detail: `${Math.round((100 * p.acceptedPerSec) / ceiling.acceptedPerSec)}% (ceiling at the product's mean batch of ${batch})`,
      },
    ],
    notes: [
      `${bidders} bidders over WebSocket, ${offered}/s offered (open loop, above capacity: latency includes the backlog), ${seconds} s per design`,
      ...product.failed,
      ...baseline.failed,
    ],
    answers: { product: product.load.outcomes, baseline: baseline.load.outcomes },
  };
}
