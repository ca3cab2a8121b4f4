/**
 * The design the product replaces, kept as a benchmark baseline: every command is its own transaction that
 * locks the auction row (`SELECT ... FOR UPDATE`) and then the wallets, decides, writes and commits. Commands on
 * one auction therefore run one at a time, one fsync each. It writes exactly the events the product writes
 * (same decider, same SQL) and locks wallets in ascending order, so what it measures is the design, not
 * sloppier SQL or deadlocks.
 *
 * Its lock order (auction row, then wallets) differs from the product's, so one database must not serve both
 * modes at once.
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { UnavailableError } from '../errors.js';
import { withRawClient } from '../db/raw-client.js';
import { textLiteral } from '../db/sql-literals.js';
import { auctionStreamId } from '../event-store/streams.js';
import type { IncomingCommand } from '../auctions/actor.js';
import type { Outcome } from '../auctions/decide.js';
import type { AuctionState } from '../auctions/auction.js';
import type { WalletRow } from '../wallets/wallet-store.js';
import { SNAPSHOT_SCHEMA, loadAuction } from '../auctions/auction-store.js';
import {
  ensureWritePrepared,
  executeWrite,
  outcomesSql,
  parseOutcomes,
  parseWallets,
  walletLockSql,
} from '../auctions/batch-transaction.js';
import type { CommandRouter } from '../auctions/command-router.js';
import {
  type CommittedUnit,
  type Idempotency,
  type PendingCommand,
  decideAll,
  walletsFor,
} from '../auctions/decide-batch.js';

const notFound: Outcome = { ok: false, rejection: { code: 'not_found', message: 'No such auction' } };

export class LockPerRequestRouter implements CommandRouter {
  private accepting = true;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly onCommitted: (auctionId: string, committed: CommittedUnit) => void,
  ) {}

  async send(auctionId: string, command: IncomingCommand, idempotency?: Idempotency): Promise<Outcome> {
    if (!this.accepting) throw new UnavailableError();
    const pending: PendingCommand = { command: { ...command, at: this.clock.now() }, idempotency };
    const run = this.execute(auctionId, pending);
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  state(auctionId: string): Promise<AuctionState | null> {
    return loadAuction(this.db, auctionId);
  }

  async drain(): Promise<void> {
    this.accepting = false;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private execute(auctionId: string, pending: PendingCommand): Promise<Outcome> {
    return withRawClient(this.pool, async (client) => {
      // The same write statement as the product's, so the two differ in design and not in SQL.
      await ensureWritePrepared(client);
      const keys = pending.idempotency ? [pending.idempotency] : [];
      const lookup = outcomesSql(keys);
      // The auction row is locked until COMMIT: every other command on this auction waits here.
      const header = `SELECT snapshot, snapshot_schema FROM streams WHERE stream_id = ${textLiteral(auctionStreamId(auctionId))} FOR UPDATE`;
      const reads = (await client.query(
        ['BEGIN', header, ...(lookup ? [lookup] : [])].join(';\n'),
      )) as unknown as pg.QueryResult[];
      const row = reads[1]?.rows[0] as { snapshot: AuctionState; snapshot_schema: number } | undefined;
      if (!row) {
        await client.query('ROLLBACK');
        return notFound;
      }
      if (row.snapshot_schema !== SNAPSHOT_SCHEMA) throw new Error('the baseline needs current snapshots');
      const unit = { state: row.snapshot, commands: [pending] };
      const lock = walletLockSql(walletsFor([unit]));
      const wallets = lock ? parseWallets((await client.query(lock)).rows) : new Map<string, WalletRow>();
      const batch = decideAll([unit], wallets, parseOutcomes(reads[2]?.rows ?? [], keys));
      await executeWrite(client, batch);
      const committed = batch.results[0] as CommittedUnit;
      this.onCommitted(auctionId, committed);
      return committed.outcomes[0] as Outcome;
    });
  }
}
