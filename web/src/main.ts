/**
 * The page: a header (who you are, your wallet, the connection), and one view at a time, chosen by the URL
 * hash: the auction list, an auction room, selling, the wallet.
 */
import { ApiError, type Balance, api } from './api.js';
import { byTestId, h, replace } from './dom.js';
import { Live } from './live.js';
import { describeError } from './messages.js';
import { formatMoney } from './money.js';
import { currentSession, onSessionChange, saveSession } from './session.js';
import { formatRemaining } from './time.js';
import type { Context, View } from './views/context.js';
import { createView } from './views/create.js';
import { listView } from './views/list.js';
import { roomView } from './views/room.js';
import { walletView } from './views/wallet.js';

const main = byTestId<HTMLElement>(document, 'main');
const account = byTestId<HTMLElement>(document, 'account');
const connection = byTestId<HTMLElement>(document, 'connection');
const live = new Live(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`);

let balance: Balance | null = null;

function renderAccount(): void {
  const session = currentSession();
  if (!session) {
    const name = h('input', {
      placeholder: 'Your name',
      maxlength: 80,
      testid: 'signup-name',
      'aria-label': 'Your name',
    });
    const error = h('span', { class: 'field-error', testid: 'signup-error' });
    const form = h(
      'form',
      { class: 'signup', testid: 'signup' },
      name,
      h('button', { type: 'submit', testid: 'signup-submit' }, 'Join'),
      error,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const displayName = name.value.trim();
      if (!displayName) {
        error.textContent = 'Tell us what to call you.';
        return;
      }
      void api<{ userId: string; token: string }>('POST', '/v1/users', { displayName }).then(
        (created) => saveSession({ ...created, displayName }),
        (err: unknown) =>
          (error.textContent = err instanceof ApiError ? describeError(err.code, err.message) : 'Could not sign up.'),
      );
    });
    replace(account, form);
    return;
  }
  replace(
    account,
    h(
      'a',
      { href: '#/wallet', class: 'wallet-chip', testid: 'wallet-chip' },
      h('span', { testid: 'me' }, session.displayName),
      balance
        ? ` · ${formatMoney(balance.available)} available${balance.held > 0 ? ` · ${formatMoney(balance.held)} held` : ''}`
        : '',
    ),
    h('button', { type: 'button', class: 'link', onclick: () => saveSession(null) }, 'Sign out'),
  );
}

async function refreshWallet(): Promise<void> {
  if (!currentSession()) {
    balance = null;
    renderAccount();
    return;
  }
  try {
    balance = await api<Balance>('GET', '/v1/wallet');
  } catch (err) {
    // A token this service no longer knows (say, a reset database): start over.
    if (err instanceof ApiError && err.code === 'unauthorized') saveSession(null);
  }
  renderAccount();
}

live.onWallet((b) => {
  balance = b;
  renderAccount();
});
live.onStatus((status) => {
  connection.dataset.status = status;
  connection.textContent = status === 'live' ? 'live' : status === 'connecting' ? 'connecting…' : 'reconnecting…';
});
onSessionChange(() => {
  void refreshWallet();
  route();
});

const ctx: Context = {
  main,
  live,
  navigate: (hash) => {
    location.hash = hash;
  },
  refreshWallet,
};

let view: View | null = null;
function route(): void {
  view?.dispose();
  const hash = location.hash || '#/';
  const room = /^#\/auction\/([0-9a-f-]{36})$/i.exec(hash);
  if (room?.[1]) view = roomView(ctx, room[1]);
  else if (hash === '#/new') view = createView(ctx);
  else if (hash === '#/wallet') view = walletView(ctx);
  else view = listView(ctx);
}

// Every countdown on the page, by its data-ends-at, four times a second.
setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll<HTMLElement>('[data-ends-at]')) {
    el.textContent = formatRemaining(Number(el.dataset.endsAt) - now);
  }
}, 250);

window.addEventListener('hashchange', route);
renderAccount();
void refreshWallet();
route();
