/** The API's stable error codes, told the way a person needs to hear them. */
import { formatMoney } from './money.js';

export interface MessageContext {
  readonly nextMinimumBid?: number;
}

const MESSAGES: Record<string, (c: MessageContext) => string> = {
  invalid_request: () => 'Something in that form is not right. Check the fields and try again.',
  unauthorized: () => 'Please sign up or sign in first.',
  forbidden: () => 'Only the seller can do that.',
  not_found: () => 'That auction does not exist (any more).',
  auction_not_open: () => 'This auction has not started yet.',
  auction_closed: () => 'This auction has ended.',
  bid_too_low: (c) =>
    c.nextMinimumBid === undefined
      ? 'Your bid is too low. Raise it and try again.'
      : `Your maximum must be at least ${formatMoney(c.nextMinimumBid)}.`,
  insufficient_funds: () => 'You do not have enough available funds for that. Deposit more in your wallet.',
  seller_cannot_bid: () => 'You cannot bid on or buy your own auction.',
  buy_now_unavailable: () => 'Buy now is no longer offered on this auction.',
  cannot_cancel: () => 'An auction can only be cancelled before its first bid.',
  rate_limited: () => 'You are going a little fast. Wait a moment and try again.',
  busy: () => 'The auction is very busy right now. Try again in a moment.',
  unavailable: () => 'The service is briefly unavailable. Try again in a moment.',
};

export function describeError(code: string, serverMessage: string, context: MessageContext = {}): string {
  const known = MESSAGES[code];
  if (known)
    return code === 'invalid_request' && serverMessage ? `That was not accepted: ${serverMessage}` : known(context);
  return 'Something went wrong. Try again in a moment.';
}
