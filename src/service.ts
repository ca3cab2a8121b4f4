/**
 * The composition root: builds every part from the configuration, starts them in order, and stops them in
 * the reverse order. server.ts runs it as a process; tests and benchmarks run it in theirs.
 */
import type { Logger } from 'pino';
import { sql } from 'kysely';
import { ProjectionManager } from '../projections/projection-manager.js';
import { type App, buildApp } from './app.js';
import { ActorRegistry } from './auctions/actor-registry.js';
import { nextDeadline } from './auctions/auction.js';
import { AuctionService } from './auctions/auction-service.js';
import { loadAuction, loadDeadlines } from './auctions/auction-store.js';
import { DeadlineScheduler } from './auctions/deadline-scheduler.js';
import { GroupCommitter } from './auctions/group-commit.js';
import type { CommandRouter } from './auctions/command-router.js';
import type { CommittedUnit } from './auctions/decide-batch.js';
import { LockPerRequestRouter } from './baseline/lock-per-request.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres.js';
import { migrateToLatest } from './db/migrate.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
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
}

export interface RunningService {
  readonly app: App;
  /** http://host:port once listening, else ''. */
  readonly url: string;
  readonly database: Database;
  readonly registry: ActorRegistry;
  readonly scheduler: DeadlineScheduler;
  readonly projections: ProjectionManager;
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
  const projections = new ProjectionManager(db, { log: log.child({ subsystem: 'projections' }) });
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

  const actorLog = log.child({ subsystem: 'actor' });
  // The registry, the router and the timers refer to each other through callbacks; all exist before any runs.
  const registry = new ActorRegistry(
    {
      load: (auctionId) => loadAuction(db, auctionId),
      commit: (unit) => committer.submit(unit),
      onCommitted: (auctionId, committed) => onCommitted(auctionId, committed),
      clock,
      log: actorLog,
      mailboxCapacity: config.MAILBOX_CAPACITY,
      maxBatch: config.MAX_BATCH,
      maxAttempts: 3,
      onConflict: () => metrics.fenceConflicts.inc(),
    },
    { idleMillis: config.ACTOR_IDLE_SECONDS * 1000 },
  );
  const onCommitted = (auctionId: string, committed: CommittedUnit): void => {
    timers.set(auctionId, nextDeadline(committed.state));
    if (committed.events.length > 0) projections.wake();
  };
  const router: CommandRouter =
    config.COMMAND_MODE === 'actor' ? registry : new LockPerRequestRouter(database.pool, db, clock, onCommitted);
  const timers = new DeadlineScheduler(clock, (auctionId) => {
    router.send(auctionId, { type: 'Tick' }, undefined, true).catch((err: unknown) => {
      // The deadline has passed and stays due; wait a second of real time (not domain time) and try again.
      actorLog.warn({ err, auctionId }, 'a timer could not reach its auction; trying again in a second');
      setTimeout(() => timers.set(auctionId, clock.now()), 1000).unref();
    });
  });
  metrics.sample({ mailbox: () => registry.mailboxDepths(), actors: () => registry.activeActors });

  const auctions = new AuctionService({
    db,
    router,
    clock,
    onCreated: (state) => {
      timers.set(state.id, nextDeadline(state));
      projections.wake();
    },
    observe: (type, outcome) => metrics.commands.inc({ type, outcome }),
  });
  const wallets = new WalletService({ db, clock, onAppended: () => projections.wake() });

  const app = await buildApp({
    log,
    db,
    auctions,
    wallets,
    authenticator: new Authenticator(db),
    limiter: new RateLimiter(clock, config.RATE_LIMIT_PER_SECOND, config.RATE_LIMIT_BURST),
    metrics,
    register: (displayName) => registerUser(db, displayName),
    logRequests: config.LOG_REQUESTS,
    readiness: async () => {
      const database = await sql`SELECT 1`.execute(db).then(
        () => true,
        () => false,
      );
      return { ready: database && !stopping, checks: { migrations: true, database } };
    },
  });

  await projections.start();
  for (const deadline of await loadDeadlines(db)) timers.set(deadline.auctionId, deadline.dueAt);

  let url = '';
  if (options.listen ?? true) {
    url = await app.listen({ port: config.PORT, host: config.HOST });
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping: no new requests; draining auction actors');
      await app.close();
      await router.drain();
      timers.stop();
      await projections.stop();
      await database.close();
      await embedded?.stop();
      log.info('stopped');
    })();
    return stopping;
  };

  return { app, url, database, registry, scheduler: timers, projections, auctions, wallets, metrics, clock, stop };
}
