/**
 * A read model's pace on the bus (PROJECTION_STEP_MILLIS): while events keep coming it takes at most one batch
 * per step, so the deliveries made meanwhile land as one statement; a backlog is worked off without waiting;
 * stopping does not wait out a step.
 */
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { bidHistory } from '../../projections/bid-history.js';
import { ProjectionManager } from '../../projections/projection-manager.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { type LogPosition, comparePositions } from '../../src/event-store/types.js';
import { createLogger } from '../../src/logger.js';
import { OutboxRelay } from '../../src/relay/outbox-relay.js';
import { createTestDatabase } from '../helpers/database.js';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

interface Batch {
  readonly at: number;
  readonly checkpoint: LogPosition;
}

/** A read model paced at `stepMillis` on an in-process bus, the relay that feeds it, and its batches. */
async function pacedReadModel(t: Test, name: string, stepMillis: number) {
  const database = openDatabase(await createTestDatabase(t, name), { max: 4 });
  t.teardown(() => database.close());
  await migrateToLatest(database.db);
  const bus = new MemoryBus();
  const batches: Batch[] = [];
  const projections = new ProjectionManager(database.db, {
    log,
    bus,
    pollMillis: 60_000,
    stepMillis,
    projections: [bidHistory],
    onApplied: (_name, checkpoint) => batches.push({ at: Date.now(), checkpoint }),
  });
  await projections.start();
  t.teardown(() => projections.stop());
  const relay = new OutboxRelay(database.db, bus, { log, batchSize: 10_000 });
  t.teardown(() => relay.stop());
  /** Commits `n` events, as another writer would, and publishes them in one relay step. */
  const publish = async (n: number): Promise<LogPosition> => {
    await sql`INSERT INTO events (stream_id, stream_version, event_id, type, data, occurred_at)
      SELECT 'auction-' || gen_random_uuid(), 1, gen_random_uuid(), 'AuctionOpened', '{}', now()
      FROM generate_series(1, ${n}::int)`.execute(database.db);
    t.equal(await relay.step(), n, `${n} events published`);
    return relay.position as LogPosition;
  };
  /** Waits until a batch has moved the checkpoint to `position`; returns the batches so far. */
  const appliedUpTo = async (position: LogPosition): Promise<readonly Batch[]> => {
    const deadline = Date.now() + 20_000;
    while (!batches.some((b) => comparePositions(b.checkpoint, position) === 0)) {
      if (Date.now() > deadline) throw new Error('the read model did not apply what was published');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return batches;
  };
  return { projections, publish, appliedUpTo };
}

t.test('the deliveries made during a step are applied as one batch when the step ends', async (t) => {
  const step = 1_000;
  const { publish, appliedUpTo } = await pacedReadModel(t, 'pacing step', step);
  await appliedUpTo(await publish(1));
  let last: LogPosition | null = null;
  for (let i = 0; i < 4; i += 1) last = await publish(1);
  const batches = await appliedUpTo(last as LogPosition);
  t.equal(batches.length, 2, 'four deliveries, one batch');
  const [first, second] = batches as [Batch, Batch];
  t.ok(second.at - first.at >= step / 2, `the second batch waited for the step (${second.at - first.at} ms)`);
});

t.test('a backlog on the bus is worked off without waiting for the step', async (t) => {
  const step = 5_000;
  const { publish, appliedUpTo } = await pacedReadModel(t, 'pacing backlog', step);
  // The in-process bus hands over at most 1,000 at a time: 2,500 make three deliveries.
  const batches = await appliedUpTo(await publish(2_500));
  t.equal(batches.length, 3, 'three deliveries, three batches');
  const took = (batches.at(-1) as Batch).at - (batches[0] as Batch).at;
  t.ok(took < step, `the last came ${took} ms after the first, not a step later`);
});

t.test('stopping does not wait out a step', async (t) => {
  const step = 5_000;
  const { projections, publish, appliedUpTo } = await pacedReadModel(t, 'pacing stop', step);
  await appliedUpTo(await publish(1));
  const stopping = Date.now();
  await projections.stop();
  t.ok(Date.now() - stopping < step, `stopped in ${Date.now() - stopping} ms`);
});
