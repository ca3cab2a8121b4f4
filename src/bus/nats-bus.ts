/**
 * The bus over NATS JetStream. One stream, AUCTION_EVENTS, holds every published event on `auction.>` and
 * `wallet.>`; the relay publishes each with `msgID = event_id`, so a republish inside the duplicate window is
 * dropped by the server. Rooms use plain subscriptions (live only; they fill gaps from PostgreSQL);
 * projections use durable pull consumers with explicit acks.
 *
 * The connection is made in the background and retried for ever: the service takes bids while NATS is down
 * (the relay waits), and /ready says the bus is not reachable.
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, type Subscription, connect } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { type Bus, type BusConsumer, type BusEvent, decodeBusEvent, encodeBusEvent, subjectOf } from './bus.js';

export const STREAM_NAME = 'AUCTION_EVENTS';

export interface NatsBusOptions {
  readonly log: Logger;
  /**
   * Prefix for the stream, its subjects and consumer names, so several deployments (or test runs) can share
   * one NATS server without seeing each other's events.
   */
  readonly namespace?: string;
  /** How long JetStream remembers msgIDs: a relay restarted within it republishes nothing twice. */
  readonly duplicateWindowMs?: number;
  /** How long messages stay in the stream; older history is read from PostgreSQL. */
  readonly maxAgeMs?: number;
}

const NANOS = 1_000_000;

export class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private jsm: JetStreamManager | null = null;
  private up = false;
  private closed = false;
  private readonly connecting: Promise<void>;
  private readonly subscriptions = new Map<{ pattern: string; handler: (e: BusEvent) => void }, Subscription | null>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly consumers = new Set<NatsConsumer>();
  readonly stream: string;
  private readonly prefix: string;

  constructor(
    private readonly url: string,
    private readonly options: NatsBusOptions,
  ) {
    const ns = options.namespace ?? '';
    if (!/^[A-Za-z0-9_-]*$/.test(ns)) throw new Error('NATS namespace: letters, digits, _ and - only');
    this.prefix = ns ? `${ns}.` : '';
    this.stream = ns ? `${ns}_${STREAM_NAME}` : STREAM_NAME;
    this.connecting = this.connect();
    // The first connection may take a while (NATS down at start); nobody must await it to start the service.
    this.connecting.catch((err: unknown) => options.log.error({ err }, 'NATS connection given up'));
  }

  connected(): boolean {
    return this.up;
  }

  /** Resolves once connected and the stream exists, or rejects after `timeoutMs`. */
  async ready(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`NATS at ${this.url} is not reachable`)), timeoutMs);
    });
    try {
      await Promise.race([this.connecting, timeout]);
      if (!this.up) throw new Error(`NATS at ${this.url} is not connected`);
    } finally {
      clearTimeout(timer);
    }
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.ready();
    const js = this.js as JetStreamClient;
    // Sent back to back on one connection, so the stream stores them in this order; then all acks awaited.
    await Promise.all(
      events.map((e) =>
        js.publish(this.prefix + subjectOf(e.event), encodeBusEvent(e), { msgID: e.event.eventId, timeout: 10_000 }),
      ),
    );
  }

  subscribe(pattern: string, handler: (event: BusEvent) => void): () => void {
    const key = { pattern, handler };
    this.subscriptions.set(key, this.nc && this.up ? this.natsSubscribe(key) : null);
    return () => {
      this.subscriptions.get(key)?.unsubscribe();
      this.subscriptions.delete(key);
    };
  }

  consumer(name: string): BusConsumer {
    const consumer = new NatsConsumer(this, `${this.prefix.replace('.', '_')}${name}`, this.options.log);
    this.consumers.add(consumer);
    return consumer;
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await this.nc?.close().catch(() => undefined);
  }

  /** For consumers: the JetStream handles once connected. */
  async handles(): Promise<{ js: JetStreamClient; jsm: JetStreamManager; stream: string }> {
    await this.ready(60_000);
    return { js: this.js as JetStreamClient, jsm: this.jsm as JetStreamManager, stream: this.stream };
  }

  private async connect(): Promise<void> {
    const nc = await connect({
      servers: this.url,
      name: 'live-auction',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
    });
    if (this.closed) {
      await nc.close();
      return;
    }
    this.nc = nc;
    this.js = jetstream(nc);
    this.jsm = await jetstreamManager(nc);
    await this.ensureStream(this.jsm);
    this.up = true;
    for (const key of this.subscriptions.keys()) this.subscriptions.set(key, this.natsSubscribe(key));
    this.options.log.info({ url: this.url, stream: this.stream }, 'connected to NATS JetStream');
    void this.watchStatus(nc);
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.up = false;
        this.options.log.warn('NATS disconnected; retrying');
      } else if (status.type === 'reconnect') {
        this.up = true;
        this.options.log.info('NATS reconnected');
        for (const listener of this.reconnectListeners) listener();
      }
    }
  }

  /** Creates the stream, or brings an existing one to this configuration. */
  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    const config = {
      name: this.stream,
      subjects: [`${this.prefix}auction.>`, `${this.prefix}wallet.>`],
      duplicate_window: (this.options.duplicateWindowMs ?? 10 * 60_000) * NANOS,
      max_age: (this.options.maxAgeMs ?? 7 * 24 * 3_600_000) * NANOS,
    };
    try {
      await jsm.streams.info(this.stream);
      await jsm.streams.update(this.stream, config);
    } catch {
      await jsm.streams.add(config);
    }
  }

  private natsSubscribe(key: { pattern: string; handler: (e: BusEvent) => void }): Subscription {
    const nc = this.nc as NatsConnection;
    return nc.subscribe(this.prefix + key.pattern, {
      callback: (err, msg) => {
        if (err) return;
        key.handler(decodeBusEvent(msg.string()));
      },
    });
  }
}

/**
 * One projection's durable pull consumer. Messages are handled in batches: whatever has arrived while the
 * previous batch was being applied goes together into the next, and is acknowledged once applied.
 */
class NatsConsumer implements BusConsumer {
  private running = false;
  private loop: Promise<void> | null = null;
  private stopMessages: (() => Promise<void>) | null = null;

  constructor(
    private readonly bus: NatsBus,
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  start(handle: (events: BusEvent[]) => Promise<void>): void {
    this.running = true;
    this.loop = this.run(handle);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopMessages?.();
    await this.loop;
  }

  private async run(handle: (events: BusEvent[]) => Promise<void>): Promise<void> {
    while (this.running) {
      try {
        const { js, jsm, stream } = await this.bus.handles();
        await jsm.consumers.info(stream, this.name).catch(() =>
          jsm.consumers.add(stream, {
            durable_name: this.name,
            ack_policy: AckPolicy.Explicit,
            // A new consumer starts at the head: what came before is read from PostgreSQL.
            deliver_policy: DeliverPolicy.New,
            max_ack_pending: 20_000,
            ack_wait: 30 * 1_000_000_000,
          }),
        );
        const consumer = await js.consumers.get(stream, this.name);
        const messages = await consumer.consume({ max_messages: 2_000 });
        this.stopMessages = async () => {
          await messages.close();
        };
        let pending: Array<{ event: BusEvent; ack: () => void; nak: () => void }> = [];
        // The batch being applied, if any (an object, so the closures below and this loop share it).
        const flow: { working: Promise<void> | null } = { working: null };
        const work = async (): Promise<void> => {
          while (pending.length > 0) {
            const batch = pending;
            pending = [];
            try {
              await handle(batch.map((p) => p.event));
              for (const p of batch) p.ack();
            } catch (err) {
              this.log.warn({ err, consumer: this.name }, 'batch not applied; it will be redelivered');
              for (const p of batch) p.nak();
            }
          }
        };
        const kick = (): void => {
          if (flow.working || pending.length === 0) return;
          flow.working = work().finally(() => {
            flow.working = null;
            kick();
          });
        };
        for await (const m of messages) {
          pending.push({ event: decodeBusEvent(m.string()), ack: () => m.ack(), nak: () => m.nak(1_000) });
          kick();
          if (!this.running) break;
        }
        await flow.working;
      } catch (err) {
        if (this.running) this.log.warn({ err, consumer: this.name }, 'consumer interrupted; resuming');
      }
      if (this.running) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
