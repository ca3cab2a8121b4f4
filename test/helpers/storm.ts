/** A market to storm (users with money, auctions of several kinds) and the storm driver, run as its own process. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Api, type TestUser, fundedUser, openAuction } from './api.js';

export interface Market {
  readonly users: TestUser[];
  /** `offersBuyNow`: such an auction may be bought outright, and so closed, during the storm. */
  readonly auctions: Array<{ id: string; closesDuringStorm: boolean; offersBuyNow: boolean }>;
}

export async function seedMarket(
  api: Api,
  options: { wallets: number; auctions: number; closingWithinMs: number; closing: number },
): Promise<Market> {
  const users: TestUser[] = [];
  for (let i = 0; i < options.wallets; i += 1)
    users.push(await fundedUser(api, 20_000 + ((i * 7919) % 80_000), `u${i}`));
  const now = Date.now();
  const auctions: Market['auctions'] = [];
  for (let i = 0; i < options.auctions; i += 1) {
    const closesDuringStorm = i < options.closing;
    const offersBuyNow = i % 5 === 1;
    const a = await openAuction(api, users[i % users.length]!, {
      title: `Lot ${i}`,
      startingPrice: 100 + i * 10,
      ...(i % 3 === 0 ? { reservePrice: 5_000 } : {}),
      ...(offersBuyNow ? { buyNowPrice: 25_000 + i * 100 } : {}),
      ...(i % 2 === 0 ? {} : { minIncrement: 25 }),
      endsAt: new Date(
        closesDuringStorm ? now + options.closingWithinMs * ((i + 1) / options.closing) : now + 3_600_000,
      ).toISOString(),
      softClose: closesDuringStorm
        ? { windowSeconds: 1, extensionSeconds: 1 }
        : { windowSeconds: 60, extensionSeconds: 60 },
    });
    auctions.push({ id: a.id, closesDuringStorm, offersBuyNow });
  }
  return { users, auctions };
}

export interface DriverReport {
  millis: number;
  answers: Record<string, number>;
  unexpected: string[];
  unexpectedCount: number;
  accepted: Record<string, { auctionId: string; seq: number }>;
  retryMismatches: string[];
}

export async function runStormDriver(plan: {
  url: string;
  seed: number;
  clients: number;
  commands: number;
  market: Market;
}): Promise<DriverReport> {
  const { market, ...rest } = plan;
  const input = { ...rest, users: market.users, auctionIds: market.auctions.map((a) => a.id) };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, '../fixtures/storm-driver.ts'), JSON.stringify(input)],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as DriverReport;
}
