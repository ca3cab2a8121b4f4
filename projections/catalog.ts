/** Every read model the service keeps. */
import { auctionSummaries } from './auction-summaries.js';
import { bidHistory } from './bid-history.js';
import type { Projection } from './projection.js';
import { userBids } from './user-bids.js';
import { walletLedger } from './wallet-ledger.js';

export const PROJECTIONS: readonly Projection[] = [auctionSummaries, bidHistory, walletLedger, userBids];

export function projectionNamed(name: string): Projection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
