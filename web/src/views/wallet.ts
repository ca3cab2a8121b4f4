/** The wallet: balances, deposits and withdrawals, and the ledger, newest first. */
import { ApiError, type Balance, api, newCommandId } from '../api.js';
import { h, replace } from '../dom.js';
import { describeError } from '../messages.js';
import { formatMoney, parseMoney } from '../money.js';
import { currentSession } from '../session.js';
import type { Context, View } from './context.js';

interface Entry {
  type: string;
  reason: string;
  amount: number;
  available: number;
  held: number;
  auctionId?: string;
  at: string;
}

const REASONS: Record<string, string> = {
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  bid_hold: 'Held for a bid',
  hold_released: 'Hold released',
  payment: 'Paid for a win',
  payout: 'Sale proceeds',
};

export function walletView(ctx: Context): View {
  if (!currentSession()) {
    replace(ctx.main, h('p', { class: 'banner', 'data-kind': 'info' }, 'Sign up (top right) to get a wallet.'));
    return { dispose: () => undefined };
  }
  const available = h('strong', { testid: 'wallet-available' });
  const held = h('strong', { testid: 'wallet-held' });
  const amount = h('input', {
    inputmode: 'decimal',
    placeholder: 'Amount',
    testid: 'wallet-amount',
    'aria-label': 'Amount',
  });
  const message = h('p', { class: 'banner', hidden: true, testid: 'wallet-message' });
  const ledger = h('ol', { class: 'ledger', testid: 'ledger' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older entries');
  let cursor: string | null = null;

  const showBalance = (b: Balance) => {
    available.textContent = formatMoney(b.available);
    held.textContent = formatMoney(b.held);
  };
  const say = (kind: string, text: string) => {
    message.hidden = false;
    message.dataset.kind = kind;
    message.textContent = text;
  };

  async function loadLedger(reset: boolean): Promise<void> {
    if (reset) {
      ledger.replaceChildren();
      cursor = null;
    }
    const page = await api<{ entries: Entry[]; nextCursor: string | null }>(
      'GET',
      `/v1/wallet/ledger?limit=25${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const e of page.entries) {
      ledger.appendChild(
        h(
          'li',
          {},
          h(
            'span',
            {},
            REASONS[e.reason] ?? e.reason,
            e.auctionId ? h('a', { href: `#/auction/${e.auctionId}` }, ' (auction)') : null,
          ),
          h(
            'strong',
            { class: e.type === 'WalletCredited' ? 'credit' : 'debit' },
            `${e.type === 'WalletCredited' ? '+' : '−'}${formatMoney(e.amount)}`,
          ),
          h(
            'small',
            { class: 'muted' },
            `${new Date(e.at).toLocaleString()} · available ${formatMoney(e.available)} · held ${formatMoney(e.held)}`,
          ),
        ),
      );
    }
    cursor = page.nextCursor;
    more.hidden = cursor === null;
  }

  async function move(kind: 'deposits' | 'withdrawals'): Promise<void> {
    const minor = parseMoney(amount.value);
    if (minor === null) {
      say('error', 'Type an amount such as 25 or 12.50.');
      return;
    }
    try {
      // One key per attempt: a retried click cannot deposit twice.
      const balance = await api<Balance>(
        'POST',
        `/v1/wallet/${kind}`,
        { amount: minor },
        { 'idempotency-key': newCommandId() },
      );
      showBalance(balance);
      amount.value = '';
      say('info', kind === 'deposits' ? `Deposited ${formatMoney(minor)}.` : `Withdrew ${formatMoney(minor)}.`);
      await ctx.refreshWallet();
      setTimeout(() => void loadLedger(true), 300);
    } catch (err) {
      say('error', err instanceof ApiError ? describeError(err.code, err.message) : 'That did not go through.');
    }
  }

  replace(
    ctx.main,
    h(
      'section',
      { class: 'wallet' },
      h('h1', {}, 'Your wallet'),
      h(
        'div',
        { class: 'panel balances' },
        h('div', {}, h('span', { class: 'muted' }, 'Available'), available),
        h('div', {}, h('span', { class: 'muted' }, 'Held for bids'), held),
      ),
      h(
        'div',
        { class: 'panel wallet-actions' },
        amount,
        h('button', { type: 'button', testid: 'deposit', onclick: () => void move('deposits') }, 'Deposit'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void move('withdrawals') }, 'Withdraw'),
        message,
      ),
      h('h2', {}, 'Ledger'),
      ledger,
      more,
    ),
  );
  more.addEventListener('click', () => void loadLedger(false));
  ctx.live.onWallet(showBalance);
  void api<Balance>('GET', '/v1/wallet').then(showBalance, () => undefined);
  void loadLedger(true).catch(() => undefined);
  return { dispose: () => undefined };
}
