/**
 * The write floor's process (started by write-floor.ts): the product's own writes for each batch and nothing
 * else. Bids are decided in memory by the product's decider (decide-batch.ts) against balances this process
 * keeps, and written with the product's prepared write statement (three events, two balances, the outcome and
 * the auction header per outbidding bid) in one round trip: BEGIN, EXECUTE, COMMIT. What it leaves out is what
 * the product adds around those rows: the read and lock round trip, the actor and the HTTP/WebSocket stack, the
 * relay and the read models. Alone on its database, it is the only writer, so skipping the locks is safe here.
 *
 * With `followers` as its third argument it also runs the product's followers (src/followers.ts: the relay to
 * an in-process bus and the four read models) and hands them each commit's events, as the service does: the
 * rows SPEC §7 asks for plus the read models, and still none of the rest of the design.
 */
import { loadAuction } from '../../src/auctions/auction-store.js';
import type { AuctionState } from '../../src/auctions/auction.js';
import { ensureWritePrepared, writeSql } from '../../src/auctions/batch-transaction.js';
import { type CommitUnit, bidIdempotency, decideAll } from '../../src/auctions/decide-batch.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { openFollowers } from '../../src/followers.js';
import { createLogger } from '../../src/logger.js';
import { hashToken } from '../../src/users/user-store.js';
import type { WalletRow } from '../../src/wallets/wallet-store.js';
import { type BidAnswer, serveAcksAfterCommit } from './ack-after-commit.js';

const [databaseUrl, auctionId, extra] = process.argv.slice(2) as [string, string, string | undefined];
const database = openDatabase(databaseUrl, { max: 2 });
const defaults = loadConfig({});
const followers =
  extra === 'followers'
    ? openFollowers(databaseUrl, new MemoryBus(), {
        log: createLogger('error'),
        relayStepMillis: defaults.RELAY_STEP_MILLIS,
        projectionStepMillis: defaults.PROJECTION_STEP_MILLIS,
      })
    : null;
await followers?.start();
const client = await database.pool.connect();
await ensureWritePrepared(client);

const usersByToken = new Map(
  (await client.query<{ id: string; token_hash: Buffer }>('SELECT id, token_hash FROM users')).rows.map((u) => [
    u.token_hash.toString('hex'),
    u.id,
  ]),
);
const wallets = new Map<string, WalletRow>(
  (
    await client.query<{ user_id: string; available: number; held: number; version: number }>(
      'SELECT user_id, available, held, version FROM wallets',
    )
  ).rows.map((w) => [w.user_id, { userId: w.user_id, available: w.available, held: w.held, version: w.version }]),
);
let state = (await loadAuction(database.db, auctionId)) as AuctionState;

serveAcksAfterCommit(async (batch): Promise<BidAnswer[]> => {
  const at = Date.now();
  const unit: CommitUnit = {
    state,
    commands: batch.map((b) => {
      const bidderId = usersByToken.get(hashToken(b.token).toString('hex')) ?? '';
      return {
        command: { type: 'PlaceBid', at, bidderId, maxAmount: b.maxAmount, commandId: b.commandId },
        idempotency: bidIdempotency(bidderId, b.commandId, state.id, b.maxAmount),
      };
    }),
  };
  // decideAll moves the balances in `wallets` as it decides: they stay this process's current ones.
  const decided = decideAll([unit], wallets, new Map());
  await client.query(`BEGIN;\n${writeSql(decided)}`).catch(async (err: unknown) => {
    await client.query('ROLLBACK');
    throw err;
  });
  const committed = decided.results[0] as (typeof decided.results)[number];
  state = committed.state;
  followers?.committed(committed.events);
  return committed.outcomes.map((o) =>
    o.ok && o.reply.kind === 'bid'
      ? { result: { seq: o.reply.seq, currentPrice: o.reply.currentPrice, leading: o.reply.leading } }
      : { code: o.ok ? 'unexpected' : o.rejection.code },
  );
});

// Never outlive the benchmark that started this process.
process.on('disconnect', () => {
  client.release();
  void database.close().finally(() => process.exit(0));
});
