/**
 * The event bus between the outbox relay and everything that follows the log live: WebSocket rooms and
 * read-model projections. Two implementations behind this interface: NATS JetStream (nats-bus.ts) and an
 * in-process bus for embedded mode (memory-bus.ts); everything above it is the same code.
 *
 * The bus is a transport, not the source of truth: every message carries its place in the log and the place
 * of the message published before it (`prev`), so a consumer can tell a duplicate (at or before its
 * checkpoint) from a gap (prev after its checkpoint) and fill a gap from PostgreSQL.
 */
import type { LogPosition, RecordedEvent } from '../event-store/types.js';
import { parseStreamId } from '../event-store/streams.js';

export interface BusEvent {
  readonly event: RecordedEvent;
  /** The log position of the event the relay published just before this one. */
  readonly prev: LogPosition;
}

/**
 * The most events the in-process bus hands a consumer at once. A delivery this large means the bus is holding
 * a backlog for that consumer; over NATS, where a delivery is everything pending, it means the same.
 */
export const BACKLOG_DELIVERY = 1_000;

export interface BusConsumer {
  /** Delivers batches in publish order; a batch is acknowledged once `handle` resolves, redelivered if it throws. */
  start(handle: (events: BusEvent[]) => Promise<void>): void;
  stop(): Promise<void>;
}

export interface Bus {
  readonly kind: 'nats' | 'memory';
  /** Publishes in order and resolves once every message is stored by the bus. */
  publish(events: readonly BusEvent[]): Promise<void>;
  /** Live messages on a subject pattern (`auction.<id>.>`), for this process only, without history. */
  subscribe(pattern: string, handler: (event: BusEvent) => void): () => void;
  /** A durable, acknowledged feed of every event, one per projection. */
  consumer(name: string): BusConsumer;
  /** Called after the connection comes back, so live followers can fill what they may have missed. */
  onReconnect(listener: () => void): () => void;
  connected(): boolean;
  close(): Promise<void>;
}

/** `auction.<id>.<Type>` or `wallet.<userId>.<Type>`. */
export function subjectOf(event: RecordedEvent): string {
  const ref = parseStreamId(event.streamId);
  if (ref.kind === 'auction') return `auction.${ref.auctionId}.${event.type}`;
  if (ref.kind === 'wallet') return `wallet.${ref.userId}.${event.type}`;
  return `other.${event.type}`;
}

export const auctionSubjects = (auctionId: string): string => `auction.${auctionId}.>`;
export const walletSubjects = (userId: string): string => `wallet.${userId}.>`;

export function encodeBusEvent(e: BusEvent): string {
  return JSON.stringify(e);
}

export function decodeBusEvent(text: string): BusEvent {
  return JSON.parse(text) as BusEvent;
}
