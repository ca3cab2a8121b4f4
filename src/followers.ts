/**
 * The followers of the log: the outbox relay, which publishes committed events to the bus, and the read-model
 * projections fed by it. They share a pool of their own whose commits do not wait for the disk: they write only
 * what the log can rebuild, each with its checkpoint in the same statement, so a crash loses both together and
 * the log replays them. Bids and deposits never go through this pool.
 *
 * The service builds them here; so does the latency benchmark's write floor, which measures what they cost
 * beside a bare write path.
 */
import type { Logger } from 'pino';
import { ProjectionManager } from '../projections/projection-manager.js';
import type { Bus, BusEvent } from './bus/bus.js';
import { type Database, openDatabase } from './db/database.js';
import type { EventToAppend } from './event-store/types.js';
import { OutboxRelay } from './relay/outbox-relay.js';
import { RecentEvents } from './relay/recent-events.js';

export interface FollowersOptions {
  readonly log: Logger;
  /** Least milliseconds between relay steps while events keep coming (RELAY_STEP_MILLIS). */
  readonly relayStepMillis: number;
  /** Least milliseconds between a read model's batches while events keep coming (PROJECTION_STEP_MILLIS). */
  readonly projectionStepMillis: number;
  /** Told after each batch the relay published. */
  readonly onPublished?: (events: readonly BusEvent[]) => void;
}

export interface Followers {
  readonly relay: OutboxRelay;
  readonly projections: ProjectionManager;
  /** Events this process just committed: the relay publishes them from memory, and now. */
  committed(events: readonly EventToAppend[]): void;
  start(): Promise<void>;
  /** Stops the projections and the relay and closes their pool; flush the relay first to publish everything. */
  stop(): Promise<void>;
}

export function openFollowers(databaseUrl: string, bus: Bus, options: FollowersOptions): Followers {
  const database: Database = openDatabase(databaseUrl, {
    max: 6,
    synchronousCommit: false,
    applicationName: 'live-auction-followers',
  });
  const recent = new RecentEvents();
  const relay = new OutboxRelay(database.db, bus, {
    recent,
    stepMillis: options.relayStepMillis,
    log: options.log.child({ subsystem: 'relay' }),
    ...(options.onPublished ? { onPublished: options.onPublished } : {}),
  });
  const projections = new ProjectionManager(database.db, {
    log: options.log.child({ subsystem: 'projections' }),
    bus,
    stepMillis: options.projectionStepMillis,
  });
  return {
    relay,
    projections,
    committed(events) {
      if (events.length === 0) return;
      recent.remember(events);
      relay.wake();
    },
    async start() {
      await projections.start();
      relay.start();
    },
    async stop() {
      await projections.stop();
      await relay.stop();
      await database.close();
    },
  };
}
