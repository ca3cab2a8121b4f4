/// <reference lib="dom" />
/**
 * The web page in a real browser (Debian's Chromium through playwright-core) against a real server: two people
 * in two browser contexts bid on one auction and watch each other live, buy now ends it on both screens, a
 * reload keeps the session, and a soft-close extension moves the countdown.
 */
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import t from 'tap';
import { type Api, fundedUser, httpApi, openAuction, registerUser } from '../helpers/api.js';
import { launchBrowser } from '../helpers/browser.js';
import { startTestService } from '../helpers/service.js';

const DOCS = path.resolve(import.meta.dirname, '../../docs');

t.test('two people bidding through the web page', async (t) => {
  const service = await startTestService(t, { listen: true });
  const api: Api = httpApi(service.url);
  const browser = await launchBrowser(t);
  const errors: string[] = [];

  async function person(
    name: string,
    viewport = { width: 1280, height: 800 },
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
    await page.goto(service.url);
    await page.fill('[data-testid=signup-name]', name);
    await page.click('[data-testid=signup-submit]');
    await page.waitForSelector('[data-testid=me]');
    // Money in through the wallet page, as a person would.
    await page.click('[data-testid=nav-wallet]');
    await page.fill('[data-testid=wallet-amount]', '1000');
    await page.click('[data-testid=deposit]');
    await page.waitForSelector('text=Deposited 1,000.00');
    return { context, page };
  }

  const seller = await registerUser(api, 'seller');
  const lot = await openAuction(api, seller, {
    title: 'Brass telescope',
    description: 'Working order, with its case.',
    startingPrice: 1_000,
    minIncrement: 100,
    buyNowPrice: 50_000,
    softClose: { windowSeconds: 0, extensionSeconds: 1 },
  });
  const ann = await person('Ann');
  const bob = await person('Bob');
  const price = (p: Page) => p.textContent('[data-testid=price]');
  const room = async (p: Page, id: string) => {
    await p.goto(`${service.url}/#/auction/${id}`);
    await p.waitForSelector('[data-testid=bid-form]:not([hidden])');
  };
  await room(ann.page, lot.id);
  await room(bob.page, lot.id);
  t.equal(await price(ann.page), '10.00');

  t.test('one bids and the other sees it live, within a second', async (t) => {
    await ann.page.fill('[data-testid=bid-input]', '20');
    await ann.page.click('[data-testid=bid-submit]');
    await ann.page.waitForSelector('[data-testid=banner][data-kind=leading]');
    t.match(await ann.page.textContent('[data-testid=banner]'), /highest bidder at 10\.00.*20\.00 is held/);
    await bob.page.waitForSelector('[data-testid=leader][data-leader=other]', { timeout: 1_000 });
    t.match(await bob.page.textContent('[data-testid=history]'), /A bidder bid/);

    const clicked = Date.now();
    await bob.page.fill('[data-testid=bid-input]', '30');
    await bob.page.click('[data-testid=bid-submit]');
    await ann.page.waitForFunction(() => document.querySelector('[data-testid=price]')?.textContent === '21.00', null, {
      timeout: 1_000,
    });
    t.ok(Date.now() - clicked < 1_000, `Ann saw Bob's price in ${Date.now() - clicked} ms, without reloading`);
    t.equal(await bob.page.textContent('[data-testid=leader]'), 'You are the highest bidder');
  });

  t.test('the one who is outbid sees the outbid banner and where the hold went', async (t) => {
    await ann.page.waitForSelector('[data-testid=banner][data-kind=outbid]');
    t.match(await ann.page.textContent('[data-testid=banner]'), /outbid: the price is now 21\.00.*back in your wallet/);
    t.equal(await ann.page.textContent('[data-testid=leader]'), 'Another bidder leads');
    t.match(await bob.page.textContent('[data-testid=held]'), /30\.00 of your funds is held/);
  });

  t.test('readable errors, not codes', async (t) => {
    await ann.page.fill('[data-testid=bid-input]', '5');
    await ann.page.click('[data-testid=bid-submit]');
    await ann.page.waitForSelector('[data-testid=banner][data-kind=error]');
    t.equal(await ann.page.textContent('[data-testid=banner]'), 'Your maximum must be at least 22.00.');
    await ann.page.fill('[data-testid=bid-input]', '5000');
    await ann.page.click('[data-testid=bid-submit]');
    await ann.page.waitForFunction(() =>
      /enough available funds/.test(document.querySelector('[data-testid=banner]')?.textContent ?? ''),
    );
    t.notMatch(await ann.page.textContent('[data-testid=banner]'), /insufficient_funds/);
  });

  // `WRITE_SCREENSHOTS=1 npx tap test/web/browser.test.ts` refreshes the pictures in docs/.
  if (process.env.WRITE_SCREENSHOTS)
    t.test('screenshots', async () => {
      await bob.page.screenshot({ path: path.join(DOCS, 'room-desktop.png') });
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      const phonePage = await phone.newPage();
      await phonePage.goto(service.url);
      await phonePage.evaluate(
        (session) => localStorage.setItem('live-auction.session', session),
        await ann.page.evaluate(() => localStorage.getItem('live-auction.session') ?? ''),
      );
      // A fresh load with the session in place, as after signing in on the phone.
      await phonePage.goto(`${service.url}/#/auction/${lot.id}`);
      await phonePage.reload();
      await phonePage.waitForSelector('[data-testid=history] li');
      await phonePage.fill('[data-testid=bid-input]', '35');
      await phonePage.click('[data-testid=bid-submit]');
      await phonePage.waitForSelector('[data-testid=banner][data-kind=leading]');
      await phonePage.screenshot({ path: path.join(DOCS, 'room-phone.png'), fullPage: true });
      await phone.close();
    });

  t.test('buy now ends the auction on both screens', async (t) => {
    await ann.page.click('[data-testid=buy-now]');
    t.match(
      await ann.page.textContent('[data-testid=buy-now]'),
      /Confirm: buy for 500\.00/,
      'a purchase asks for confirmation',
    );
    await ann.page.click('[data-testid=buy-now]');
    for (const { page } of [ann, bob]) {
      await page.waitForSelector('[data-testid=status][data-status=closed]');
      t.ok(await page.isHidden('[data-testid=bid-form]'), 'no more bidding');
      t.ok(await page.isHidden('[data-testid=buy-now]'));
    }
    await ann.page.waitForSelector('[data-testid=banner][data-kind=won]');
    t.match(await ann.page.textContent('[data-testid=banner]'), /You won for 500\.00/);
    await bob.page.waitForSelector('[data-testid=banner][data-kind=lost]');
    t.match(await bob.page.textContent('[data-testid=banner]'), /did not win.*hold you had is back/);
  });

  t.test('a reload keeps the session', async (t) => {
    await ann.page.reload();
    await ann.page.waitForSelector('[data-testid=me]');
    t.equal(await ann.page.textContent('[data-testid=me]'), 'Ann');
    await ann.page.waitForSelector('[data-testid=status][data-status=closed]');
  });

  t.test('a soft-close extension moves the countdown', async (t) => {
    const closing = await openAuction(api, seller, {
      title: 'Last-minute lot',
      startingPrice: 1_000,
      endsAt: new Date(Date.now() + 20_000).toISOString(),
      softClose: { windowSeconds: 30, extensionSeconds: 120 },
    });
    await room(ann.page, closing.id);
    const endsAt = async () => Number(await ann.page.getAttribute('[data-testid=countdown]', 'data-ends-at'));
    const before = await endsAt();
    t.ok(before <= Date.now() + 20_000, 'the countdown starts at the scheduled end');
    const other = await fundedUser(api, 100_000, 'late bidder');
    await api('POST', `/v1/auctions/${closing.id}/bids`, {
      token: other.token,
      body: { maxAmount: 2_000, commandId: 'late' },
    });
    await ann.page.waitForFunction(
      (old) => Number(document.querySelector('[data-testid=countdown]')?.getAttribute('data-ends-at')) > old,
      before,
    );
    t.ok((await endsAt()) >= before + 90_000, 'the end moved by the extension');
    await ann.page.waitForFunction(() =>
      /^[12]m \d\ds$/.test(document.querySelector('[data-testid=countdown]')?.textContent ?? ''),
    );
    t.pass('and the countdown shows it, in minutes now');
    t.match(await ann.page.textContent('[data-testid=banner]'), /end moved/);
  });

  t.test('the list shows live prices and searches', async (t) => {
    await bob.page.goto(`${service.url}/#/`);
    await bob.page.fill('[data-testid=search]', 'last');
    await bob.page.waitForFunction(() => document.querySelectorAll('[data-testid=auction-list] li').length === 1);
    t.match(await bob.page.textContent('[data-testid=auction-list]'), /Last-minute lot/);
    const card = '[data-testid=auction-list] li [data-testid=card-price]';
    t.equal(await bob.page.textContent(card), '10.00', 'one bid so far: still the starting price');
    const rival = await fundedUser(api, 100_000, 'rival');
    const closing = (await bob.page.getAttribute('[data-testid=auction-list] li', 'data-id')) as string;
    await api('POST', `/v1/auctions/${closing}/bids`, {
      token: rival.token,
      body: { maxAmount: 5_000, commandId: 'rival' },
    });
    await bob.page.waitForFunction((sel) => document.querySelector(sel)?.textContent !== '10.00', card);
    t.equal(await bob.page.textContent(card), '20.50', 'the card price moved live');
  });

  t.test('the page raised no errors', async (t) => {
    t.same(errors, []);
  });
});

t.test('selling through the form, with its checks', async (t) => {
  const service = await startTestService(t, { listen: true });
  const browser = await launchBrowser(t);
  const page = await (await browser.newContext()).newPage();
  await page.goto(service.url);
  await page.fill('[data-testid=signup-name]', 'Sam');
  await page.click('[data-testid=signup-submit]');
  await page.waitForSelector('[data-testid=me]');
  await page.click('[data-testid=nav-sell]');
  await page.fill('[data-testid=new-starting-price]', '12.345');
  await page.click('[data-testid=create-submit]');
  t.equal(await page.textContent('[data-testid=error-title]'), 'Give the lot a title.');
  t.equal(await page.textContent('[data-testid=error-startingPrice]'), 'An amount such as 25 or 12.50.');
  await page.fill('[data-testid=new-title]', 'Oak chair');
  await page.fill('[data-testid=new-starting-price]', '12.50');
  await page.click('[data-testid=create-submit]');
  await page.waitForFunction(() => document.querySelector('[data-testid=title]')?.textContent === 'Oak chair');
  t.equal(await page.textContent('[data-testid=price]'), '12.50', 'the new auction opens at its starting price');
  t.match(page.url(), /#\/auction\/[0-9a-f-]{36}$/);
});
