/**
 * fanout: many sockets watch one auction. Phase A: bids over HTTP at a steady 20 a second, on schedule whatever
 * the answers do, each changing the price; commit-to-socket latency, from a bid's acknowledgement (sent right
 * after its COMMIT) to its event reaching each socket. Phase B: bids as fast as a few bidders get them accepted;
 * event frames delivered per second. Phase C, the ceiling: a bare `ws` server with nothing behind it
 * broadcasting frames of the same shape and size to as many sockets, paced as in A, then as fast as they go.
 *
 * One process reads for every socket here, where real watchers would each read on their own machine; so, like
 * the ceiling's server, which waits while a socket has too much unsent, phase B's bidders wait while a socket
 * is too far behind. Otherwise the service would queue frames for every socket, beyond what this one reader
 * can take in minutes, until its slow-socket limit or its heartbeat dropped them.
 */
import { type BenchBus, type BusKind, benchBus } from '../lib/bus.js';
import { type BroadcastReport, startBroadcastCeiling } from '../lib/broadcast-ceiling.js';
import { HttpClient } from '../lib/http-client.js';
import { microsPer, readCpuPair } from '../lib/proc.js';
import { type Figures, type ScenarioResult, ratio } from '../lib/report.js';
import { seedAuctions, seedUsers } from '../lib/seed.js';
import { profileFlags } from '../lib/server.js';
import { type Stage, stage } from '../lib/stage.js';
import { summarise } from '../lib/stats.js';
import { Watchers, machineNow } from '../lib/watchers.js';
import { connectBidders } from '../lib/ws-bidder.js';

const STEADY_BIDS_PER_SECOND = 20;
const BIDDERS = 10;
/** Phase B's bidders wait while the slowest socket is this many events behind the last accepted bid. */
const MAX_LAG_EVENTS = 100;

interface Sizes {
  readonly sockets: number;
  readonly steadySeconds: number;
  readonly floodSeconds: number;
  /** The first part of a flood, not counted: batches and buffers reach their working size. */
  readonly floodWarmupMs: number;
  /** How long sockets may take to receive what was sent, once sending stops, before the rest counts as missing. */
  readonly catchUpMs: number;
}

/** What every socket must have had: nothing missing, nothing twice or out of order, none dropped. */
interface Delivery {
  missing: number;
  outOfOrder: number;
  closedByServer: number;
  closeCodes: Record<string, number>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const wsUrlOf = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/v1/ws`;

function deliveryOf(watchers: Watchers, missing: number): Delivery {
  return {
    missing,
    outOfOrder: watchers.outOfOrder,
    closedByServer: watchers.closedByServer,
    closeCodes: { ...watchers.closeCodes },
  };
}

interface Rate {
  readonly deliveriesPerSec: number;
  /** CPU microseconds per delivery, of the server and of the process reading every socket. */
  readonly serverMicrosPerDelivery: number;
  readonly clientMicrosPerDelivery: number;
}

/**
 * Event frames the watchers received per second while `drive` floods them: counted after a warm-up, and
 * ending a little before the flood does, so that neither its ramp nor its tail is in the figure.
 */
async function floodRate(
  watchers: Watchers,
  sizes: Sizes,
  serverPid: number,
  drive: (ms: number) => Promise<unknown>,
): Promise<Rate> {
  const windowMs = sizes.floodSeconds * 1000;
  const driving = drive(sizes.floodWarmupMs + windowMs + 250);
  await sleep(sizes.floodWarmupMs);
  const from = watchers.delivered;
  const cpuFrom = readCpuPair(serverPid);
  const started = performance.now();
  await sleep(windowMs);
  const delivered = watchers.delivered - from;
  const cpu = microsPer(cpuFrom, readCpuPair(serverPid), delivered);
  const seconds = (performance.now() - started) / 1000;
  await driving;
  return {
    deliveriesPerSec: Math.round(delivered / seconds),
    serverMicrosPerDelivery: cpu.other,
    clientMicrosPerDelivery: cpu.own,
  };
}

type FanoutStage = Stage<{ users: Array<{ token: string }>; auctionId: string }>;

/** Phase A: HTTP bids on a fixed schedule, each acknowledged after its commit; latency to every socket. */
async function steadyPhase(s: FanoutStage, watchers: Watchers, sizes: Sizes, nextAmount: () => number) {
  const http = new HttpClient(s.url, 256);
  const { users, auctionId } = s.seeded;
  const total = STEADY_BIDS_PER_SECOND * sizes.steadySeconds;
  const acknowledged = new Map<number, number>();
  const outcomes: Record<string, number> = {};
  watchers.record(watchers.slowestSeq + 1, total + 10);
  const deliveredBefore = watchers.delivered;
  const cpuFrom = readCpuPair(s.server.child.pid as number);
  const started = performance.now();
  const answers: Array<Promise<void>> = [];
  for (let i = 0; i < total; i += 1) {
    const wait = started + (i * 1000) / STEADY_BIDS_PER_SECOND - performance.now();
    if (wait > 0) await sleep(wait);
    const bid = { maxAmount: nextAmount(), commandId: `steady-${i}` };
    const token = (users[i % users.length] as { token: string }).token;
    answers.push(
      http.request<{ seq: number }>('POST', `/v1/auctions/${auctionId}/bids`, bid, token).then((reply) => {
        if (reply.status === 201) acknowledged.set(reply.body.seq, machineNow());
        const outcome = reply.status === 201 ? 'ok' : `http_${reply.status}`;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(answers);
  http.close();
  await watchers.reach(Math.max(0, ...acknowledged.keys()), sizes.catchUpMs);
  const delivered = watchers.delivered - deliveredBefore;
  const cpu = microsPer(cpuFrom, readCpuPair(s.server.child.pid as number), delivered);
  const { latenciesMs, missing } = watchers.latencies(acknowledged);
  return {
    latency: summarise(latenciesMs),
    missing,
    acceptedPerSec: Math.round(acknowledged.size / sizes.steadySeconds),
    deliveriesPerSec: Math.round(delivered / ((performance.now() - started) / 1000)),
    serverMicrosPerDelivery: cpu.other,
    clientMicrosPerDelivery: cpu.own,
    outcomes,
  };
}

/** Phase B: a few bidders over WebSocket, each bidding again as soon as answered (closed loop). */
async function saturatedPhase(s: FanoutStage, watchers: Watchers, sizes: Sizes, nextAmount: () => number) {
  const bidders = await connectBidders(s.url, s.seeded.users, 'flood');
  const outcomes: Record<string, number> = {};
  let lastSeq = watchers.slowestSeq;
  let seconds = 0;
  let lagging: Promise<void> | null = null;
  // One poll for every waiting bidder: the slowest socket is found by a pass over all of them.
  const caughtUp = (): Promise<void> | void => {
    if (lastSeq - watchers.slowestSeq <= MAX_LAG_EVENTS) return;
    lagging ??= (async () => {
      while (lastSeq - watchers.slowestSeq > MAX_LAG_EVENTS) await sleep(5);
      lagging = null;
    })();
    return lagging;
  };
  const drive = async (ms: number) => {
    const started = performance.now();
    await Promise.all(
      bidders.map(async (bidder) => {
        while (performance.now() - started < ms) {
          await caughtUp();
          const answer = await bidder.bid(s.seeded.auctionId, nextAmount());
          outcomes[answer.code] = (outcomes[answer.code] ?? 0) + 1;
          if (answer.result) lastSeq = Math.max(lastSeq, answer.result.seq);
        }
      }),
    );
    seconds = (performance.now() - started) / 1000;
  };
  const rate = await floodRate(watchers, sizes, s.server.child.pid as number, drive);
  for (const bidder of bidders) bidder.close();
  await watchers.reach(lastSeq, sizes.catchUpMs);
  return {
    ...rate,
    acceptedPerSec: Math.round((outcomes.ok ?? 0) / seconds),
    behind: watchers.behind(lastSeq),
    outcomes,
  };
}

async function runProduct(sizes: Sizes, bus: BenchBus) {
  const s: FanoutStage = await stage(
    'fanout',
    // A socket that answers pings late here is behind in this one reader's queue, not gone.
    { ...bus.env, WS_HEARTBEAT_SECONDS: '600' },
    async (db) => {
      const [seller, ...users] = await seedUsers(db, BIDDERS + 1, 1_000_000_000_000);
      const [auctionId] = await seedAuctions(db, seller!.userId, 1, { startingPrice: 100, minIncrement: 1 });
      return { users, auctionId: auctionId as string };
    },
    profileFlags(),
  );
  // Every bid's maximum is above all before it, so each accepted one moves the price.
  let amount = 1_000;
  const nextAmount = () => (amount += 10);
  const watchers = new Watchers();
  try {
    await watchers.connect(wsUrlOf(s.url), sizes.sockets, () => s.seeded.auctionId);
    const steady = await steadyPhase(s, watchers, sizes, nextAmount);
    const saturated = await saturatedPhase(s, watchers, sizes, nextAmount);
    const delivery = deliveryOf(watchers, steady.missing + saturated.behind);
    // Sockets first: the service closes whatever is still open when it stops.
    watchers.close();
    return { steady, saturated, delivery, ...(await s.finish()) };
  } catch (err) {
    watchers.close();
    await s.finish().catch(() => undefined);
    throw err;
  }
}

async function runCeiling(sizes: Sizes) {
  const ceiling = await startBroadcastCeiling();
  const watchers = new Watchers();
  try {
    await watchers.connect(ceiling.wsUrl, sizes.sockets, () => 'ceiling');
    watchers.record(1, STEADY_BIDS_PER_SECOND * sizes.steadySeconds + 10);
    const paced = await ceiling.run({
      kind: 'paced',
      perSecond: STEADY_BIDS_PER_SECOND,
      ms: sizes.steadySeconds * 1000,
    });
    await watchers.reach(paced.lastSeq, sizes.catchUpMs);
    const { latenciesMs, missing } = watchers.latencies(new Map(paced.sentAt));
    let flood: BroadcastReport = { frames: 0, seconds: 1, lastSeq: 0, sentAt: [] };
    const rate = await floodRate(watchers, sizes, ceiling.pid, async (ms) => {
      flood = await ceiling.run({ kind: 'flood', ms });
    });
    await watchers.reach(flood.lastSeq, sizes.catchUpMs);
    return {
      latency: summarise(latenciesMs),
      // Below the rate asked for when one broadcast takes longer than the interval between two.
      pacedPerSec: Math.round((paced.frames / paced.seconds) * 10) / 10,
      ...rate,
      framesPerSec: Math.round(flood.frames / flood.seconds),
      delivery: deliveryOf(watchers, missing + watchers.behind(flood.lastSeq)),
    };
  } finally {
    watchers.close();
    await ceiling.stop();
  }
}

const complete = (d: Delivery) => d.missing === 0 && d.outOfOrder === 0 && d.closedByServer === 0;

export async function fanout({
  quick,
  bus = 'memory',
  sockets,
}: {
  quick: boolean;
  bus?: BusKind;
  /** Watching sockets instead of the size's own (5,000; quick 500). */
  sockets?: number | undefined;
}): Promise<ScenarioResult> {
  const base: Sizes = quick
    ? { sockets: 500, steadySeconds: 5, floodSeconds: 3, floodWarmupMs: 500, catchUpMs: 20_000 }
    : { sockets: 5_000, steadySeconds: 20, floodSeconds: 10, floodWarmupMs: 1_000, catchUpMs: 120_000 };
  const sizes: Sizes = sockets ? { ...base, sockets } : base;
  const chosenBus = benchBus(bus);
  let measured;
  try {
    measured = await runProduct(sizes, chosenBus);
  } finally {
    await chosenBus.dispose();
  }
  const { steady, saturated } = measured;
  const ceiling = await runCeiling(sizes);
  const product: Figures = {
    acceptedPerSec: steady.acceptedPerSec,
    p50Ms: steady.latency.p50Ms,
    p99Ms: steady.latency.p99Ms,
    p999Ms: steady.latency.p999Ms,
    maxMs: steady.latency.maxMs,
    deliveriesPerSec: steady.deliveriesPerSec,
    serverMicrosPerDelivery: steady.serverMicrosPerDelivery,
    clientMicrosPerDelivery: steady.clientMicrosPerDelivery,
    saturatedDeliveriesPerSec: saturated.deliveriesPerSec,
    saturatedAcceptedPerSec: saturated.acceptedPerSec,
    saturatedServerMicrosPerDelivery: saturated.serverMicrosPerDelivery,
    saturatedClientMicrosPerDelivery: saturated.clientMicrosPerDelivery,
  };
  const ceilingFigures: Figures = {
    acceptedPerSec: ceiling.pacedPerSec,
    p50Ms: ceiling.latency.p50Ms,
    p99Ms: ceiling.latency.p99Ms,
    p999Ms: ceiling.latency.p999Ms,
    maxMs: ceiling.latency.maxMs,
    deliveriesPerSec: ceiling.deliveriesPerSec,
    framesPerSec: ceiling.framesPerSec,
    serverMicrosPerDelivery: ceiling.serverMicrosPerDelivery,
    clientMicrosPerDelivery: ceiling.clientMicrosPerDelivery,
  };
  const share = saturated.deliveriesPerSec / Math.max(1, ceiling.deliveriesPerSec);
  return {
    scenario: 'fanout',
    ...(sockets || bus !== 'memory'
      ? { variant: [sockets ? `${sockets}-sockets` : '', bus === 'memory' ? '' : bus].filter(Boolean).join('-') }
      : {}),
    quick,
    invariantsOk: measured.invariantsOk && complete(measured.delivery) && complete(ceiling.delivery),
    product,
    ceiling: ceilingFigures,
    targets: [
      {
        name: 'at least 50% of the bare broadcast ceiling',
        ok: share >= 0.5,
        detail: `${Math.round(share * 100)}% (${saturated.deliveriesPerSec} against ${ceiling.deliveriesPerSec} deliveries/s; ${ratio(saturated.deliveriesPerSec, ceiling.deliveriesPerSec)}x)`,
      },
      {
        name: 'commit-to-socket p99 no more than 250 ms',
        ok: steady.latency.p99Ms <= 250,
        detail: `p99 ${steady.latency.p99Ms} ms (p50 ${steady.latency.p50Ms} ms, p99.9 ${steady.latency.p999Ms} ms) at ${STEADY_BIDS_PER_SECOND} bids/s`,
      },
    ],
    notes: [
      `${sizes.sockets} sockets in one room; A: ${STEADY_BIDS_PER_SECOND} bids/s over HTTP on schedule for ${sizes.steadySeconds} s; B: ${BIDDERS} bidders over WebSocket, closed loop, waiting while a socket is over ${MAX_LAG_EVENTS} events behind, ${sizes.floodSeconds} s counted after ${sizes.floodWarmupMs} ms`,
      chosenBus.note,
      'ceiling: a bare ws server in its own process, each frame encoded once and the same bytes sent to every socket, waiting while a socket has over 256 KB unsent; paced latency runs from the start of each broadcast',
      'MicrosPerDelivery: CPU time (user + system) of the server, or of the one process reading every socket, per frame received',
      ...measured.failed,
    ],
    delivery: { product: measured.delivery, ceiling: ceiling.delivery },
    answers: { steady: steady.outcomes, saturated: saturated.outcomes },
  };
}
