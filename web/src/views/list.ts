/** The auction list: search, sort, status filter; live prices and time left on every card. */
import { ApiError, type AuctionView, api } from '../api.js';
import { h, replace } from '../dom.js';
import { describeError } from '../messages.js';
import { formatMoney } from '../money.js';
import type { Context, View } from './context.js';

interface Page {
  items: AuctionView[];
  nextCursor: string | null;
}

export function listView(ctx: Context): View {
  const search = h('input', {
    type: 'search',
    placeholder: 'Search titles',
    testid: 'search',
    'aria-label': 'Search titles',
  });
  const sort = h(
    'select',
    { testid: 'sort', 'aria-label': 'Sort' },
    h('option', { value: 'ending_soon' }, 'Ending soon'),
    h('option', { value: 'newest' }, 'Newest'),
    h('option', { value: 'price_asc' }, 'Price: low to high'),
    h('option', { value: 'price_desc' }, 'Price: high to low'),
  );
  const status = h(
    'select',
    { testid: 'status-filter', 'aria-label': 'Status' },
    h('option', { value: 'open' }, 'Open'),
    h('option', { value: 'scheduled' }, 'Starting later'),
    h('option', { value: 'closed' }, 'Ended'),
    h('option', { value: 'cancelled' }, 'Cancelled'),
  );
  const grid = h('ul', { class: 'cards', testid: 'auction-list' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const message = h('p', { class: 'muted' });
  const unwatch: Array<() => void> = [];
  let cursor: string | null = null;
  let generation = 0;

  function card(a: AuctionView): HTMLLIElement {
    const price = h('strong', { class: 'price', testid: 'card-price' });
    const label = h('span', { class: 'muted' });
    const bids = h('span', { class: 'muted' });
    const left = h('span', { class: 'countdown', testid: 'card-countdown' });
    const render = (view: AuctionView) => {
      label.textContent = view.currentPrice === null ? 'Starts at' : 'Current price';
      price.textContent = formatMoney(view.currentPrice ?? view.startingPrice);
      bids.textContent = `${view.bidCount} bid${view.bidCount === 1 ? '' : 's'}`;
      left.dataset.endsAt = String(Date.parse(view.endsAt));
      left.hidden = view.status !== 'open' && view.status !== 'scheduled';
    };
    render(a);
    let view = a;
    if (a.status === 'open' || a.status === 'scheduled') {
      unwatch.push(
        ctx.live.watch(a.id, {
          snapshot: (fresh) => {
            view = fresh;
            render(view);
          },
          event: ({ event }) => {
            if (event.type === 'BidPlaced')
              view = { ...view, currentPrice: event.currentPrice as number, bidCount: view.bidCount + 1 };
            else if (event.type === 'AuctionExtended') view = { ...view, endsAt: event.endsAt as string };
            else if (event.type === 'AuctionClosed' || event.type === 'AuctionCancelled')
              view = { ...view, status: event.type === 'AuctionClosed' ? 'closed' : 'cancelled' };
            else if (event.type === 'AuctionOpened') view = { ...view, status: 'open' };
            render(view);
          },
        }),
      );
    }
    return h(
      'li',
      { class: 'card', 'data-id': a.id },
      h(
        'a',
        { href: `#/auction/${a.id}`, class: 'card-link' },
        h('h3', {}, a.title),
        h('div', { class: 'card-row' }, h('div', {}, label, price), h('div', { class: 'right' }, left, bids)),
      ),
    );
  }

  async function load(reset: boolean): Promise<void> {
    const mine = ++generation;
    if (reset) {
      for (const u of unwatch.splice(0)) u();
      grid.replaceChildren();
      cursor = null;
    }
    const query = new URLSearchParams({ status: status.value, sort: sort.value, limit: '24' });
    if (search.value.trim()) query.set('q', search.value.trim());
    if (cursor) query.set('cursor', cursor);
    try {
      const page = await api<Page>('GET', `/v1/auctions?${query.toString()}`);
      if (mine !== generation) return;
      for (const a of page.items) grid.appendChild(card(a));
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      message.textContent = grid.children.length === 0 ? 'No auctions here yet.' : '';
    } catch (err) {
      message.textContent =
        err instanceof ApiError ? describeError(err.code, err.message) : 'The list could not be loaded.';
    }
  }

  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => void load(true), 250);
  });
  sort.addEventListener('change', () => void load(true));
  status.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));

  replace(
    ctx.main,
    h('section', { class: 'list' }, h('div', { class: 'filters' }, search, sort, status), message, grid, more),
  );
  void load(true);
  return {
    dispose: () => {
      clearTimeout(typing);
      for (const u of unwatch.splice(0)) u();
    },
  };
}
