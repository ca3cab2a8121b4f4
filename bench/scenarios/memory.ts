/**
 * memory: what the service keeps in memory (a) per idle WebSocket subscribed to an auction, and (b) per auction
 * loaded into its actor. Each figure is the growth of the service's resident memory, read after forced full
 * collections, divided by the number of sockets or auctions added. A warm-up comes before each first reading,
 * so that what any number of sockets or actors share (code, pools, buffers) is in the baseline.
 */
import { type BenchBus, type BusKind, benchBus } from '../lib/bus.js';
import type { Figures, ScenarioResult } from '../lib/report.js';
import { seedAuctions, seedUsers } from '../lib/seed.js';
import { GC_ON_SIGNAL_ARGS, metricSum, residentAfterGc } from '../lib/server-memory.js';
import { type Stage, stage } from '../lib/stage.js';
import { Watchers } from '../lib/watchers.js';
import { type WsBidder, connectBidders } from '../lib/ws-bidder.js';

/** Idle actors would leave memory while they are being counted. */
const ENV = { ACTOR_IDLE_SECONDS: '3600' };
const ROOMS = 10;
const WARM_SOCKETS = 200;
const WARM_AUCTIONS = 200;
const BIDDERS = 20;
/** Bids in flight at once while loading auctions. */
const LANES = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Reading {
  readonly residentBytes: number;
  readonly heapUsedBytes: number;
  readonly metrics: string;
}

async function read(s: Stage<unknown>): Promise<Reading> {
  const residentBytes = await residentAfterGc(s.server.child.pid as number);
  const metrics = await s.metrics();
  return { residentBytes, heapUsedBytes: metricSum(metrics, 'nodejs_heap_size_used_bytes'), metrics };
}

/** Waits until the relay has published and every projection applied what was committed. */
async function settle(s: Stage<unknown>): Promise<void> {
  for (let tries = 0; tries < 300; tries += 1) {
    const metrics = await s.metrics();
    if (metricSum(metrics, 'auction_follower_lag_events') === 0 && metricSum(metrics, 'auction_mailbox_depth') === 0)
      return;
    await sleep(100);
  }
}

async function idleSockets(count: number, bus: BenchBus) {
  const s = await stage(
    'memory_sockets',
    { ...ENV, ...bus.env },
    async (db) => {
      const [seller] = await seedUsers(db, 1, 1);
      return seedAuctions(db, seller!.userId, ROOMS);
    },
    GC_ON_SIGNAL_ARGS,
  );
  const wsUrl = `${s.url.replace(/^http/, 'ws')}/v1/ws`;
  const roomOf = (i: number) => s.seeded[i % ROOMS] as string;
  const watchers = new Watchers();
  try {
    await watchers.connect(wsUrl, WARM_SOCKETS, roomOf);
    const before = await read(s);
    await watchers.connect(wsUrl, count, roomOf);
    await sleep(1_000);
    const after = await read(s);
    watchers.close();
    return { before, after, open: metricSum(after.metrics, 'auction_websocket_connections'), ...(await s.finish()) };
  } catch (err) {
    watchers.close();
    await s.finish().catch(() => undefined);
    throw err;
  }
}

/** One bid on each auction, which loads it into its actor; the answers by outcome. */
async function bidOnEach(bidders: WsBidder[], auctionIds: readonly string[]): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      const bidder = bidders[lane % bidders.length] as WsBidder;
      for (let i = next++; i < auctionIds.length; i = next++) {
        const answer = await bidder.bid(auctionIds[i] as string, 200);
        outcomes[answer.code] = (outcomes[answer.code] ?? 0) + 1;
      }
    }),
  );
  return outcomes;
}

async function loadedAuctions(count: number, bus: BenchBus) {
  const s = await stage(
    'memory_auctions',
    { ...ENV, ...bus.env },
    async (db) => {
      const [seller, ...users] = await seedUsers(db, BIDDERS + 1, 1_000_000_000_000);
      const auctionIds = await seedAuctions(db, seller!.userId, WARM_AUCTIONS + count, { startingPrice: 100 });
      return { users, auctionIds };
    },
    GC_ON_SIGNAL_ARGS,
  );
  let bidders: WsBidder[] = [];
  try {
    bidders = await connectBidders(s.url, s.seeded.users, 'load');
    await bidOnEach(bidders, s.seeded.auctionIds.slice(0, WARM_AUCTIONS));
    await settle(s);
    const before = await read(s);
    const outcomes = await bidOnEach(bidders, s.seeded.auctionIds.slice(WARM_AUCTIONS));
    await settle(s);
    const after = await read(s);
    for (const bidder of bidders) bidder.close();
    const actors = metricSum(after.metrics, 'auction_actors_active');
    return { before, after, actors, outcomes, ...(await s.finish()) };
  } catch (err) {
    for (const bidder of bidders) bidder.close();
    await s.finish().catch(() => undefined);
    throw err;
  }
}

async function onOwnBus<T>(kind: BusKind, run: (bus: BenchBus) => Promise<T>): Promise<T & { busNote: string }> {
  // A stage of its own on NATS: a projection's durable consumer must not meet another database's events.
  const bus = benchBus(kind);
  try {
    return { ...(await run(bus)), busNote: bus.note };
  } finally {
    await bus.dispose();
  }
}

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

export async function memory({ quick, bus = 'memory' }: { quick: boolean; bus?: BusKind }): Promise<ScenarioResult> {
  const sockets = quick ? 1_000 : 10_000;
  const auctions = quick ? 1_000 : 10_000;
  const idle = await onOwnBus(bus, (b) => idleSockets(sockets, b));
  const loaded = await onOwnBus(bus, (b) => loadedAuctions(auctions, b));
  const perSocket = Math.round((idle.after.residentBytes - idle.before.residentBytes) / sockets);
  const perAuction = Math.round((loaded.after.residentBytes - loaded.before.residentBytes) / auctions);
  const heapPerSocket = Math.round((idle.after.heapUsedBytes - idle.before.heapUsedBytes) / sockets);
  const heapPerAuction = Math.round((loaded.after.heapUsedBytes - loaded.before.heapUsedBytes) / auctions);
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  const product: Figures = {
    acceptedPerSec: 0,
    p50Ms: null,
    p99Ms: null,
    bytesPerIdleSocket: perSocket,
    kbPerIdleSocket: kb(perSocket),
    heapBytesPerIdleSocket: heapPerSocket,
    bytesPerLoadedAuction: perAuction,
    kbPerLoadedAuction: kb(perAuction),
    heapBytesPerLoadedAuction: heapPerAuction,
    rssBaseMB: mb(idle.before.residentBytes),
    rssWithSocketsMB: mb(idle.after.residentBytes),
    rssAuctionsBaseMB: mb(loaded.before.residentBytes),
    rssWithAuctionsMB: mb(loaded.after.residentBytes),
    sockets,
    openSockets: idle.open,
    auctions,
    activeActors: loaded.actors,
  };
  const expectedActors = WARM_AUCTIONS + auctions;
  const refused = Object.entries(loaded.outcomes).filter(([code]) => code !== 'ok');
  return {
    scenario: 'memory',
    ...(bus === 'memory' ? {} : { variant: bus }),
    quick,
    invariantsOk: idle.invariantsOk && loaded.invariantsOk,
    product,
    targets: [
      {
        name: 'no more than 16 KB per idle socket',
        ok: perSocket <= 16 * 1024,
        detail: `${kb(perSocket)} KB resident (JS heap ${kb(heapPerSocket)} KB)`,
      },
      {
        name: 'no more than 8 KB per loaded auction',
        ok: perAuction <= 8 * 1024,
        detail: `${kb(perAuction)} KB resident (JS heap ${kb(heapPerAuction)} KB)`,
      },
    ],
    notes: [
      `(a) ${sockets} idle sockets over ${ROOMS} rooms after ${WARM_SOCKETS} warm-up ones; the service counted ${idle.open} open`,
      `(b) ${auctions} auctions loaded by one bid each after ${WARM_AUCTIONS} warm-up ones; auction_actors_active ${loaded.actors} (expected ${expectedActors})${loaded.actors === expectedActors ? '' : ' MISMATCH'}`,
      ...(refused.length > 0
        ? [`bids not accepted while loading: ${JSON.stringify(Object.fromEntries(refused))}`]
        : []),
      'resident memory (VmRSS) after forced full collections, lowest of 3 readings; heap figures from nodejs_heap_size_used_bytes',
      ...new Set([idle.busNote, loaded.busNote]),
      ...idle.failed,
      ...loaded.failed,
    ],
  };
}
