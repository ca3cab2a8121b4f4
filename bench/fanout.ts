/**
 * Fan-out: many sockets watch one auction while bids arrive at a steady rate. Measures commit-to-socket
 * latency (from a bid's acknowledgement, which is sent right after its COMMIT, to the arrival of its event at
 * each socket), deliveries per second, and that every socket got every event once, in order.
 *
 *   npx tsx bench/fanout.ts [--sockets 1000] [--rate 20] [--seconds 20] [--bus nats|memory]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { dropDatabase, freshDatabase } from './lib/database.js';
import { HttpClient } from './lib/http-client.js';
import { startBenchServer } from './lib/server.js';
import { summarise, table } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    sockets: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    bus: { type: 'string', default: 'nats' },
    quick: { type: 'boolean', default: false },
  },
});
const SOCKETS = Number(args.sockets ?? (args.quick ? 200 : 1_000));
const RATE = Number(args.rate ?? 20);
const SECONDS = Number(args.seconds ?? (args.quick ? 5 : 20));
const BUS = args.bus === 'memory' ? 'memory' : 'nats';

const name = 'auction_bench_fanout';
const databaseUrl = await freshDatabase(name);
const namespace = `bench${Date.now() % 1_000_000}`;
const server = await startBenchServer({
  DATABASE_URL: databaseUrl,
  ...(BUS === 'nats'
    ? { NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', NATS_NAMESPACE: namespace }
    : { NATS_URL: '' }),
});
const http = new HttpClient(server.url);
try {
  const user = async (i: number) => {
    const u = (await http.request<{ userId: string; token: string }>('POST', '/v1/users', { displayName: `u${i}` }))
      .body;
    await http.request('POST', '/v1/wallet/deposits', { amount: 1_000_000_000_000 }, u.token);
    return u;
  };
  const seller = await user(0);
  const bidders = await Promise.all(Array.from({ length: 10 }, (_, i) => user(i + 1)));
  const auction = (
    await http.request<{ id: string }>(
      'POST',
      '/v1/auctions',
      {
        title: 'Watched lot',
        startingPrice: 100,
        minIncrement: 1,
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        softClose: { windowSeconds: 0, extensionSeconds: 1 },
      },
      seller.token,
    )
  ).body;

  // Every socket records when each seq reached it.
  const arrivals: Array<Map<number, number>> = [];
  const orderBroken: number[] = [];
  const sockets: WebSocket[] = [];
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/v1/ws`;
  for (let i = 0; i < SOCKETS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, SOCKETS - i) }, async (_, k) => {
        const index = i + k;
        const seen = new Map<number, number>();
        arrivals[index] = seen;
        let last = 0;
        const ws = new WebSocket(wsUrl);
        sockets.push(ws);
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => {
            ws.send(JSON.stringify({ type: 'subscribe', auctionId: auction.id }));
          });
          ws.on('message', (data: Buffer) => {
            const now = performance.now();
            const frame = JSON.parse(data.toString('utf8')) as { type: string; seq: number };
            if (frame.type === 'snapshot') {
              last = frame.seq;
              resolve();
            } else if (frame.type === 'event') {
              if (frame.seq !== last + 1) orderBroken.push(index);
              last = frame.seq;
              seen.set(frame.seq, now);
            }
          });
          ws.once('error', reject);
        });
      }),
    );
  }
  console.log(`${SOCKETS} sockets subscribed`);

  // Open loop: one bid every 1/RATE seconds, on schedule whatever the answers do.
  const acks = new Map<number, number>();
  const started = performance.now();
  const total = RATE * SECONDS;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const bidder = bidders[i % bidders.length] as { token: string };
    inFlight.push(
      http
        .request<{ seq: number }>(
          'POST',
          `/v1/auctions/${auction.id}/bids`,
          { maxAmount: 1_000 + i * 10, commandId: `f${i}` },
          bidder.token,
        )
        .then((res) => {
          if (res.status !== 201) throw new Error(`bid refused: ${res.status}`);
          acks.set(res.body.seq, performance.now());
        }),
    );
  }
  await Promise.all(inFlight);
  const lastSeq = Math.max(...acks.keys());
  const deadline = performance.now() + 30_000;
  while (arrivals.some((m) => !m.has(lastSeq)) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const elapsed = (performance.now() - started) / 1000;

  const latencies: number[] = [];
  let missing = 0;
  for (const seen of arrivals) {
    for (const [seq, ackAt] of acks) {
      const at = seen.get(seq);
      if (at === undefined) missing += 1;
      else latencies.push(Math.max(0, at - ackAt));
    }
  }
  const summary = summarise(latencies);
  const deliveries = latencies.length;
  const result = {
    scenario: 'fanout',
    bus: BUS,
    sockets: SOCKETS,
    bidsPerSecond: RATE,
    seconds: SECONDS,
    invariantsOk: missing === 0 && orderBroken.length === 0,
    product: {
      deliveriesPerSec: Math.round(deliveries / elapsed),
      p50Ms: summary.p50Ms,
      p99Ms: summary.p99Ms,
      p999Ms: summary.p999Ms,
      maxMs: summary.maxMs,
    },
    missing,
    outOfOrder: orderBroken.length,
  };
  console.log(
    table([
      {
        bus: BUS,
        sockets: SOCKETS,
        'bids/s': RATE,
        'deliveries/s': result.product.deliveriesPerSec,
        'p50 ms': summary.p50Ms,
        'p99 ms': summary.p99Ms,
        'max ms': summary.maxMs,
        'missing/out of order': `${missing}/${orderBroken.length}`,
      },
    ]),
  );
  const out = path.join(import.meta.dirname, 'results', `fanout-${BUS}${args.quick ? '-quick' : ''}.json`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const ws of sockets) ws.terminate();
  if (!result.invariantsOk) process.exitCode = 1;
} finally {
  http.close();
  await server.stop();
  await dropDatabase(name);
}
