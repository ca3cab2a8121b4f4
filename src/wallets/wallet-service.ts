/**
 * Deposits and withdrawals: each its own short transaction, under the same row lock and with the same events
 * as the bidding path. An Idempotency-Key (scoped to the user) makes a retry return the first answer.
 */
import type { Db } from '../db/database.js';
import { ServiceError } from '../errors.js';
import { findOutcomes, insertOutcomes } from '../commands/command-store.js';
import { insertEvents } from '../event-store/append.js';
import { walletStreamId } from '../event-store/streams.js';
import type { EventToAppend } from '../event-store/types.js';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { lockWallets, readBalance, saveWallets } from './wallet-store.js';
import { type Balance, type WalletDecision, decideDeposit, decideWithdrawal, walletEvent } from './wallet.js';

type Movement = 'deposit' | 'withdrawal';

type StoredAnswer =
  { ok: true; balance: Balance } | { ok: false; code: 'insufficient_funds' | 'invalid_request'; message: string };

export interface WalletServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly onAppended: (events: readonly EventToAppend[]) => void;
}

export class WalletService {
  constructor(private readonly deps: WalletServiceDeps) {}

  async balance(userId: string): Promise<Balance> {
    const balance = await readBalance(this.deps.db, userId);
    if (!balance) throw new ServiceError('not_found', 'No wallet for this user');
    return balance;
  }

  deposit(userId: string, amount: number, idempotencyKey?: string): Promise<Balance> {
    return this.move('deposit', userId, amount, idempotencyKey);
  }

  withdraw(userId: string, amount: number, idempotencyKey?: string): Promise<Balance> {
    return this.move('withdrawal', userId, amount, idempotencyKey);
  }

  private async move(kind: Movement, userId: string, amount: number, idempotencyKey?: string): Promise<Balance> {
    const fingerprint = `${kind}:${amount}`;
    const appended: EventToAppend[] = [];
    const answer = await this.deps.db.transaction().execute(async (trx): Promise<StoredAnswer> => {
      const wallet = (await lockWallets(trx, [userId])).get(userId);
      if (!wallet) throw new ServiceError('not_found', 'No wallet for this user');
      // Under the wallet's lock, a concurrent retry with the same key waits here and then finds our outcome.
      const key = idempotencyKey === undefined ? null : { userId, commandId: idempotencyKey };
      if (key) {
        const prior = (await findOutcomes(trx, [key])).values().next().value;
        if (prior) {
          if (prior.fingerprint !== fingerprint) {
            throw new ServiceError('invalid_request', 'This Idempotency-Key was already used for a different request');
          }
          return prior.outcome as StoredAnswer;
        }
      }
      const decision: WalletDecision =
        kind === 'deposit' ? decideDeposit(wallet, amount) : decideWithdrawal(wallet, amount);
      let answer: StoredAnswer;
      if (decision.ok) {
        const at = this.deps.clock.now();
        const { event, after } = walletEvent(userId, decision.reason, amount, wallet, at);
        const version = wallet.version + 1;
        const record = { streamId: walletStreamId(userId), version, eventId: newId(at), ...event };
        await insertEvents(trx, [record]);
        await saveWallets(trx, [{ userId, version, ...after }]);
        appended.push(record);
        answer = { ok: true, balance: after };
      } else {
        answer = decision;
      }
      if (key) await insertOutcomes(trx, [{ ...key, fingerprint, outcome: answer }]);
      return answer;
    });
    if (appended.length > 0) this.deps.onAppended(appended);
    if (!answer.ok) throw new ServiceError(answer.code, answer.message);
    return answer.balance;
  }
}
