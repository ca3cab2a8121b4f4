/**
 * The auction use cases, shared by HTTP and WebSocket: they turn requests into actor commands and outcomes
 * into answers or ServiceErrors.
 */
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { ServiceError } from '../errors.js';
import { auctionStreamId } from '../event-store/streams.js';
import type { EventToAppend } from '../event-store/types.js';
import { readStream } from '../event-store/read-stream.js';
import { newId } from '../ids.js';
import { type AuctionState, foldAuction } from './auction.js';
import type { IncomingCommand } from './actor.js';
import type { CommandRouter } from './command-router.js';
import { type Idempotency, bidIdempotency } from './decide-batch.js';
import { insertAuctionStream, toAuctionEvent } from './auction-store.js';
import { type CreateAuctionInput, createAuction } from './create.js';
import type { CommandReply, Outcome } from './decide.js';
import { type PublicEvent, publicEvent } from './public-view.js';

export interface AuctionServiceDeps {
  readonly db: Db;
  readonly router: CommandRouter;
  readonly clock: Clock;
  readonly onCreated: (state: AuctionState, events: readonly EventToAppend[]) => void;
  /** Counts each command's outcome: `ok`, a rejection code, or the code of a failure (busy, unavailable). */
  readonly observe?: (type: IncomingCommand['type'], outcome: string) => void;
}

export type BidAnswer = Omit<Extract<CommandReply, { kind: 'bid' }>, 'kind'>;
export type BuyNowAnswer = Omit<Extract<CommandReply, { kind: 'buy_now' }>, 'kind'>;

export interface SeqEvent extends PublicEvent {
  seq: number;
}

function unwrap<K extends CommandReply['kind']>(outcome: Outcome, kind: K): Extract<CommandReply, { kind: K }> {
  if (!outcome.ok) throw ServiceError.from(outcome.rejection);
  if (outcome.reply.kind !== kind) throw new Error(`expected a ${kind} reply, got ${outcome.reply.kind}`);
  return outcome.reply as Extract<CommandReply, { kind: K }>;
}

function withoutKind<T extends { kind: string }>(reply: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = reply;
  return rest;
}

export class AuctionService {
  constructor(private readonly deps: AuctionServiceDeps) {}

  async create(sellerId: string, input: CreateAuctionInput): Promise<AuctionState> {
    const now = this.deps.clock.now();
    const auctionId = newId(now);
    const creation = createAuction(auctionId, sellerId, input, now);
    if (!creation.ok) throw ServiceError.from(creation.rejection);
    const state = foldAuction(creation.events) as AuctionState;
    const records: EventToAppend[] = creation.events.map((event, i) => ({
      streamId: auctionStreamId(auctionId),
      version: i + 1,
      eventId: newId(event.at),
      ...event,
    }));
    await this.deps.db.transaction().execute((trx) => insertAuctionStream(trx, state, records));
    this.deps.onCreated(state, records);
    return state;
  }

  async get(auctionId: string): Promise<AuctionState> {
    const state = await this.deps.router.state(auctionId);
    if (!state) throw new ServiceError('not_found', 'No such auction');
    return state;
  }

  async placeBid(userId: string, auctionId: string, maxAmount: number, commandId: string): Promise<BidAnswer> {
    const outcome = await this.send(
      auctionId,
      { type: 'PlaceBid', bidderId: userId, maxAmount, commandId },
      bidIdempotency(userId, commandId, auctionId, maxAmount),
    );
    return withoutKind(unwrap(outcome, 'bid'));
  }

  async buyNow(userId: string, auctionId: string, commandId: string): Promise<BuyNowAnswer> {
    const outcome = await this.send(
      auctionId,
      { type: 'BuyNow', buyerId: userId, commandId },
      { userId, commandId, fingerprint: `buy_now:${auctionId}` },
    );
    return withoutKind(unwrap(outcome, 'buy_now'));
  }

  async cancel(userId: string, auctionId: string): Promise<AuctionState> {
    unwrap(await this.send(auctionId, { type: 'CancelAuction', userId }), 'cancelled');
    return this.get(auctionId);
  }

  private async send(auctionId: string, command: IncomingCommand, idempotency?: Idempotency): Promise<Outcome> {
    try {
      const outcome = await this.deps.router.send(auctionId, command, idempotency);
      this.deps.observe?.(command.type, outcome.ok ? 'ok' : outcome.rejection.code);
      return outcome;
    } catch (err) {
      this.deps.observe?.(command.type, err instanceof ServiceError ? err.code : 'error');
      throw err;
    }
  }

  /** The auction's public events after `after`, in seq order, straight from its stream. */
  async events(auctionId: string, after: number, limit: number): Promise<SeqEvent[]> {
    const rows = await readStream(this.deps.db, auctionStreamId(auctionId), { afterVersion: after, limit });
    if (rows.length === 0) await this.get(auctionId);
    return rows.map((r) => ({ ...publicEvent(toAuctionEvent(r)), seq: r.version }));
  }
}
