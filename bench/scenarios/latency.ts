/**
 * latency: how long a bid waits for its acknowledgement on one auction when the service is not saturated. The
 * product's maximum is measured first on the same server (offered far above it), then bids are offered at 25%,
 * 50% and 75% of that maximum, open loop, and p50/p99/p99.9 are taken from each bid's intended send time.
 * Two bare servers then take the same offered loads from as many sockets, in the same run:
 * - the floor (durable-ack-floor.ts) only makes each bid durable before acking it: what this machine allows
 *   any design;
 * - the write floor (write-floor.ts) writes each batch's own rows with the product's statement and nothing
 *   else: what the product's data costs here, so the rest of the gap is the design around it;
 * - the write floor with followers: the same, plus the product's relay and read models fed from its commits,
 *   which splits that gap into what keeping the read models costs and what the command path adds.
 * A disk probe (disk-probe.ts) times a sync every 25 ms throughout, so each level also says how long the disk
 * made a sync wait while it ran: a stall there holds up every design's commits alike.
 * The product then also takes a few fixed rates, the same in every run: the fractions above move with the
 * maximum measured, and a tail that is there at any rate shows only when the rate is held still.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { withAdmin } from '../lib/database.js';
import type { Db } from '../../src/db/database.js';
import { type DiskProbe, startDiskProbe } from '../lib/disk-probe.js';
import { startDurableAckFloor } from '../lib/durable-ack-floor.js';
import { openLoop } from '../lib/load.js';
import { type LoadFigures, type ScenarioResult, figures } from '../lib/report.js';
import { seedAuctions, seedUsers } from '../lib/seed.js';
import { profileFlags } from '../lib/server.js';
import { stage } from '../lib/stage.js';
import { table } from '../lib/stats.js';
import { startWriteFloor } from '../lib/write-floor.js';
import { type WsBidder, connectBidders } from '../lib/ws-bidder.js';

const LEVELS = [0.25, 0.5, 0.75] as const;
/** Bids per second on one auction, offered to the product after its levels (full size only). */
const FIXED_RATES = [500, 1_000] as const;
const P99_TARGET_MS = 20;
/** How often the load generator samples its own event loop's lateness. */
const LAG_RESOLUTION_MS = 5;

export async function latency({ quick }: { quick: boolean }): Promise<ScenarioResult> {
  const disk = await startDiskProbe();
  try {
    return await latencyWith(disk, quick);
  } finally {
    await disk.stop();
  }
}

async function latencyWith(disk: DiskProbe, quick: boolean): Promise<ScenarioResult> {
  const bidders = quick ? 50 : 200;
  const seconds = quick ? 3 : 10;
  const seed = async (db: Db) => {
    const [seller, ...users] = await seedUsers(db, bidders + 1, 1_000_000_000_000);
    const [auctionId] = await seedAuctions(db, seller!.userId, 1, { startingPrice: 100, minIncrement: 1 });
    return { users, auctionId: auctionId as string };
  };
  const s = await stage('latency', {}, seed, profileFlags());
  let checkpointRefused: string | null = null;
  // Maximums rise with every bid sent, so every bid is valid when it arrives and each one moves the price.
  let highest = 1_000;
  const run = (sockets: readonly WsBidder[], auctionId: string, ratePerSecond: number, durationSeconds: number) =>
    openLoop({
      senders: bidders,
      ratePerSecond,
      durationMs: durationSeconds * 1000,
      warmupMs: quick ? 500 : 1_000,
      send: async (w) => {
        highest += 10;
        const answer = await (sockets[w] as WsBidder).bid(auctionId, highest);
        return answer.ok ? 'ok' : answer.code;
      },
    });
  const atRate = async (sockets: readonly WsBidder[], auctionId: string, ratePerSecond: number) => {
    // Every level starts from the same PostgreSQL state, as a server in steady state would be: a checkpoint
    // lets the WAL segments written so far be recycled. Without one, each level writes into segments
    // PostgreSQL must first create, zero-filled and synced (16 MB, about 40 ms here, every 1.7 s at 2,200
    // bids/s), and commits wait behind it. bench/README.md shows the runs both ways.
    await withAdmin((c) => c.query('CHECKPOINT')).catch((err: unknown) => {
      checkpointRefused = `CHECKPOINT refused (${(err as Error).message}): levels may write into new WAL segments`;
    });
    // The load generator shares the cores: how late its own event loop ran is part of every latency it records.
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
    await disk.window();
    const result = await run(sockets, auctionId, ratePerSecond, seconds);
    const { diskSyncP99Ms, diskSyncMaxMs } = await disk.window();
    lag.disable();
    // The histogram holds whole intervals between samples: what is beyond the interval is lateness.
    const generatorLagP99Ms = Math.max(0, Math.round((lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) * 100) / 100);
    return figures(result, { generatorLagP99Ms, diskSyncP99Ms, diskSyncMaxMs });
  };
  const atEachLevel = async (sockets: readonly WsBidder[], auctionId: string, maximum: number) => {
    const levels: Array<{ load: number; figures: LoadFigures }> = [];
    for (const load of LEVELS) {
      levels.push({ load, figures: await atRate(sockets, auctionId, Math.max(1, Math.round(maximum * load))) });
    }
    return levels;
  };
  const closeAll = (sockets: readonly WsBidder[]) => sockets.forEach((socket) => socket.close());

  const productSockets = await connectBidders(s.url, s.seeded.users, 'l');
  const saturated = await run(productSockets, s.seeded.auctionId, quick ? 10_000 : 20_000, quick ? 3 : 5);
  const maximum = Math.round((saturated.outcomes.ok ?? 0) / saturated.seconds);
  const levels = await atEachLevel(productSockets, s.seeded.auctionId, maximum);
  const fixedLevels: Array<{ ratePerSecond: number; figures: LoadFigures }> = [];
  for (const ratePerSecond of quick ? [] : FIXED_RATES) {
    fixedLevels.push({ ratePerSecond, figures: await atRate(productSockets, s.seeded.auctionId, ratePerSecond) });
  }
  closeAll(productSockets);
  const verdict = await s.finish();

  /** A bare server's levels from sockets of its own, closed afterwards. */
  const floorLevelsOf = async (
    url: string,
    users: Parameters<typeof connectBidders>[1],
    auctionId: string,
    tag: string,
  ) => {
    const sockets = await connectBidders(url, users, tag);
    try {
      return await atEachLevel(sockets, auctionId, maximum);
    } finally {
      closeAll(sockets);
    }
  };

  const writeFloor = await startWriteFloor(seed);
  const writeFloorLevels = await floorLevelsOf(
    writeFloor.url,
    writeFloor.seeded.users,
    writeFloor.seeded.auctionId,
    'w',
  ).finally(() => writeFloor.stop());

  const followersFloor = await startWriteFloor(seed, { followers: true });
  const followersFloorLevels = await floorLevelsOf(
    followersFloor.url,
    followersFloor.seeded.users,
    followersFloor.seeded.auctionId,
    'r',
  ).finally(() => followersFloor.stop());

  const floor = await startDurableAckFloor();
  const floorLevels = await floorLevelsOf(floor.url, s.seeded.users, s.seeded.auctionId, 'f').finally(() =>
    floor.stop(),
  );

  const row = (design: string, load: string, f: LoadFigures) => ({
    design,
    load,
    'offered/s': f.offeredPerSec,
    'accepted/s': f.acceptedPerSec,
    'p50 ms': f.p50Ms,
    'p99 ms': f.p99Ms,
    'p99.9 ms': f.p999Ms,
    'generator late p99 ms': f.generatorLagP99Ms ?? 0,
    'disk sync p99 / max ms': `${f.diskSyncP99Ms ?? 0} / ${f.diskSyncMaxMs ?? 0}`,
  });
  const rows = (design: string, list: typeof levels) =>
    list.map(({ load, figures: f }) => row(design, `${load * 100}%`, f));
  console.log(
    table([
      ...rows('product', levels),
      ...fixedLevels.map(({ ratePerSecond, figures: f }) => row('product', `${ratePerSecond}/s`, f)),
      ...rows('write floor + followers', followersFloorLevels),
      ...rows('write floor', writeFloorLevels),
      ...rows('floor', floorLevels),
    ]),
  );
  const atHalf = (list: typeof levels) => (list.find((l) => l.load === 0.5) as (typeof levels)[number]).figures;
  const half = atHalf(levels);
  const floorHalf = atHalf(floorLevels);
  const writeFloorHalf = atHalf(writeFloorLevels);
  const followersFloorHalf = atHalf(followersFloorLevels);
  return {
    scenario: 'latency',
    quick,
    invariantsOk: verdict.invariantsOk,
    product: half,
    ceiling: floorHalf,
    maximumPerSec: maximum,
    levels: levels.map(({ load, figures: f }) => ({ load, ...f })),
    fixedRateLevels: fixedLevels.map(({ ratePerSecond, figures: f }) => ({ ratePerSecond, ...f })),
    floorLevels: floorLevels.map(({ load, figures: f }) => ({ load, ...f })),
    writeFloor: writeFloorHalf,
    writeFloorLevels: writeFloorLevels.map(({ load, figures: f }) => ({ load, ...f })),
    writeFloorWithFollowers: followersFloorHalf,
    writeFloorWithFollowersLevels: followersFloorLevels.map(({ load, figures: f }) => ({ load, ...f })),
    targets: [
      {
        name: `p99 acknowledgement at 50% load no more than ${P99_TARGET_MS} ms`,
        ok: half.p99Ms <= P99_TARGET_MS,
        detail:
          `${half.p99Ms} ms at ${half.offeredPerSec}/s (maximum ${maximum}/s); ` +
          `the write floor (the product's rows alone): ${writeFloorHalf.p99Ms} ms, ` +
          `${followersFloorHalf.p99Ms} ms with the product's followers; ` +
          `the durable-ack floor: ${floorHalf.p99Ms} ms at the same load; ` +
          `the disk's longest sync during the product's level: ${half.diskSyncMaxMs ?? 0} ms`,
      },
    ],
    notes: [
      `one auction, ${bidders} bidders over WebSocket; maximum measured on the same server; ${seconds} s per load`,
      'a CHECKPOINT before each level, so WAL segments are recycled rather than created mid-level',
      ...(quick ? [] : [`the product also at fixed rates after its levels: ${FIXED_RATES.join(' and ')} bids/s`]),
      "write floor: a bare ws server that decides each batch in memory and writes the product's rows for it (its prepared statement, one round trip) and acks it",
      "write floor + followers: the same, also running the product's relay (to an in-process bus) and its four read models on its commits",
      'floor: a bare ws server that makes each bid durable (one INSERT per batch, one round trip) and acks it',
      "generatorLagP99Ms: how late the load generator's own event loop ran (p99), included in every latency it records",
      `diskSync: an 8 KB write and fdatasync every 25 ms from a process of its own, timed, during each level (${probeWhere(disk)})`,
      ...(checkpointRefused ? [checkpointRefused] : []),
      ...verdict.failed,
    ],
  };
}

function probeWhere(disk: DiskProbe): string {
  if (disk.sameDeviceAsPostgres === null) return "the probe's disk may not be PostgreSQL's";
  return disk.sameDeviceAsPostgres ? "on PostgreSQL's disk" : "not on PostgreSQL's disk";
}
