/**
 * many: 1,000 open auctions and 5,000 bidders over WebSocket, offered more bids than either design takes, each
 * on an auction picked at random. The product (batches across auctions in one transaction) against the lock-per-request
 * baseline (one transaction per bid, which PostgreSQL can run side by side on different auctions).
 */
import { type Design, runDesign } from '../lib/design-run.js';
import { type ScenarioResult, figures, timesBaseline } from '../lib/report.js';
import { seedAuctions, seedUsers } from '../lib/seed.js';

function manyRun(
  design: Design,
  auctions: number,
  bidders: number,
  offeredPerSec: number,
  seconds: number,
  warmupMs: number,
) {
  // Per auction, maximums rise with every bid sent to it, so nearly every bid is valid when it arrives.
  const sequence = new Map<string, number>();
  let pick = 0x9e3779b9;
  return runDesign({
    name: 'many',
    design,
    seed: async (db) => {
      const [seller, ...users] = await seedUsers(db, bidders + 1, 1_000_000_000_000);
      const auctionIds = await seedAuctions(db, seller!.userId, auctions, { startingPrice: 100, minIncrement: 1 });
      return { users, auctionIds };
    },
    nextBid: (seeded) => {
      pick = (pick * 1_103_515_245 + 12_345) >>> 0;
      const auctionId = seeded.auctionIds[pick % seeded.auctionIds.length] as string;
      const n = (sequence.get(auctionId) ?? 0) + 1;
      sequence.set(auctionId, n);
      return { auctionId, maxAmount: 1_000 + n * 10 };
    },
    offeredPerSec,
    seconds,
    warmupMs,
  });
}

export async function many({ quick }: { quick: boolean }): Promise<ScenarioResult> {
  const auctions = quick ? 100 : 1_000;
  const bidders = quick ? 500 : 5_000;
  const seconds = quick ? 3 : 15;
  const warmup = quick ? 500 : 3_000;
  // Offered well above what either design takes, so each runs at its capacity.
  const offered = quick ? 10_000 : 20_000;
  const product = await manyRun('actor', auctions, bidders, offered, seconds, warmup);
  const baseline = await manyRun('lock-per-request', auctions, bidders, offered, seconds, warmup);
  const p = figures(product.load, {
    meanBatch: Math.round(product.meanBatch),
    meanAuctionsPerTransaction: Math.round(product.meanAuctionsPerTransaction),
    ...product.cpu,
  });
  const b = figures(baseline.load, baseline.cpu);
  return {
    scenario: 'many',
    quick,
    invariantsOk: product.invariantsOk && baseline.invariantsOk,
    product: p,
    baseline: b,
    targets: [timesBaseline(5, p, b)],
    notes: [
      `${auctions} auctions, ${bidders} bidders over WebSocket, ${offered}/s offered (open loop, above capacity), ${seconds} s per design`,
      ...product.failed,
      ...baseline.failed,
    ],
    answers: { product: product.load.outcomes, baseline: baseline.load.outcomes },
  };
}
