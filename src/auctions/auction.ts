/**
 * The auction aggregate: its events, its state, and `evolve`, which folds one into the other.
 * Pure: no IO, no clock. Times are epoch milliseconds; amounts are integer minor units.
 */
import { incrementAt } from './increments.js';

export type AuctionStatus = 'scheduled' | 'open' | 'closed' | 'cancelled';
export type CloseReason = 'ended' | 'buy_now';

export interface SoftClose {
  readonly windowSeconds: number;
  readonly extensionSeconds: number;
}

export const DEFAULT_SOFT_CLOSE: SoftClose = { windowSeconds: 60, extensionSeconds: 60 };

export interface AuctionCreatedData {
  readonly auctionId: string;
  readonly sellerId: string;
  readonly title: string;
  readonly description: string;
  readonly startingPrice: number;
  /** null: the tier table of increments.ts applies. */
  readonly minIncrement: number | null;
  /** Secret: never leaves the service. */
  readonly reservePrice: number | null;
  readonly buyNowPrice: number | null;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly softClose: SoftClose;
}

export interface BidPlacedData {
  readonly bidderId: string;
  /** Secret: the most this bidder will pay. */
  readonly maxAmount: number;
  readonly commandId: string;
  readonly currentPrice: number;
  readonly leaderId: string;
  readonly reserveMet: boolean;
}

export interface AuctionClosedData {
  readonly reason: CloseReason;
  readonly sold: boolean;
  readonly winnerId: string | null;
  readonly finalPrice: number | null;
  readonly reserveMet: boolean;
}

type Ev<T extends string, D> = { readonly type: T; readonly at: number; readonly data: D };

export type AuctionCreated = Ev<'AuctionCreated', AuctionCreatedData>;
export type AuctionOpened = Ev<'AuctionOpened', Record<string, never>>;
export type BidPlaced = Ev<'BidPlaced', BidPlacedData>;
export type AuctionExtended = Ev<'AuctionExtended', { readonly endsAt: number; readonly previousEndsAt: number }>;
export type AuctionClosed = Ev<'AuctionClosed', AuctionClosedData>;
export type AuctionCancelled = Ev<'AuctionCancelled', Record<string, never>>;

export type AuctionEvent =
  AuctionCreated | AuctionOpened | BidPlaced | AuctionExtended | AuctionClosed | AuctionCancelled;

export type AuctionEventType = AuctionEvent['type'];

export const AUCTION_EVENT_TYPES: ReadonlySet<string> = new Set<AuctionEventType>([
  'AuctionCreated',
  'AuctionOpened',
  'BidPlaced',
  'AuctionExtended',
  'AuctionClosed',
  'AuctionCancelled',
]);

export interface AuctionState {
  readonly id: string;
  /** The stream version: `seq` of the last event folded in. */
  readonly version: number;
  readonly sellerId: string;
  readonly title: string;
  readonly description: string;
  readonly startingPrice: number;
  readonly minIncrement: number | null;
  readonly reservePrice: number | null;
  readonly buyNowPrice: number | null;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly softClose: SoftClose;
  readonly createdAt: number;
  readonly status: AuctionStatus;
  readonly currentPrice: number | null;
  readonly leaderId: string | null;
  /** The leader's secret maximum; 0 while nobody leads. */
  readonly leaderMax: number;
  readonly bidCount: number;
  readonly reserveMet: boolean;
  readonly closedAt: number | null;
  readonly closeReason: CloseReason | null;
  readonly winnerId: string | null;
  readonly finalPrice: number | null;
}

export class EvolveError extends Error {
  override readonly name = 'EvolveError';
}

export function evolve(state: AuctionState | null, event: AuctionEvent): AuctionState {
  if (event.type === 'AuctionCreated') {
    if (state !== null) throw new EvolveError('AuctionCreated on an existing auction');
    const d = event.data;
    return {
      id: d.auctionId,
      version: 1,
      sellerId: d.sellerId,
      title: d.title,
      description: d.description,
      startingPrice: d.startingPrice,
      minIncrement: d.minIncrement,
      reservePrice: d.reservePrice,
      buyNowPrice: d.buyNowPrice,
      startsAt: d.startsAt,
      endsAt: d.endsAt,
      softClose: d.softClose,
      createdAt: event.at,
      status: 'scheduled',
      currentPrice: null,
      leaderId: null,
      leaderMax: 0,
      bidCount: 0,
      reserveMet: d.reservePrice === null,
      closedAt: null,
      closeReason: null,
      winnerId: null,
      finalPrice: null,
    };
  }
  if (state === null) throw new EvolveError(`${event.type} before AuctionCreated`);
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'AuctionOpened':
      return { ...next, status: 'open' };
    case 'BidPlaced': {
      const d = event.data;
      return {
        ...next,
        currentPrice: d.currentPrice,
        leaderId: d.leaderId,
        leaderMax: d.leaderId === d.bidderId ? d.maxAmount : state.leaderMax,
        bidCount: state.bidCount + 1,
        reserveMet: d.reserveMet,
      };
    }
    case 'AuctionExtended':
      return { ...next, endsAt: event.data.endsAt };
    case 'AuctionClosed':
      return {
        ...next,
        status: 'closed',
        closedAt: event.at,
        closeReason: event.data.reason,
        winnerId: event.data.winnerId,
        finalPrice: event.data.finalPrice,
        reserveMet: event.data.reserveMet,
      };
    case 'AuctionCancelled':
      return { ...next, status: 'cancelled', closedAt: event.at };
  }
}

export function foldAuction(events: Iterable<AuctionEvent>, from: AuctionState | null = null): AuctionState | null {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
}

/** The least the next bid may be: the starting price before the first bid, then one increment above the price. */
export function nextMinimumBid(state: AuctionState): number {
  if (state.currentPrice === null) return state.startingPrice;
  return state.currentPrice + incrementAt(state.currentPrice, state.minIncrement);
}

export function isBuyNowOffered(state: AuctionState): boolean {
  if (state.buyNowPrice === null) return false;
  if (state.status !== 'open' && state.status !== 'scheduled') return false;
  return state.currentPrice === null || state.currentPrice < state.buyNowPrice;
}

/** The deadline a timer must wake the auction at, or null once nothing more can happen by itself. */
export function nextDeadline(state: AuctionState): number | null {
  if (state.status === 'scheduled') return state.startsAt;
  if (state.status === 'open') return state.endsAt;
  return null;
}

export function isTerminal(state: AuctionState): boolean {
  return state.status === 'closed' || state.status === 'cancelled';
}
