/**
 * One hot auction over HTTP: many bidders, each bidding again as soon as answered (closed loop), first against
 * the product (auction actors with group commit), then against the lock-per-request baseline, on the same
 * PostgreSQL server in the same run. Reports accepted bids per second and bid latency for both, and the ratio.
 *
 *   npm run bench:quick                       100 bidders, 3 s per design
 *   npx tsx bench/hot-http.ts                 500 bidders, 10 s per design
 *   npx tsx bench/hot-http.ts --bidders 300 --seconds 20
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.js';
import { verify } from '../src/ops/verify.js';
import { dropDatabase, freshDatabase } from './lib/database.js';
import { HttpClient } from './lib/http-client.js';
import { startBenchServer } from './lib/server.js';
import { type Summary, summarise, table } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    bidders: { type: 'string' },
    seconds: { type: 'string' },
    /** Write a CPU profile of each server to bench/results/profiles/. */
    profile: { type: 'boolean', default: false },
  },
});
const BIDDERS = Number(args.bidders ?? (args.quick ? 100 : 500));
const SECONDS = Number(args.seconds ?? (args.quick ? 3 : 10));
const WARMUP_MS = args.quick ? 500 : 2_000;

interface DesignResult extends Summary {
  design: string;
  acceptedPerSec: number;
  answeredPerSec: number;
  invariantsOk: boolean;
}

async function runDesign(design: 'actor' | 'lock-per-request'): Promise<DesignResult> {
  const name = `auction_bench_hot_${design.replace(/-/g, '_')}`;
  const databaseUrl = await freshDatabase(name);
  const profiling = args.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(import.meta.dirname, 'results', 'profiles')}`]
    : [];
  const server = await startBenchServer(
    { DATABASE_URL: databaseUrl, COMMAND_MODE: design, DB_POOL_SIZE: '32' },
    profiling,
  );
  const http = new HttpClient(server.url, BIDDERS + 16);
  try {
    const register = async (i: number) => {
      const user = (
        await http.request<{ userId: string; token: string }>('POST', '/v1/users', { displayName: `b${i}` })
      ).body;
      await http.request('POST', '/v1/wallet/deposits', { amount: 1_000_000_000_000 }, user.token);
      return user;
    };
    const seller = await register(-1);
    const bidders: Array<{ userId: string; token: string }> = [];
    for (let i = 0; i < BIDDERS; i += 50) {
      bidders.push(
        ...(await Promise.all(Array.from({ length: Math.min(50, BIDDERS - i) }, (_, k) => register(i + k)))),
      );
    }
    const auction = (
      await http.request<{ id: string }>(
        'POST',
        '/v1/auctions',
        {
          title: 'Hot lot',
          startingPrice: 100,
          minIncrement: 1,
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          softClose: { windowSeconds: 0, extensionSeconds: 1 },
        },
        seller.token,
      )
    ).body;

    let accepted = 0;
    let answered = 0;
    let measuring = false;
    let running = true;
    const latencies: number[] = [];
    let sequence = 0;
    const bidder = async (user: { token: string }, index: number): Promise<void> => {
      while (running) {
        // Maximums rise with every bid sent, so nearly every bid is valid when it arrives: it either leads or,
        // overtaken in flight, still lifts the price. The figure is then the design's capacity, not luck.
        sequence += 1;
        const maxAmount = 1_000 + sequence * 10;
        const started = performance.now();
        const res = await http.request(
          'POST',
          `/v1/auctions/${auction.id}/bids`,
          { maxAmount, commandId: `h${index}-${sequence}` },
          user.token,
        );
        if (!measuring) continue;
        answered += 1;
        latencies.push(performance.now() - started);
        if (res.status === 201) accepted += 1;
        else if (res.status >= 500) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      }
    };
    const loops = bidders.map((b, i) => bidder(b, i));
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    measuring = false;
    const elapsed = (performance.now() - started) / 1000;
    running = false;
    await Promise.all(loops);
    await server.stop();

    const database = openDatabase(databaseUrl, { max: 2 });
    const report = await verify(database.db);
    await database.close();
    return {
      design,
      acceptedPerSec: Math.round(accepted / elapsed),
      answeredPerSec: Math.round(answered / elapsed),
      invariantsOk: report.ok,
      ...summarise(latencies),
    };
  } finally {
    http.close();
    await server.stop();
    await dropDatabase(name);
  }
}

const product = await runDesign('actor');
const baseline = await runDesign('lock-per-request');
const ratio = Math.round((product.acceptedPerSec / Math.max(1, baseline.acceptedPerSec)) * 10) / 10;
const result = {
  scenario: 'hot-http',
  bidders: BIDDERS,
  seconds: SECONDS,
  invariantsOk: product.invariantsOk && baseline.invariantsOk,
  product,
  baseline,
  ratio,
};
console.log(
  table(
    [product, baseline].map((r) => ({
      design: r.design === 'actor' ? 'product (actors + group commit)' : 'baseline (lock per request)',
      'accepted/s': r.acceptedPerSec,
      'answered/s': r.answeredPerSec,
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      invariants: r.invariantsOk ? 'ok' : 'BROKEN',
    })),
  ),
);
console.log(`\nproduct / baseline accepted bids per second: ${ratio}x  (${BIDDERS} bidders, ${SECONDS} s each)`);
const out = path.join(import.meta.dirname, 'results', `hot-http${args.quick ? '-quick' : ''}.json`);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
if (!result.invariantsOk) process.exitCode = 1;
