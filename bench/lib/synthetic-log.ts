/**
 * A large, realistic event log, written straight into the events table: users deposit, auctions open,
 * bidders outbid each other through the real decider (holds, releases, extensions), and auctions close with
 * payments and payouts. It is the log the product would write, made without going through HTTP, so replay
 * benchmarks can have a million events in a minute.
 */
import type { Db } from '../../src/db/database.js';
import { type AuctionState, evolve } from '../../src/auctions/auction.js';
import { createAuction } from '../../src/auctions/create.js';
import { decide, isWalletEvent } from '../../src/auctions/decide.js';
import { insertEvents } from '../../src/event-store/append.js';
import { auctionStreamId, walletStreamId } from '../../src/event-store/streams.js';
import type { EventToAppend } from '../../src/event-store/types.js';
import { newId } from '../../src/ids.js';
import { type Balance, walletEvent } from '../../src/wallets/wallet.js';

export interface SyntheticLogOptions {
  readonly targetEvents: number;
  readonly users?: number;
  readonly bidsPerAuction?: number;
  readonly onProgress?: (written: number) => void;
}

export async function writeSyntheticLog(db: Db, options: SyntheticLogOptions): Promise<number> {
  const userCount = options.users ?? 2_000;
  const bidsPerAuction = options.bidsPerAuction ?? 300;
  const users = Array.from({ length: userCount }, () => newId());
  const balances = new Map<string, Balance & { version: number }>();
  let pending: EventToAppend[] = [];
  let written = 0;
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const flush = async (force = false) => {
    if (pending.length < 20_000 && !force) return;
    const batch = pending;
    pending = [];
    for (let i = 0; i < batch.length; i += 5_000) await insertEvents(db, batch.slice(i, i + 5_000));
    written += batch.length;
    options.onProgress?.(written);
  };
  const wallet = (id: string) => balances.get(id) ?? { available: 0, held: 0, version: 0 };
  const appendWallet = (e: ReturnType<typeof walletEvent>['event']) => {
    const before = wallet(e.data.userId);
    const after = { available: e.data.available, held: e.data.held, version: before.version + 1 };
    balances.set(e.data.userId, after);
    pending.push({ streamId: walletStreamId(e.data.userId), version: after.version, eventId: newId(e.at), ...e });
  };

  for (const id of users) appendWallet(walletEvent(id, 'deposit', 1_000_000_000, wallet(id), clock).event);
  let seed = 1;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;

  while (written + pending.length < options.targetEvents) {
    const seller = users[Math.floor(random() * users.length)] as string;
    const auctionId = newId(clock);
    const created = createAuction(
      auctionId,
      seller,
      {
        title: `Lot ${auctionId.slice(-6)}`,
        startingPrice: 100,
        endsAt: clock + 3_600_000,
        softClose: { windowSeconds: 60, extensionSeconds: 60 },
      },
      clock,
    );
    if (!created.ok) throw new Error(created.rejection.message);
    let state: AuctionState | null = null;
    for (const e of created.events) {
      state = evolve(state, e);
      pending.push({ streamId: auctionStreamId(auctionId), version: state.version, eventId: newId(e.at), ...e });
    }
    let price = 100;
    for (let i = 0; i < bidsPerAuction; i += 1) {
      clock += 1_000;
      const bidder = users[Math.floor(random() * users.length)] as string;
      price += 10 + Math.floor(random() * 500);
      const command = { type: 'PlaceBid' as const, at: clock, bidderId: bidder, maxAmount: price, commandId: newId() };
      const decision = decide(state as AuctionState, command, wallet);
      for (const e of decision.events) {
        if (isWalletEvent(e)) appendWallet(e);
        else {
          state = evolve(state, e);
          pending.push({ streamId: auctionStreamId(auctionId), version: state.version, eventId: newId(e.at), ...e });
        }
      }
    }
    const close = decide(state as AuctionState, { type: 'Tick', at: (state as AuctionState).endsAt }, wallet);
    for (const e of close.events) {
      if (isWalletEvent(e)) appendWallet(e);
      else {
        state = evolve(state, e);
        pending.push({ streamId: auctionStreamId(auctionId), version: state.version, eventId: newId(e.at), ...e });
      }
    }
    clock += 10_000;
    await flush();
  }
  await flush(true);
  return written;
}
