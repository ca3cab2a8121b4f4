/**
 * `verify`: replays the log and compares it with what is stored, checking the invariants of SPEC §8.
 * Everything is read in one REPEATABLE READ snapshot, so it can run while bidding goes on and still compare
 * like with like.
 */
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import type { Outcome } from '../auctions/decide.js';
import type { Db } from '../db/database.js';
import { auctionStreamId } from '../event-store/streams.js';
import { EVENT_COLUMNS, type EventRow, toRecorded } from '../event-store/read-all.js';
import { type Finding, ReplayState } from './replay-check.js';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly checks: Check[];
}

export interface VerifyOptions {
  /** Called as pages of the log are replayed, for progress displays. */
  readonly onProgress?: (eventsDone: number) => void;
  /** Extra checks run inside the same snapshot (read models compare themselves here). */
  readonly extraChecks?: (trx: Db, replay: ReplayState) => Promise<Check[]>;
}

export const CHECK_NAMES = [
  '1. balances never negative',
  '2. money is conserved',
  '3. held equals the maximums a user leads',
  '4. a sale pays the seller the final price',
  '5. seq runs 1, 2, 3 without gaps',
  '5. the price never goes down',
  '6. no bid at or after the end in force',
  '7. one effect per command id',
  '8. wallet events add up',
  '8. stored balances equal the replayed ones',
  '8. stored auction states equal the replayed ones',
] as const;

const PAGE = 5000;

/** Thrown to roll back verify's transaction: the extra checks may create scratch tables, which must go. */
class RollBack extends Error {
  constructor(readonly report: VerifyReport) {
    super('verify rolls back');
  }
}

export async function verify(db: Db, options: VerifyOptions = {}): Promise<VerifyReport> {
  try {
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const replay = new ReplayState();
        await replayLog(trx, replay, options.onProgress);
        replay.checkSettlements();
        await compareWallets(trx, replay);
        await compareAuctions(trx, replay);
        await compareCommands(trx, replay);
        const checks = CHECK_NAMES.map((name) => summarise(name, replay.findings));
        if (options.extraChecks) checks.push(...(await options.extraChecks(trx, replay)));
        throw new RollBack({ ok: checks.every((c) => c.ok), events: replay.events, checks });
      });
  } catch (err) {
    if (err instanceof RollBack) return err.report;
    throw err;
  }
  throw new Error('unreachable');
}

function summarise(name: string, findings: readonly Finding[]): Check {
  const mine = findings.filter((f) => f.check === name);
  return { name, ok: mine.length === 0, detail: mine.length === 0 ? 'ok' : mine.map((f) => f.detail).join(' | ') };
}

/** Inside one snapshot every visible event is final, so plain position order keeps each stream in order. */
async function replayLog(trx: Db, replay: ReplayState, onProgress?: (n: number) => void): Promise<void> {
  let after = 0;
  for (;;) {
    const { rows } = await sql<EventRow>`
      SELECT ${EVENT_COLUMNS}
      FROM events WHERE global_position > ${after} ORDER BY global_position LIMIT ${PAGE}`.execute(trx);
    for (const r of rows) replay.apply(toRecorded(r));
    onProgress?.(replay.events);
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return;
    after = last.global_position;
  }
}

async function compareWallets(trx: Db, replay: ReplayState): Promise<void> {
  const wallets = await trx.selectFrom('wallets').select(['user_id', 'available', 'held']).execute();
  const ledBy = new Map<string, number>();
  for (const a of replay.auctions.values()) {
    if (a.status === 'open' && a.leaderId !== null) ledBy.set(a.leaderId, (ledBy.get(a.leaderId) ?? 0) + a.leaderMax);
  }
  let total = 0;
  for (const w of wallets) {
    total += w.available + w.held;
    if (w.available < 0 || w.held < 0)
      replay.find('1. balances never negative', `wallet ${w.user_id}: ${w.available}/${w.held}`);
    const replayed = replay.balances.get(w.user_id) ?? { available: 0, held: 0 };
    if (replayed.available !== w.available || replayed.held !== w.held) {
      replay.find(
        '8. stored balances equal the replayed ones',
        `wallet ${w.user_id}: stored ${w.available}/${w.held}, replayed ${replayed.available}/${replayed.held}`,
      );
    }
    const led = ledBy.get(w.user_id) ?? 0;
    if (w.held !== led)
      replay.find(
        '3. held equals the maximums a user leads',
        `user ${w.user_id}: holds ${w.held}, leads maximums totalling ${led}`,
      );
  }
  const expected = replay.deposits - replay.withdrawals;
  if (total !== expected)
    replay.find('2. money is conserved', `wallets hold ${total}; deposits minus withdrawals is ${expected}`);
}

async function compareAuctions(trx: Db, replay: ReplayState): Promise<void> {
  const streams = await trx
    .selectFrom('streams')
    .select(['stream_id', 'version', 'snapshot'])
    .where('stream_id', 'like', 'auction-%')
    .execute();
  const stored = new Map(streams.map((s) => [s.stream_id, s]));
  for (const [id, state] of replay.auctions) {
    const row = stored.get(auctionStreamId(id));
    if (!row) {
      replay.find('8. stored auction states equal the replayed ones', `auction ${id} has events but no stream header`);
    } else if (row.version !== state.version || !isDeepStrictEqual(row.snapshot, state)) {
      replay.find(
        '8. stored auction states equal the replayed ones',
        `auction ${id}: stored v${row.version} differs from replayed v${state.version}`,
      );
    }
  }
}

/** Every accepted bid's stored answer names the BidPlaced its command produced, and vice versa. */
async function compareCommands(trx: Db, replay: ReplayState): Promise<void> {
  const { rows } = await sql<{ user_id: string; command_id: string; fingerprint: string; outcome: Outcome }>`
    SELECT user_id, command_id, fingerprint, outcome FROM commands WHERE fingerprint LIKE 'bid:%'`.execute(trx);
  const accepted = new Map<string, number>();
  for (const r of rows) {
    if (r.outcome.ok && r.outcome.reply.kind === 'bid')
      accepted.set(`${r.user_id}/${r.command_id}`, r.outcome.reply.seq);
  }
  for (const [key, seq] of replay.placedBids) {
    if (accepted.get(key) !== seq.seq) {
      replay.find(
        '7. one effect per command id',
        `bid ${key} placed at seq ${seq.seq} but its stored answer says ${accepted.get(key) ?? 'nothing'}`,
      );
    }
    accepted.delete(key);
  }
  for (const key of accepted.keys())
    replay.find('7. one effect per command id', `bid ${key} answered as accepted but never placed`);
}
