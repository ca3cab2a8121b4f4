/**
 * The composition root: builds every part from the configuration, starts them in order, and stops them in
 * the reverse order. server.ts runs it as a process; tests and benchmarks run it in theirs.
 */
import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { ProjectionManager } from '../projections/projection-manager.js';
import { listProjectionVersions } from '../projections/projection-store.js';
import { type App, buildApp } from './app.js';
import { ActorRegistry } from './auctions/actor-registry.js';
import { nextDeadline } from './auctions/auction.js';
import { AuctionService } from './auctions/auction-service.js';
import { loadAuction, loadDeadlines } from './auctions/auction-store.js';
import type { CommandRouter } from './auctions/command-router.js';
import { DeadlineScheduler } from './auctions/deadline-scheduler.js';
import type { CommittedUnit } from './auctions/decide-batch.js';
import { GroupCommitter } from './auctions/group-commit.js';
import { LockPerRequestRouter } from './baseline/lock-per-request.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import { NatsBus } from './bus/nats-bus.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres.js';
import { migrateToLatest } from './db/migrate.js';
import { lagBehind } from './event-store/read-all.js';
import { adminRoutes } from './http/admin-routes.js';
import { openFollowers } from './followers.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { roomSource } from './realtime/room-source.js';
import { Rooms } from './realtime/rooms.js';
import { WalletChannels } from './realtime/wallet-channels.js';
import { websocketGateway } from './realtime/ws-gateway.js';
import type { OutboxRelay } from './relay/outbox-relay.js';
import { readRelayCheckpoint } from './relay/relay-store.js';
import { Authenticator } from './users/authenticator.js';
import { RateLimiter } from './users/rate-limiter.js';
import { registerUser } from './users/user-store.js';
import { WalletService } from './wallets/wallet-service.js';

export interface ServiceOptions {
  readonly config: Config;
  readonly log?: Logger;
  readonly clock?: Clock;
  /** false: build everything but do not open a port (tests that use app.inject). */
  readonly listen?: boolean;
  /** Process-wide metrics (GC, memory); off in tests that start many services. */
  readonly processMetrics?: boolean;
  /** A bus to use instead of the one the configuration names (tests wrap one to inject faults). */
  readonly bus?: Bus;
}

export interface RunningService {
  readonly app: App;
  /** http://host:port once listening, else ''. */
  readonly url: string;
  readonly database: Database;
  readonly registry: ActorRegistry;
  readonly router: CommandRouter;
  readonly scheduler: DeadlineScheduler;
  readonly projections: ProjectionManager;
  readonly relay: OutboxRelay;
  readonly bus: Bus;
  readonly auctions: AuctionService;
  readonly wallets: WalletService;
  readonly metrics: Metrics;
  readonly clock: Clock;
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { config } = options;
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;

  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(
      config.DATA_DIR,
      config.EMBEDDED_PG_PORT,
      log.child({ subsystem: 'embedded-postgres' }),
    );
    databaseUrl = embedded.url;
  }
  const database = openDatabase(databaseUrl, { max: config.DB_POOL_SIZE });
  const { db } = database;
  try {
    await migrateToLatest(db);
  } catch (err) {
    await database.close();
    await embedded?.stop();
    throw err;
  }

  const metrics = new Metrics({ processMetrics: options.processMetrics ?? true });
  const bus: Bus =
    options.bus ??
    (config.NATS_URL
      ? new NatsBus(config.NATS_URL, {
          log: log.child({ subsystem: 'bus' }),
          ...(config.NATS_NAMESPACE ? { namespace: config.NATS_NAMESPACE } : {}),
        })
      : new MemoryBus());
  const followers = openFollowers(databaseUrl, bus, {
    log,
    relayStepMillis: config.RELAY_STEP_MILLIS,
    projectionStepMillis: config.PROJECTION_STEP_MILLIS,
    onPublished: (events) => metrics.relayedEvents.inc(events.length),
  });
  const { relay, projections } = followers;
  const committer = new GroupCommitter(database.pool, {
    maxCommandsPerTransaction: config.MAX_COMMANDS_PER_TRANSACTION,
    concurrency: config.COMMIT_CONCURRENCY,
    observer: {
      transaction: ({ units, commands, seconds, ok }) => {
        metrics.commitSeconds.observe({ result: ok ? 'committed' : 'failed' }, seconds);
        if (ok) {
          metrics.batchCommands.observe(commands);
          metrics.batchUnits.observe(units);
        }
      },
    },
  });

  // The registry, the router and the timers refer to each other through callbacks; all exist before any runs.
  const onCommitted = (auctionId: string, committed: CommittedUnit): void => {
    timers.set(auctionId, nextDeadline(committed.state));
    followers.committed(committed.events);
  };
  const actorLog = log.child({ subsystem: 'actor' });
  const registry = new ActorRegistry(
    {
      load: (auctionId) => loadAuction(db, auctionId),
      commit: (unit) => committer.submit(unit),
      onCommitted,
      clock,
      log: actorLog,
      mailboxCapacity: config.MAILBOX_CAPACITY,
      maxBatch: config.MAX_BATCH,
      maxAttempts: 3,
      onConflict: () => metrics.fenceConflicts.inc(),
    },
    { idleMillis: config.ACTOR_IDLE_SECONDS * 1000 },
  );
  const router: CommandRouter =
    config.COMMAND_MODE === 'actor' ? registry : new LockPerRequestRouter(database.pool, db, clock, onCommitted);
  const timers = new DeadlineScheduler(clock, (auctionId) => {
    router.send(auctionId, { type: 'Tick' }, undefined, true).catch((err: unknown) => {
      // The deadline has passed and stays due; wait a second of real time (not domain time) and try again.
      actorLog.warn({ err, auctionId }, 'a timer could not reach its auction; trying again in a second');
      setTimeout(() => timers.set(auctionId, clock.now()), 1000).unref();
    });
  });

  const auctions = new AuctionService({
    db,
    router,
    clock,
    onCreated: (state) => {
      timers.set(state.id, nextDeadline(state));
      relay.wake();
    },
    observe: (type, outcome) => metrics.commands.inc({ type, outcome }),
  });
  const wallets = new WalletService({ db, clock, onAppended: () => relay.wake() });
  const authenticator = new Authenticator(db);
  const limiter = new RateLimiter(clock, config.RATE_LIMIT_PER_SECOND, config.RATE_LIMIT_BURST);
  const rooms = new Rooms({
    bus,
    source: roomSource(db, router),
    log: log.child({ subsystem: 'ws' }),
    maxReplay: 1_000,
    recentFrames: 256,
  });

  metrics.sample({
    mailbox: () => registry.mailboxDepths(),
    actors: () => registry.activeActors,
    lag: async () => {
      const now = clock.now();
      const followers = [{ follower: 'relay', at: await readRelayCheckpoint(db) }];
      for (const v of await listProjectionVersions(db))
        if (v.status === 'live') followers.push({ follower: `projection:${v.name}`, at: v.checkpoint });
      return Promise.all(followers.map(async (f) => ({ follower: f.follower, ...(await lagBehind(db, f.at, now)) })));
    },
  });

  let stopping: Promise<void> | null = null;
  const app = await buildApp({
    log,
    db,
    auctions,
    wallets,
    authenticator,
    limiter,
    metrics,
    register: (displayName) => registerUser(db, displayName),
    logRequests: config.LOG_REQUESTS,
    readiness: async () => {
      const database = await sql`SELECT 1`.execute(db).then(
        () => true,
        () => false,
      );
      const busUp = bus.connected();
      return { ready: database && busUp && stopping === null, checks: { migrations: true, database, bus: busUp } };
    },
    plugins: [
      websocketGateway({
        rooms,
        walletChannels: new WalletChannels(bus),
        auctions,
        authenticator,
        limiter,
        log: log.child({ subsystem: 'ws' }),
        maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
        heartbeatMillis: config.WS_HEARTBEAT_SECONDS * 1000,
        observe: {
          connections: (delta) => metrics.sockets.inc(delta),
          slowClosed: () => metrics.slowSocketsClosed.inc(),
        },
      }),
      async (instance) => instance.register(adminRoutes, { db, projections, operatorToken: config.OPERATOR_TOKEN }),
    ],
  });

  await followers.start();
  for (const deadline of await loadDeadlines(db)) timers.set(deadline.auctionId, deadline.dueAt);

  let url = '';
  if (options.listen ?? true) {
    url = await app.listen({ port: config.PORT, host: config.HOST });
  }

  const stop = (): Promise<void> => {
    // SPEC §2: stop accepting, commit and answer what the actors hold, flush the relay, close sockets (1001).
    stopping ??= (async () => {
      log.info('stopping: no new commands; draining auction actors');
      await router.drain();
      timers.stop();
      if (!(await relay.flush()))
        log.warn('the relay could not publish everything before stopping; it resumes on the next start');
      await app.close();
      rooms.closeAll();
      await followers.stop();
      await bus.close();
      await database.close();
      await embedded?.stop();
      log.info('stopped');
    })();
    return stopping;
  };

  return {
    app,
    url,
    database,
    registry,
    router,
    scheduler: timers,
    projections,
    relay,
    bus,
    auctions,
    wallets,
    metrics,
    clock,
    stop,
  };
}
