/**
 * Wallet balances and the events that move them. Pure.
 *
 * Every movement has a reason, and the reason alone fixes which balance moves, so replaying the
 * amounts rebuilds the balances; each event also records the balances after it, for the ledger.
 */
export interface Balance {
  readonly available: number;
  readonly held: number;
}

export type WalletReason = 'deposit' | 'withdrawal' | 'bid_hold' | 'hold_released' | 'payment' | 'payout';
export type WalletEventType = 'WalletCredited' | 'WalletDebited';

export interface WalletEventData {
  readonly userId: string;
  readonly reason: WalletReason;
  readonly amount: number;
  /** Balances after this event. */
  readonly available: number;
  readonly held: number;
  readonly auctionId?: string;
}

export interface WalletEvent {
  readonly type: WalletEventType;
  readonly at: number;
  readonly data: WalletEventData;
}

export const WALLET_EVENT_TYPES: ReadonlySet<string> = new Set<WalletEventType>(['WalletCredited', 'WalletDebited']);

/** How each reason moves the two balances, per unit of amount. */
const MOVES: Record<WalletReason, { readonly available: -1 | 0 | 1; readonly held: -1 | 0 | 1 }> = {
  deposit: { available: 1, held: 0 },
  withdrawal: { available: -1, held: 0 },
  bid_hold: { available: -1, held: 1 },
  hold_released: { available: 1, held: -1 },
  payment: { available: 0, held: -1 },
  payout: { available: 1, held: 0 },
};

/** WalletCredited when `available` grows, WalletDebited when it shrinks or (payment) the held funds leave. */
export function eventTypeFor(reason: WalletReason): WalletEventType {
  return MOVES[reason].available > 0 ? 'WalletCredited' : 'WalletDebited';
}

export const EMPTY_BALANCE: Balance = { available: 0, held: 0 };

export class NegativeBalanceError extends Error {
  override readonly name = 'NegativeBalanceError';
}

export function applyMovement(balance: Balance, reason: WalletReason, amount: number): Balance {
  const move = MOVES[reason];
  const next = {
    available: balance.available + move.available * amount,
    held: balance.held + move.held * amount,
  };
  // A decider checks funds before it moves them; reaching this is a bug, and the database's CHECK would refuse it too.
  if (next.available < 0 || next.held < 0) {
    throw new NegativeBalanceError(`${reason} of ${amount} would make a balance negative`);
  }
  return next;
}

export function canHold(balance: Balance, amount: number): boolean {
  return balance.available >= amount;
}

/** Deposits stop where a wallet's total would leave the range JSON numbers carry exactly. */
export function fitsSafely(balance: Balance, added: number): boolean {
  return balance.available + balance.held + added <= Number.MAX_SAFE_INTEGER;
}

export function walletEvent(
  userId: string,
  reason: WalletReason,
  amount: number,
  before: Balance,
  at: number,
  auctionId?: string,
): { event: WalletEvent; after: Balance } {
  const after = applyMovement(before, reason, amount);
  const data: WalletEventData = {
    userId,
    reason,
    amount,
    available: after.available,
    held: after.held,
    ...(auctionId === undefined ? {} : { auctionId }),
  };
  return { event: { type: eventTypeFor(reason), at, data }, after };
}

export type WalletDecision =
  | { readonly ok: true; readonly reason: WalletReason }
  | { readonly ok: false; readonly code: 'insufficient_funds' | 'invalid_request'; readonly message: string };

export function decideDeposit(balance: Balance, amount: number): WalletDecision {
  if (!fitsSafely(balance, amount)) {
    return {
      ok: false,
      code: 'invalid_request',
      message: 'This deposit would take the wallet beyond the largest supported balance',
    };
  }
  return { ok: true, reason: 'deposit' };
}

export function decideWithdrawal(balance: Balance, amount: number): WalletDecision {
  if (balance.available < amount) {
    return { ok: false, code: 'insufficient_funds', message: `Only ${balance.available} is available to withdraw` };
  }
  return { ok: true, reason: 'withdrawal' };
}
