/** Stream naming: one stream per auction and one per wallet. */
export const auctionStreamId = (auctionId: string): string => `auction-${auctionId}`;
export const walletStreamId = (userId: string): string => `wallet-${userId}`;

const AUCTION_PREFIX = 'auction-';
const WALLET_PREFIX = 'wallet-';

export type StreamRef = { kind: 'auction'; auctionId: string } | { kind: 'wallet'; userId: string } | { kind: 'other' };

export function parseStreamId(streamId: string): StreamRef {
  if (streamId.startsWith(AUCTION_PREFIX)) return { kind: 'auction', auctionId: streamId.slice(AUCTION_PREFIX.length) };
  if (streamId.startsWith(WALLET_PREFIX)) return { kind: 'wallet', userId: streamId.slice(WALLET_PREFIX.length) };
  return { kind: 'other' };
}
