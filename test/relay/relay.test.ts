/**
 * The outbox relay: it never publishes past a transaction that is still open (so nothing committed late is
 * skipped), it survives a crash between publishing and checkpointing without losing or doubling anything in
 * effect, and only one relay publishes at a time.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import pg from 'pg';
import t, { type Test } from 'tap';
import { ProjectionManager } from '../../projections/projection-manager.js';
import { readModelChecks } from '../../projections/verify-read-models.js';
import type { Bus, BusEvent } from '../../src/bus/bus.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { NatsBus } from '../../src/bus/nats-bus.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { newId } from '../../src/ids.js';
import { createLogger } from '../../src/logger.js';
import { insertEvents } from '../../src/event-store/append.js';
import { readCommitted } from '../../src/event-store/read-all.js';
import { LOG_START } from '../../src/event-store/types.js';
import { OutboxRelay } from '../../src/relay/outbox-relay.js';
import { RecentEvents } from '../../src/relay/recent-events.js';
import { readRelayCheckpoint } from '../../src/relay/relay-store.js';
import { fundedUser, injectApi, openAuction, registerUser } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/database.js';
import { natsNamespace } from '../helpers/nats.js';
import { startTestService } from '../helpers/service.js';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

async function makeBus(t: Test, kind: 'memory' | 'nats'): Promise<{ bus: Bus; namespace?: string; url?: string }> {
  if (kind === 'memory') return { bus: new MemoryBus() };
  const { url, namespace } = await natsNamespace(t);
  const bus = new NatsBus(url, { log, namespace });
  await bus.ready(10_000);
  t.teardown(() => bus.close());
  return { bus, namespace, url };
}

/** Every message published on the bus, as this process hears it (duplicates included). */
function hear(bus: Bus): BusEvent[] {
  const heard: BusEvent[] = [];
  bus.subscribe('auction.>', (e) => heard.push(e));
  bus.subscribe('wallet.>', (e) => heard.push(e));
  return heard;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A migrated database of its own for one test, closed when the test ends. */
async function migratedDatabase(t: Test, name: string): Promise<ReturnType<typeof openDatabase>> {
  const database = openDatabase(await createTestDatabase(t, name), { max: 4 });
  t.teardown(() => database.close());
  await migrateToLatest(database.db);
  return database;
}

/** Commits one event on a new auction stream, as another writer would. */
const appendOpened = (database: ReturnType<typeof openDatabase>) =>
  sql`INSERT INTO events (stream_id, stream_version, event_id, type, data, occurred_at)
    VALUES (${`auction-${newId()}`}, 1, ${newId()}, 'AuctionOpened', '{}', now())`.execute(database.db);

for (const kind of ['memory', 'nats'] as const) {
  t.test(`relay over the ${kind} bus`, async (t) => {
    t.test(
      'a transaction still open holds back everything committed after it started, then both go out in order',
      async (t) => {
        const url = await createTestDatabase(t, `relay order ${kind}`);
        const database = openDatabase(url, { max: 4 });
        t.teardown(() => database.close());
        await migrateToLatest(database.db);
        const { bus } = await makeBus(t, kind);
        const heard = hear(bus);
        const relay = new OutboxRelay(database.db, bus, { log });
        t.teardown(() => relay.stop());
        const [slow, quick] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
        await slow.connect();
        await quick.connect();
        t.teardown(async () => {
          await slow.end();
          await quick.end();
        });
        const insert = (client: pg.Client, stream: string) =>
          client.query(
            `INSERT INTO events (stream_id, stream_version, event_id, type, data, occurred_at) VALUES ($1, 1, $2, 'AuctionOpened', '{}', now())`,
            [stream, newId()],
          );
        const [first, second] = [`auction-${newId()}`, `auction-${newId()}`];
        // A takes its position first and stays open; B takes a later position and commits.
        await slow.query('BEGIN');
        await insert(slow, first);
        await insert(quick, second);
        t.equal(await relay.step(), 0, 'nothing is published while A is open');
        t.same(heard, []);
        t.same(await readRelayCheckpoint(database.db), { xid: '0', position: 0 }, 'the checkpoint has not moved');

        await slow.query('COMMIT');
        t.equal(await relay.step(), 2, 'both are published once A commits');
        await until(() => heard.length === 2, 'two messages');
        t.same(
          heard.map((m) => m.event.streamId),
          [first, second],
          'in commit-safe order: A, then B',
        );
        t.same(heard[0]!.prev, { xid: '0', position: 0 });
        t.same(heard[1]!.prev, heard[0]!.event.logPosition, 'each message names the one before it');
        t.same(await readRelayCheckpoint(database.db), heard[1]!.event.logPosition);
        t.equal(await relay.step(), 0, 'and nothing twice');
      },
    );

    t.test(
      'a crash between publishing and the checkpoint: on restart nothing is lost and nothing counts twice',
      async (t) => {
        const url = await createTestDatabase(t, `relay crash ${kind}`);
        // Make a history with a service whose own relay can never publish.
        const silent: Bus = Object.assign(new MemoryBus(), {
          publish: async () => {
            throw new Error('bus down');
          },
        });
        const service = await startTestService(t, { databaseUrl: url, manualStop: true, bus: silent });
        const api = injectApi(service);
        const seller = await registerUser(api, 'seller');
        const [ann, bob] = [await fundedUser(api, 100_000), await fundedUser(api, 100_000)];
        const lot = await openAuction(api, seller, { minIncrement: 10 });
        for (let i = 1; i <= 10; i += 1) {
          await api('POST', `/v1/auctions/${lot.id}/bids`, {
            token: (i % 2 ? ann : bob).token,
            body: { maxAmount: 1_000 + i * 100, commandId: `c${i}` },
          });
        }
        await service.stop();

        const database = openDatabase(url, { max: 6 });
        t.teardown(() => database.close());
        const total = Number(
          (await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(database.db)).rows[0]!.n,
        );
        const { bus, namespace, url: natsUrl } = await makeBus(t, kind);
        const heard = hear(bus);
        const projections = new ProjectionManager(database.db, { log, bus, pollMillis: 60_000 });
        t.teardown(() => projections.stop());
        await projections.start();

        let crashed = false;
        const crashing: Bus = Object.assign(Object.create(bus) as Bus, {
          publish: async (events: readonly BusEvent[]) => {
            await bus.publish(events);
            crashed = true;
            throw new Error('crash after publishing, before the checkpoint');
          },
        });
        const first = new OutboxRelay(database.db, crashing, { log, batchSize: 10_000 });
        await t.rejects(first.step(), /crash after publishing/);
        t.ok(crashed);
        t.same(await readRelayCheckpoint(database.db), { xid: '0', position: 0 }, 'the checkpoint did not move');
        await first.stop();

        const second = new OutboxRelay(database.db, bus, { log, batchSize: 10_000 });
        t.teardown(() => second.stop());
        t.equal(await second.step(), total, 'the restarted relay publishes everything again');
        await until(() => heard.length === 2 * total, 'both publications to be heard');
        const ids = new Set(heard.map((m) => m.event.eventId));
        t.equal(ids.size, total, 'every event reached the bus, none lost');

        if (kind === 'nats') {
          // JetStream dropped the second publication of each msgID: the stream holds every event once.
          const nc = await connect({ servers: natsUrl });
          const jsm = await jetstreamManager(nc);
          const info = await jsm.streams.info(`${namespace}_AUCTION_EVENTS`);
          t.equal(info.state.messages, total, 'the stream holds each event exactly once');
          const consumer = await jetstream(nc).consumers.get(`${namespace}_AUCTION_EVENTS`);
          const stored = new Set<string>();
          const messages = await consumer.fetch({ max_messages: total, expires: 2_000 });
          for await (const m of messages) stored.add(m.json<BusEvent>().event.eventId);
          t.equal(stored.size, total, 'and a reader from the start sees each one');
          await nc.close();
        }
        await projections.settle();
        const checks = await database.db.transaction().execute((trx) => readModelChecks(trx));
        for (const check of checks) t.ok(check.ok, `${check.name}: ${check.detail}`);
        const bids = await sql<{ n: string }>`SELECT count(*) AS n FROM bid_history`.execute(database.db);
        t.equal(Number(bids.rows[0]!.n), 10, 'each bid applied once to the read model');
      },
    );
  });
}

t.test('only the relay holding the lease publishes', async (t) => {
  const database = await migratedDatabase(t, 'relay lease');
  const bus = new MemoryBus();
  const heard = hear(bus);
  const [a, b] = [new OutboxRelay(database.db, bus, { log }), new OutboxRelay(database.db, bus, { log })];
  t.teardown(async () => {
    await a.stop();
    await b.stop();
  });
  await appendOpened(database);
  t.equal(await a.step(), 1, 'the first takes the lease and publishes');
  t.equal(await b.step(), 0, 'the second finds the lease taken');
  t.notOk(b.leading);
  await a.stop();
  await appendOpened(database);
  t.equal(await b.step(), 1, 'once released, the other continues from the checkpoint');
  t.equal(heard.length, 2, 'nothing was published twice');
});

t.test('events this process committed are published from memory, exactly as the log holds them', async (t) => {
  const database = await migratedDatabase(t, 'relay recall');
  const bus = new MemoryBus();
  const heard = hear(bus);
  const recent = new RecentEvents();
  const relay = new OutboxRelay(database.db, bus, { log, recent });
  t.teardown(() => relay.stop());
  const append = async (n: number) => {
    const events = Array.from({ length: n }, (_, i) => ({
      streamId: `auction-${newId()}`,
      version: 1,
      eventId: newId(),
      type: 'AuctionOpened',
      data: { note: `event ${i}`, amount: 1_000 + i },
      at: Date.parse('2030-01-01T00:00:00.123Z') + i,
    }));
    await insertEvents(database.db, events);
    return events;
  };
  const known = await append(3);
  recent.remember(known);
  t.equal(await relay.step(), 3, 'all remembered: published from positions and memory');
  t.equal(recent.size, 0, 'and forgotten once published');

  // One event the process does not know (another writer's, or committed before a restart): the page is read in full.
  const mine = await append(2);
  const theirs = await append(1);
  recent.remember(mine);
  t.equal(await relay.step(), 3);
  await until(() => heard.length === 6, 'six messages');
  const logged = (await readCommitted(database.db, LOG_START, 100)).map(({ eventId, data, at, logPosition }) => ({
    eventId,
    data,
    at,
    logPosition,
  }));
  t.same(
    heard.map(({ event: { eventId, data, at, logPosition } }) => ({ eventId, data, at, logPosition })),
    logged,
    'what went out equals the log, positions included, in log order',
  );
  t.same(
    heard.slice(3).map((m) => m.event.eventId),
    [...mine, ...theirs].map((e) => e.eventId),
  );
});

t.test('while events keep coming, the relay lets them gather into fewer, larger steps', async (t) => {
  const database = await migratedDatabase(t, 'relay gathering');
  const bus = new MemoryBus();
  const batches: number[] = [];
  const relay = new OutboxRelay(database.db, bus, {
    log,
    stepMillis: 1_000,
    pollMillis: 20,
    onPublished: (events) => batches.push(events.length),
  });
  t.teardown(() => relay.stop());
  relay.start();
  await appendOpened(database);
  await until(() => batches.length === 1, 'the first event, published at once');
  // Five commits, one wake each, well inside the step interval: they go out together in the next step.
  for (let i = 0; i < 5; i += 1) {
    await appendOpened(database);
    relay.wake();
  }
  await until(() => batches.length === 2, 'the next step');
  t.same(batches, [1, 5], 'one step for the first event, one for the five that came while it was pacing');
});
