/**
 * What the public may see of an auction and its events: the shape of GET /v1/auctions/:id, of the events route
 * and of WebSocket frames. Secrets (the reserve amount, every bidder's maximum, command ids) stop here.
 */
import { type AuctionEvent, type AuctionState, isBuyNowOffered, nextMinimumBid } from './auction.js';
import { incrementAt } from './increments.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export interface AuctionView {
  id: string;
  sellerId: string;
  title: string;
  description: string;
  status: AuctionState['status'];
  startingPrice: number;
  currentPrice: number | null;
  minIncrement: number;
  /** The auction's own step, or null when the tier table applies (clients compute the next minimum with it). */
  fixedIncrement: number | null;
  nextMinimumBid: number;
  leaderId: string | null;
  bidCount: number;
  reserveMet: boolean;
  buyNowPrice: number | null;
  startsAt: string;
  endsAt: string;
  softClose: { windowSeconds: number; extensionSeconds: number };
  createdAt: string;
  closedAt: string | null;
  closeReason: AuctionState['closeReason'];
  winnerId: string | null;
  finalPrice: number | null;
  version: number;
}

export function auctionView(s: AuctionState): AuctionView {
  return {
    id: s.id,
    sellerId: s.sellerId,
    title: s.title,
    description: s.description,
    status: s.status,
    startingPrice: s.startingPrice,
    currentPrice: s.currentPrice,
    // The increment in force at the current price, so clients can show the step without the tier table.
    minIncrement: incrementAt(s.currentPrice ?? s.startingPrice, s.minIncrement),
    fixedIncrement: s.minIncrement,
    nextMinimumBid: nextMinimumBid(s),
    leaderId: s.leaderId,
    bidCount: s.bidCount,
    reserveMet: s.reserveMet,
    buyNowPrice: isBuyNowOffered(s) ? s.buyNowPrice : null,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    softClose: { ...s.softClose },
    createdAt: iso(s.createdAt),
    closedAt: isoOrNull(s.closedAt),
    closeReason: s.closeReason,
    winnerId: s.winnerId,
    finalPrice: s.finalPrice,
    version: s.version,
  };
}

export type PublicEventFields = Record<string, unknown>;

/** The public fields of an event, without `type` and `at`. */
export function publicFields(event: AuctionEvent): PublicEventFields {
  switch (event.type) {
    case 'AuctionCreated': {
      const d = event.data;
      return {
        auctionId: d.auctionId,
        sellerId: d.sellerId,
        title: d.title,
        description: d.description,
        startingPrice: d.startingPrice,
        minIncrement: d.minIncrement,
        hasReserve: d.reservePrice !== null,
        buyNowPrice: d.buyNowPrice,
        startsAt: iso(d.startsAt),
        endsAt: iso(d.endsAt),
        softClose: { ...d.softClose },
      };
    }
    case 'BidPlaced': {
      const d = event.data;
      return { bidderId: d.bidderId, currentPrice: d.currentPrice, leaderId: d.leaderId, reserveMet: d.reserveMet };
    }
    case 'AuctionExtended':
      return { endsAt: iso(event.data.endsAt), previousEndsAt: iso(event.data.previousEndsAt) };
    case 'AuctionClosed':
      return { ...event.data };
    case 'AuctionOpened':
    case 'AuctionCancelled':
      return {};
  }
}

export interface PublicEvent {
  type: AuctionEvent['type'];
  at: string;
  [field: string]: unknown;
}

export function publicEvent(event: AuctionEvent): PublicEvent {
  return { ...publicFields(event), type: event.type, at: iso(event.at) };
}
