/**
 * The auction room: the live price and leader, the next minimum bid, a bid box that takes your maximum, buy now
 * while offered, a countdown that follows soft-close extensions, the bid history as it happens, and a banner
 * when you are outbid, win or lose, saying what happened to your held funds.
 */
import { incrementAt } from '../../../src/auctions/increments.js';
import { ApiError, type AuctionView, api, newCommandId } from '../api.js';
import { h, replace } from '../dom.js';
import type { EventFrame } from '../live.js';
import { describeError } from '../messages.js';
import { formatMoney, parseMoney } from '../money.js';
import { currentSession } from '../session.js';
import { formatDateTime } from '../time.js';
import type { Context, View } from './context.js';

interface MyBid {
  auctionId: string;
  myMaxAmount: number;
}

type BannerKind = 'outbid' | 'won' | 'lost' | 'leading' | 'info' | 'error';

export function roomView(ctx: Context, auctionId: string): View {
  let auction: AuctionView | null = null;
  let myMax: number | null = null;
  let participated = false;
  const seenHistory = new Set<number>();

  const title = h('h1', { testid: 'title' }, 'Loading…');
  const status = h('span', { class: 'pill', testid: 'status' });
  const price = h('strong', { class: 'price', testid: 'price' });
  const priceLabel = h('span', { class: 'muted' });
  const leader = h('span', { testid: 'leader' });
  const nextMin = h('span', { testid: 'next-min' });
  const countdown = h('span', { class: 'countdown', testid: 'countdown' });
  const endsAtText = h('span', { class: 'muted' });
  const held = h('p', { class: 'held', testid: 'held' });
  const banner = h('div', { class: 'banner', testid: 'banner', role: 'status', 'aria-live': 'polite', hidden: true });
  const description = h('p', { class: 'description' });
  const input = h('input', {
    testid: 'bid-input',
    inputmode: 'decimal',
    autocomplete: 'off',
    placeholder: 'Your maximum',
    'aria-label': 'Your maximum bid',
  });
  const submit = h('button', { type: 'submit', testid: 'bid-submit' }, 'Place bid');
  const buyNow = h('button', { type: 'button', class: 'secondary', testid: 'buy-now', hidden: true });
  const history = h('ol', { class: 'history', testid: 'history' });
  const form = h(
    'form',
    { class: 'bid-form', testid: 'bid-form' },
    h('label', {}, 'Your maximum ', input),
    submit,
    h(
      'p',
      { class: 'hint' },
      'Enter the most you would pay: we bid for you, only as much as it takes to keep you ahead.',
    ),
  );

  const show = (kind: BannerKind, text: string) => {
    banner.hidden = false;
    banner.dataset.kind = kind;
    banner.textContent = text;
  };
  const me = () => currentSession()?.userId ?? null;

  function render(): void {
    if (!auction) return;
    const a = auction;
    title.textContent = a.title;
    status.textContent = a.status;
    status.dataset.status = a.status;
    description.textContent = a.description;
    priceLabel.textContent =
      a.currentPrice === null
        ? 'Starting price'
        : `Current price · ${a.bidCount} bid${a.bidCount === 1 ? '' : 's'}${a.reserveMet ? '' : ' · reserve not met'}`;
    price.textContent = formatMoney(a.currentPrice ?? a.startingPrice);
    leader.textContent =
      a.leaderId === null ? 'No bids yet' : a.leaderId === me() ? 'You are the highest bidder' : 'Another bidder leads';
    leader.dataset.leader = a.leaderId === null ? 'none' : a.leaderId === me() ? 'you' : 'other';
    nextMin.textContent = `Next minimum bid: ${formatMoney(a.nextMinimumBid)}`;
    const live = a.status === 'open' || a.status === 'scheduled';
    countdown.dataset.endsAt = String(Date.parse(a.endsAt));
    countdown.hidden = !live;
    endsAtText.textContent = live
      ? `ends ${formatDateTime(a.endsAt)}`
      : a.closedAt
        ? `ended ${formatDateTime(a.closedAt)}`
        : '';
    form.hidden = a.status !== 'open';
    const offered = a.status === 'open' && a.buyNowPrice !== null;
    buyNow.hidden = !offered;
    if (offered && buyNow.dataset.confirm !== 'yes')
      buyNow.textContent = `Buy now for ${formatMoney(a.buyNowPrice ?? 0)}`;
    held.textContent =
      a.status === 'open' && a.leaderId === me() && myMax !== null
        ? `${formatMoney(myMax)} of your funds is held while you lead.`
        : '';
  }

  function addHistory(seq: number, bidderId: string, currentPrice: number, at: string): void {
    if (seenHistory.has(seq)) return;
    seenHistory.add(seq);
    const who = bidderId === me() ? 'You' : 'A bidder';
    const item = h(
      'li',
      { 'data-seq': seq },
      h('span', {}, `${who} bid`),
      h('strong', {}, formatMoney(currentPrice)),
      h('time', { datetime: at }, new Date(at).toLocaleTimeString()),
    );
    const after = [...history.children].find((li) => Number((li as HTMLElement).dataset.seq) < seq);
    history.insertBefore(item, after ?? null);
  }

  function apply(frame: EventFrame): void {
    if (!auction) return;
    const e = frame.event;
    const wasLeading = auction.leaderId !== null && auction.leaderId === me();
    auction = { ...auction, version: frame.seq };
    switch (e.type) {
      case 'AuctionOpened':
        auction.status = 'open';
        break;
      case 'BidPlaced': {
        const currentPrice = e.currentPrice as number;
        auction.currentPrice = currentPrice;
        auction.leaderId = e.leaderId as string;
        auction.bidCount += 1;
        auction.reserveMet = e.reserveMet as boolean;
        auction.nextMinimumBid = currentPrice + incrementAt(currentPrice, auction.fixedIncrement);
        if (auction.buyNowPrice !== null && currentPrice >= auction.buyNowPrice) auction.buyNowPrice = null;
        addHistory(frame.seq, e.bidderId as string, currentPrice, e.at);
        if (e.bidderId === me()) participated = true;
        const leadingNow = auction.leaderId === me();
        if (wasLeading && !leadingNow) {
          show(
            'outbid',
            `You have been outbid: the price is now ${formatMoney(currentPrice)}. Your hold${myMax === null ? '' : ` of ${formatMoney(myMax)}`} is back in your wallet.`,
          );
          myMax = null;
        }
        break;
      }
      case 'AuctionExtended':
        auction.endsAt = e.endsAt as string;
        show('info', `Bidding continues: the end moved to ${formatDateTime(auction.endsAt)}.`);
        break;
      case 'AuctionClosed': {
        auction.status = 'closed';
        auction.winnerId = e.winnerId as string | null;
        auction.finalPrice = e.finalPrice as number | null;
        auction.closeReason = e.reason as 'ended' | 'buy_now';
        auction.closedAt = e.at;
        auction.buyNowPrice = null;
        const final = auction.finalPrice;
        if (auction.winnerId !== null && auction.winnerId === me()) {
          const back = myMax !== null && final !== null && e.reason !== 'buy_now' ? myMax - final : 0;
          show(
            'won',
            `You won for ${formatMoney(final ?? 0)}. It has been paid from your funds${back > 0 ? `; the rest of your hold (${formatMoney(back)}) is back in your wallet` : ''}.`,
          );
        } else if (participated || wasLeading) {
          show(
            'lost',
            `The auction has ended${auction.winnerId ? ` at ${formatMoney(final ?? 0)}` : ' unsold'} and you did not win. Any hold you had is back in your wallet.`,
          );
        } else {
          show('info', auction.winnerId ? `Sold for ${formatMoney(final ?? 0)}.` : 'The auction has ended unsold.');
        }
        myMax = null;
        break;
      }
      case 'AuctionCancelled':
        auction.status = 'cancelled';
        show('info', 'The seller cancelled this auction.');
        break;
      default:
        break;
    }
    render();
  }

  async function loadMine(): Promise<void> {
    if (!currentSession()) return;
    try {
      const mine = await api<{ items: MyBid[] }>('GET', '/v1/me/bids?limit=200');
      const entry = mine.items.find((b) => b.auctionId === auctionId);
      if (entry) {
        participated = true;
        myMax = entry.myMaxAmount;
        render();
      }
    } catch {
      // Not signed in any more, or the read model is briefly behind: the room works without it.
    }
  }

  async function loadHistory(upToSeq: number): Promise<void> {
    const { items } = await api<{
      items: Array<{ seq: number; type: string; at: string; bidderId?: string; currentPrice?: number }>;
    }>('GET', `/v1/auctions/${auctionId}/events?after=${Math.max(0, upToSeq - 300)}&limit=300`);
    for (const e of items)
      if (e.type === 'BidPlaced' && e.seq <= upToSeq) addHistory(e.seq, e.bidderId ?? '', e.currentPrice ?? 0, e.at);
  }

  async function placeBid(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!auction) return;
    if (!currentSession()) {
      show('error', describeError('unauthorized', ''));
      return;
    }
    const amount = parseMoney(input.value);
    if (amount === null) {
      show('error', 'Type an amount such as 12.50.');
      return;
    }
    if (amount < auction.nextMinimumBid) {
      show('error', describeError('bid_too_low', '', { nextMinimumBid: auction.nextMinimumBid }));
      return;
    }
    submit.disabled = true;
    try {
      const commandId = newCommandId();
      const result = ctx.live.connected
        ? await ctx.live.command<{ leading: boolean; currentPrice: number }>({
            type: 'bid',
            auctionId,
            maxAmount: amount,
            commandId,
          })
        : await api<{ leading: boolean; currentPrice: number }>('POST', `/v1/auctions/${auctionId}/bids`, {
            maxAmount: amount,
            commandId,
          });
      participated = true;
      input.value = '';
      if (result.leading) {
        myMax = amount;
        show(
          'leading',
          `You are the highest bidder at ${formatMoney(result.currentPrice)}. Your maximum of ${formatMoney(amount)} is held while you lead.`,
        );
      } else {
        show(
          'outbid',
          `Another bidder's maximum is higher: the price is now ${formatMoney(result.currentPrice)}. Nothing is held for your bid.`,
        );
      }
      render();
    } catch (err) {
      show(
        'error',
        err instanceof ApiError
          ? describeError(err.code, err.message, { nextMinimumBid: auction.nextMinimumBid })
          : String(err),
      );
    } finally {
      submit.disabled = false;
    }
  }

  async function buy(): Promise<void> {
    if (!auction || auction.buyNowPrice === null) return;
    if (!currentSession()) {
      show('error', describeError('unauthorized', ''));
      return;
    }
    // Two steps: a purchase is final.
    if (buyNow.dataset.confirm !== 'yes') {
      buyNow.dataset.confirm = 'yes';
      buyNow.textContent = `Confirm: buy for ${formatMoney(auction.buyNowPrice)}`;
      return;
    }
    buyNow.disabled = true;
    try {
      const commandId = newCommandId();
      if (ctx.live.connected) await ctx.live.command({ type: 'buy_now', auctionId, commandId });
      else await api('POST', `/v1/auctions/${auctionId}/buy-now`, { commandId });
    } catch (err) {
      show('error', err instanceof ApiError ? describeError(err.code, err.message) : String(err));
    } finally {
      buyNow.disabled = false;
      delete buyNow.dataset.confirm;
    }
  }

  form.addEventListener('submit', (e) => void placeBid(e));
  buyNow.addEventListener('click', () => void buy());

  replace(
    ctx.main,
    h(
      'article',
      { class: 'room', testid: 'room' },
      h('a', { href: '#/', class: 'back' }, '← All auctions'),
      h('header', { class: 'room-head' }, title, status),
      banner,
      h(
        'section',
        { class: 'panel live-panel' },
        h('div', { class: 'price-block' }, priceLabel, price, leader),
        h('div', { class: 'time-block' }, h('span', { class: 'muted' }, 'Time left'), countdown, endsAtText),
      ),
      h('section', { class: 'panel' }, nextMin, held, form, buyNow),
      description,
      h('section', { class: 'panel' }, h('h2', {}, 'Bids'), history),
    ),
  );

  const unwatch = ctx.live.watch(auctionId, {
    snapshot: (view, seq) => {
      const first = auction === null;
      auction = view;
      render();
      if (first) void loadHistory(seq).catch(() => undefined);
    },
    event: (frame) => apply(frame),
  });
  // The socket may be down (or the auction unknown): the HTTP read fills the room meanwhile.
  void api<AuctionView>('GET', `/v1/auctions/${auctionId}`).then(
    (view) => {
      if (auction === null) {
        auction = view;
        render();
        void loadHistory(view.version).catch(() => undefined);
      }
    },
    (err: unknown) =>
      show(
        'error',
        err instanceof ApiError ? describeError(err.code, err.message) : 'This auction could not be loaded.',
      ),
  );
  void loadMine();
  return { dispose: unwatch };
}
