/**
 * Creating an auction: the checks of SPEC §4 and §6 that need more than a schema, and the first events.
 * Pure, like decide.ts.
 */
import type { Rejection } from '../errors.js';
import { type AuctionEvent, DEFAULT_SOFT_CLOSE, type SoftClose } from './auction.js';

export interface CreateAuctionInput {
  readonly title: string;
  readonly description?: string | undefined;
  readonly startingPrice: number;
  readonly minIncrement?: number | undefined;
  readonly reservePrice?: number | undefined;
  readonly buyNowPrice?: number | undefined;
  readonly startsAt?: number | undefined;
  readonly endsAt: number;
  readonly softClose?: SoftClose | undefined;
}

export type Creation = { ok: true; events: AuctionEvent[] } | { ok: false; rejection: Rejection };

const invalid = (message: string): Creation => ({ ok: false, rejection: { code: 'invalid_request', message } });

export function createAuction(auctionId: string, sellerId: string, input: CreateAuctionInput, now: number): Creation {
  const title = input.title.trim();
  if (title.length === 0) return invalid('title must not be blank');
  const startsAt = input.startsAt ?? now;
  if (input.endsAt <= now) return invalid('endsAt must be in the future');
  if (input.endsAt <= startsAt) return invalid('endsAt must be after startsAt');
  const { startingPrice } = input;
  const reservePrice = input.reservePrice ?? null;
  const buyNowPrice = input.buyNowPrice ?? null;
  if (reservePrice !== null && reservePrice < startingPrice) {
    return invalid('reservePrice must be at least startingPrice');
  }
  if (buyNowPrice !== null && buyNowPrice < startingPrice) {
    return invalid('buyNowPrice must be at least startingPrice');
  }
  if (buyNowPrice !== null && reservePrice !== null && buyNowPrice < reservePrice) {
    return invalid('buyNowPrice must be at least reservePrice');
  }
  const softClose = input.softClose ?? DEFAULT_SOFT_CLOSE;
  if (softClose.windowSeconds > 0 && softClose.extensionSeconds <= 0) {
    return invalid('softClose.extensionSeconds must be positive while the window is on');
  }

  const events: AuctionEvent[] = [
    {
      type: 'AuctionCreated',
      at: now,
      data: {
        auctionId,
        sellerId,
        title,
        description: input.description ?? '',
        startingPrice,
        minIncrement: input.minIncrement ?? null,
        reservePrice,
        buyNowPrice,
        startsAt,
        endsAt: input.endsAt,
        softClose,
      },
    },
  ];
  // An auction whose start has come opens in the same transaction that creates it.
  if (startsAt <= now) events.push({ type: 'AuctionOpened', at: now, data: {} });
  return { ok: true, events };
}
