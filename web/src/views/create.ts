/** Selling: the fields of SPEC §4, each checked here with a message beside it, then by the server. */
import { ApiError, type AuctionView, api } from '../api.js';
import { h, replace } from '../dom.js';
import { describeError } from '../messages.js';
import { parseMoney } from '../money.js';
import { currentSession } from '../session.js';
import type { Context, View } from './context.js';

const localInput = (date: Date): string =>
  new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function createView(ctx: Context): View {
  const field = (name: string, label: string, input: HTMLInputElement | HTMLTextAreaElement, hint?: string) => {
    const error = h('span', { class: 'field-error', testid: `error-${name}`, role: 'alert' });
    return {
      error,
      input,
      el: h(
        'label',
        { class: 'field' },
        h('span', {}, label),
        input,
        hint ? h('small', { class: 'muted' }, hint) : null,
        error,
      ),
    };
  };
  const f = {
    title: field('title', 'Title', h('input', { name: 'title', maxlength: 200, testid: 'new-title' })),
    description: field(
      'description',
      'Description',
      h('textarea', { name: 'description', maxlength: 10_000, rows: 3 }),
    ),
    startingPrice: field(
      'startingPrice',
      'Starting price',
      h('input', { name: 'startingPrice', inputmode: 'decimal', testid: 'new-starting-price' }),
    ),
    minIncrement: field(
      'minIncrement',
      'Fixed increment (optional)',
      h('input', { name: 'minIncrement', inputmode: 'decimal' }),
      'Leave empty to use the standard price tiers.',
    ),
    reservePrice: field(
      'reservePrice',
      'Reserve price (optional, hidden)',
      h('input', { name: 'reservePrice', inputmode: 'decimal' }),
    ),
    buyNowPrice: field(
      'buyNowPrice',
      'Buy-now price (optional)',
      h('input', { name: 'buyNowPrice', inputmode: 'decimal' }),
    ),
    startsAt: field(
      'startsAt',
      'Starts (optional)',
      h('input', { name: 'startsAt', type: 'datetime-local' }),
      'Leave empty to open now.',
    ),
    endsAt: field(
      'endsAt',
      'Ends',
      h('input', {
        name: 'endsAt',
        type: 'datetime-local',
        value: localInput(new Date(Date.now() + 86_400_000)),
        testid: 'new-ends-at',
      }),
    ),
    windowSeconds: field(
      'windowSeconds',
      'Soft-close window (seconds)',
      h('input', { name: 'windowSeconds', inputmode: 'numeric', value: '60' }),
      'A bid this close to the end extends it. 0 turns it off.',
    ),
    extensionSeconds: field(
      'extensionSeconds',
      'Extension (seconds)',
      h('input', { name: 'extensionSeconds', inputmode: 'numeric', value: '60' }),
    ),
  };
  const formError = h('p', { class: 'banner', testid: 'create-error', hidden: true, 'data-kind': 'error' });
  const form = h(
    'form',
    { class: 'panel create', testid: 'create-form', novalidate: true },
    ...Object.values(f).map((x) => x.el),
    formError,
    h('button', { type: 'submit', testid: 'create-submit' }, 'Start the auction'),
  );

  function check(): Record<string, unknown> | null {
    for (const x of Object.values(f)) x.error.textContent = '';
    const errors: Array<[keyof typeof f, string]> = [];
    const money = (key: keyof typeof f, required: boolean): number | undefined => {
      const text = f[key].input.value.trim();
      if (!text) {
        if (required) errors.push([key, 'Required.']);
        return undefined;
      }
      const value = parseMoney(text);
      if (value === null) errors.push([key, 'An amount such as 25 or 12.50.']);
      return value ?? undefined;
    };
    const seconds = (key: keyof typeof f): number | undefined => {
      const text = f[key].input.value.trim();
      if (!/^\d{1,5}$/.test(text) || Number(text) > 86_400) {
        errors.push([key, 'Whole seconds, 0 to 86400.']);
        return undefined;
      }
      return Number(text);
    };
    const title = f.title.input.value.trim();
    if (!title) errors.push(['title', 'Give the lot a title.']);
    const startingPrice = money('startingPrice', true);
    const minIncrement = money('minIncrement', false);
    const reservePrice = money('reservePrice', false);
    const buyNowPrice = money('buyNowPrice', false);
    const startsAt = f.startsAt.input.value ? new Date(f.startsAt.input.value) : undefined;
    const endsAt = f.endsAt.input.value ? new Date(f.endsAt.input.value) : undefined;
    if (!endsAt) errors.push(['endsAt', 'When should it end?']);
    else if (endsAt.getTime() <= Date.now()) errors.push(['endsAt', 'The end must be in the future.']);
    else if (startsAt && endsAt <= startsAt) errors.push(['endsAt', 'The end must come after the start.']);
    if (startingPrice !== undefined && reservePrice !== undefined && reservePrice < startingPrice)
      errors.push(['reservePrice', 'At least the starting price.']);
    if (startingPrice !== undefined && buyNowPrice !== undefined && buyNowPrice < startingPrice)
      errors.push(['buyNowPrice', 'At least the starting price.']);
    if (reservePrice !== undefined && buyNowPrice !== undefined && buyNowPrice < reservePrice)
      errors.push(['buyNowPrice', 'At least the reserve price.']);
    const windowSeconds = seconds('windowSeconds');
    const extensionSeconds = seconds('extensionSeconds');
    for (const [key, text] of errors) f[key].error.textContent = text;
    if (errors.length > 0) return null;
    return {
      title,
      ...(f.description.input.value.trim() ? { description: f.description.input.value.trim() } : {}),
      startingPrice,
      ...(minIncrement === undefined ? {} : { minIncrement }),
      ...(reservePrice === undefined ? {} : { reservePrice }),
      ...(buyNowPrice === undefined ? {} : { buyNowPrice }),
      ...(startsAt ? { startsAt: startsAt.toISOString() } : {}),
      endsAt: endsAt?.toISOString(),
      softClose: { windowSeconds, extensionSeconds },
    };
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    formError.hidden = true;
    if (!currentSession()) {
      formError.hidden = false;
      formError.textContent = describeError('unauthorized', '');
      return;
    }
    const body = check();
    if (!body) return;
    void api<AuctionView>('POST', '/v1/auctions', body).then(
      (created) => ctx.navigate(`#/auction/${created.id}`),
      (err: unknown) => {
        formError.hidden = false;
        formError.textContent =
          err instanceof ApiError ? describeError(err.code, err.message) : 'The auction could not be created.';
      },
    );
  });

  replace(ctx.main, h('section', {}, h('h1', {}, 'Sell something'), form));
  return { dispose: () => undefined };
}
