/**
 * Prometheus metrics, on a registry of our own (so several apps in one test process do not collide).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

interface Collectable {
  collect: () => void | Promise<void>;
}

export class Metrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'auction_commands_total',
    help: 'Auction commands answered, by type and outcome (ok or the rejection code)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly batchCommands = new Histogram({
    name: 'auction_commit_batch_commands',
    help: 'Commands carried by one group-commit transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
    registers: [this.registry],
  });

  readonly batchUnits = new Histogram({
    name: 'auction_commit_batch_auctions',
    help: 'Auctions (actor batches) carried by one group-commit transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });

  readonly commitSeconds = new Histogram({
    name: 'auction_commit_seconds',
    help: 'Time of one group-commit transaction, from the idempotency lookup to COMMIT',
    labelNames: ['result'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly fenceConflicts = new Counter({
    name: 'auction_fence_conflicts_total',
    help: 'Batches refused because another writer had moved the auction stream on (each is reloaded and retried)',
    registers: [this.registry],
  });

  readonly mailboxDepth = new Gauge({
    name: 'auction_mailbox_depth',
    help: 'Commands waiting in auction mailboxes: total, and the deepest single mailbox',
    labelNames: ['stat'] as const,
    registers: [this.registry],
  });

  readonly activeActors = new Gauge({
    name: 'auction_actors_active',
    help: 'Auction actors held in memory',
    registers: [this.registry],
  });

  readonly lag = new Gauge({
    name: 'auction_follower_lag_events',
    help: 'Committed events not yet published (relay) or applied (each live projection)',
    labelNames: ['follower'] as const,
    registers: [this.registry],
  });

  readonly lagSeconds = new Gauge({
    name: 'auction_follower_lag_seconds',
    help: 'Age of the oldest committed event not yet published (relay) or applied (each projection); 0 when caught up',
    labelNames: ['follower'] as const,
    registers: [this.registry],
  });

  readonly relayedEvents = new Counter({
    name: 'auction_relay_published_events_total',
    help: 'Events the outbox relay has published to the bus',
    registers: [this.registry],
  });

  readonly sockets = new Gauge({
    name: 'auction_websocket_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });

  readonly slowSocketsClosed = new Counter({
    name: 'auction_websocket_slow_closed_total',
    help: 'Sockets closed with 4008 because their send buffer fell too far behind',
    registers: [this.registry],
  });

  readonly httpSeconds = new Histogram({
    name: 'http_request_seconds',
    help: 'HTTP request duration by route and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges read at scrape time from whoever owns the numbers. */
  sample(sources: {
    mailbox: () => { total: number; max: number };
    actors: () => number;
    lag?: () => Promise<Array<{ follower: string; events: number; seconds: number }>>;
  }): void {
    // prom-client calls a gauge's `collect` before each scrape; the typings omit the property.
    const mailbox = this.mailboxDepth;
    const actors = this.activeActors;
    (mailbox as unknown as Collectable).collect = () => {
      const depth = sources.mailbox();
      mailbox.set({ stat: 'total' }, depth.total);
      mailbox.set({ stat: 'max' }, depth.max);
    };
    (actors as unknown as Collectable).collect = () => actors.set(sources.actors());
    const { lag, lagSeconds } = this;
    const readLag = sources.lag;
    if (readLag) {
      // prom-client collects metrics concurrently; both gauges share one reading per scrape.
      let reading: { at: number; value: ReturnType<typeof readLag> } | null = null;
      const current = () => {
        if (!reading || Date.now() - reading.at > 250) reading = { at: Date.now(), value: readLag() };
        return reading.value;
      };
      (lag as unknown as Collectable).collect = async () => {
        for (const l of await current()) lag.set({ follower: l.follower }, l.events);
      };
      (lagSeconds as unknown as Collectable).collect = async () => {
        for (const l of await current()) lagSeconds.set({ follower: l.follower }, l.seconds);
      };
    }
  }
}
