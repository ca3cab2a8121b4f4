import t from 'tap';
import {
  type Api,
  type TestUser,
  fundedUser,
  injectApi,
  nextCommandId,
  openAuction,
  registerUser,
} from '../helpers/api.js';
import { writeSideFingerprint } from '../helpers/fingerprint.js';
import { startTestService } from '../helpers/service.js';

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();
const MISSING = '01234567-89ab-7cde-8f01-23456789abcd';

t.test('auction routes', async (t) => {
  const service = await startTestService(t);
  const api: Api = injectApi(service);
  const db = service.database.db;
  const seller = await registerUser(api, 'seller');
  const bid = (user: TestUser, auctionId: string, maxAmount: unknown, commandId: unknown = nextCommandId()) =>
    api('POST', `/v1/auctions/${auctionId}/bids`, { token: user.token, body: { maxAmount, commandId } });

  t.test('create returns the auction as GET shows it, without the reserve', async (t) => {
    const endsAt = inOneHour();
    const res = await api('POST', '/v1/auctions', {
      token: seller.token,
      body: {
        title: '  Brass telescope ',
        description: 'Working',
        startingPrice: 5_000,
        reservePrice: 9_000,
        buyNowPrice: 20_000,
        endsAt,
      },
    });
    t.equal(res.status, 201);
    t.match(res.body, {
      sellerId: seller.userId,
      title: 'Brass telescope',
      description: 'Working',
      status: 'open',
      startingPrice: 5_000,
      currentPrice: null,
      nextMinimumBid: 5_000,
      minIncrement: 100,
      leaderId: null,
      bidCount: 0,
      reserveMet: false,
      buyNowPrice: 20_000,
      endsAt,
      closedAt: null,
      winnerId: null,
      finalPrice: null,
      version: 2,
    });
    t.notOk('reservePrice' in res.body, 'the reserve amount is never shown');
    const got = await api('GET', `/v1/auctions/${res.body.id}`);
    t.equal(got.status, 200);
    t.same(got.body, res.body);
  });

  t.test('an auction with a later start is scheduled and refuses bids until then', async (t) => {
    const bidder = await fundedUser(api, 10_000);
    const startsAt = new Date(Date.now() + 600_000).toISOString();
    const a = await openAuction(api, seller, { startsAt, endsAt: inOneHour() });
    t.equal(a.status, 'scheduled');
    const res = await bid(bidder, a.id, 500);
    t.equal(res.status, 409);
    t.equal(res.body.error.code, 'auction_not_open');
  });

  t.test('create refuses inconsistent or malformed auctions and changes nothing', async (t) => {
    const before = await writeSideFingerprint(db);
    const past = new Date(Date.now() - 1000).toISOString();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['ends in the past', { endsAt: past }],
      ['ends before it starts', { startsAt: new Date(Date.now() + 7_200_000).toISOString() }],
      ['reserve below the start', { reservePrice: 50 }],
      ['buy-now below the start', { buyNowPrice: 50 }],
      ['buy-now below the reserve', { reservePrice: 500, buyNowPrice: 400 }],
      ['float price', { startingPrice: 10.5 }],
      ['string price', { startingPrice: '100' }],
      ['negative increment', { minIncrement: -1 }],
      ['price over 2^53', { startingPrice: 2 ** 53 }],
      ['blank title', { title: '   ' }],
      ['NUL in the title', { title: 'Lot\u0000' }],
      ['NUL in the description', { description: 'A\u0000B' }],
      ['no title', { title: undefined }],
      ['bad date', { endsAt: 'tomorrow' }],
      ['unknown field', { colour: 'red' }],
      ['negative soft close', { softClose: { windowSeconds: -1, extensionSeconds: 60 } }],
    ];
    for (const [what, fields] of cases) {
      const body = { title: 'Lot', startingPrice: 100, endsAt: inOneHour(), ...fields };
      const res = await api('POST', '/v1/auctions', { token: seller.token, body });
      t.equal(res.status, 400, what);
      t.equal(res.body.error.code, 'invalid_request', what);
    }
    t.equal(
      (await api('POST', '/v1/auctions', { body: { title: 'Lot', startingPrice: 100, endsAt: inOneHour() } })).status,
      401,
    );
    t.equal(await writeSideFingerprint(db), before, 'nothing changed');
  });

  t.test('an unknown or malformed auction id is 404 not_found on every auction route', async (t) => {
    const user = await fundedUser(api, 1_000);
    for (const id of [MISSING, 'not-a-uuid', '123']) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['GET', '/bids', undefined],
        ['GET', '/events', undefined],
        ['POST', '/bids', { maxAmount: 100, commandId: 'x' }],
        ['POST', '/buy-now', { commandId: 'x' }],
        ['POST', '/cancel', {}],
      ] as const) {
        const res = await api(method, `/v1/auctions/${id}${suffix}`, { token: user.token, ...(body ? { body } : {}) });
        t.equal(res.status, 404, `${method} ${id}${suffix}`);
        t.equal(res.body.error.code, 'not_found');
      }
    }
  });

  t.test('bidding: proxy bids, holds, and the answers of SPEC §4', async (t) => {
    const a = await openAuction(api, seller, { startingPrice: 1_000, minIncrement: 100 });
    const ann = await fundedUser(api, 10_000, 'ann');
    const bob = await fundedUser(api, 10_000, 'bob');

    const first = await bid(ann, a.id, 3_000);
    t.equal(first.status, 201);
    t.same(first.body, { leading: true, currentPrice: 1_000, leaderId: ann.userId, seq: 3 });
    t.same((await api('GET', '/v1/wallet', { token: ann.token })).body, { available: 7_000, held: 3_000 });

    const lower = await bid(bob, a.id, 2_000);
    t.equal(lower.status, 201);
    t.same(lower.body, { leading: false, currentPrice: 2_100, leaderId: ann.userId, seq: 4 });
    t.same((await api('GET', '/v1/wallet', { token: bob.token })).body, { available: 10_000, held: 0 });

    const higher = await bid(bob, a.id, 5_000);
    t.same(higher.body, { leading: true, currentPrice: 3_100, leaderId: bob.userId, seq: 5 });
    t.same(
      (await api('GET', '/v1/wallet', { token: ann.token })).body,
      { available: 10_000, held: 0 },
      'outbid: released',
    );
    t.same((await api('GET', '/v1/wallet', { token: bob.token })).body, { available: 5_000, held: 5_000 });

    const view = await api('GET', `/v1/auctions/${a.id}`);
    t.match(view.body, { currentPrice: 3_100, nextMinimumBid: 3_200, leaderId: bob.userId, bidCount: 3, version: 5 });
  });

  t.test('bidding rejections carry their codes and change nothing', async (t) => {
    const a = await openAuction(api, seller, { startingPrice: 1_000, minIncrement: 100 });
    const rich = await fundedUser(api, 100_000);
    const poor = await fundedUser(api, 500);
    await bid(rich, a.id, 2_000);
    const before = await writeSideFingerprint(db);

    const low = await bid(poor, a.id, 1_050);
    t.equal(low.status, 409);
    t.equal(low.body.error.code, 'bid_too_low');
    const broke = await bid(poor, a.id, 5_000);
    t.equal(broke.status, 409);
    t.equal(broke.body.error.code, 'insufficient_funds');
    const own = await bid(seller, a.id, 5_000);
    t.equal(own.status, 403);
    t.equal(own.body.error.code, 'seller_cannot_bid');
    const noToken = await api('POST', `/v1/auctions/${a.id}/bids`, { body: { maxAmount: 5_000, commandId: 'c' } });
    t.equal(noToken.status, 401);
    t.equal(noToken.body.error.code, 'unauthorized');

    for (const [what, body] of [
      ['float', { maxAmount: 1.5, commandId: 'f' }],
      ['negative', { maxAmount: -10, commandId: 'n' }],
      ['string', { maxAmount: '5000', commandId: 's' }],
      ['over 2^53', { maxAmount: 2 ** 53 + 2, commandId: 'o' }],
      ['no commandId', { maxAmount: 5_000 }],
      ['no maxAmount', { commandId: 'm' }],
      ['empty commandId', { maxAmount: 5_000, commandId: '' }],
      ['numeric commandId', { maxAmount: 5_000, commandId: 7 }],
      ['control character in commandId', { maxAmount: 5_000, commandId: 'bad\u0000id' }],
      ['newline in commandId', { maxAmount: 5_000, commandId: 'bad\nid' }],
    ] as const) {
      const res = await api('POST', `/v1/auctions/${a.id}/bids`, { token: poor.token, body });
      t.equal(res.status, 400, what);
      t.equal(res.body.error.code, 'invalid_request', what);
    }
    // Rejections are answers too: they are remembered for their command ids, and nothing else moves.
    const after = await writeSideFingerprint(db);
    t.equal(
      after.split('|').slice(0, 4).join('|'),
      before.split('|').slice(0, 4).join('|'),
      'no event, balance or stream moved',
    );
  });

  t.test('a repeated commandId returns the first answer and has one effect', async (t) => {
    const a = await openAuction(api, seller, { startingPrice: 1_000, minIncrement: 100 });
    const ann = await fundedUser(api, 10_000);
    const bob = await fundedUser(api, 10_000);
    const answers = await Promise.all([1, 2, 3].map(() => bid(ann, a.id, 2_000, 'same-command')));
    t.same(
      answers.map((r) => r.status),
      [201, 201, 201],
    );
    t.same(answers[1]!.body, answers[0]!.body);
    t.same(answers[2]!.body, answers[0]!.body);
    await bid(bob, a.id, 5_000);
    const later = await bid(ann, a.id, 2_000, 'same-command');
    t.same(later.body, answers[0]!.body, 'still the first answer after the auction moved on');
    t.same((await api('GET', '/v1/wallet', { token: ann.token })).body, { available: 10_000, held: 0 });
    t.equal((await api('GET', `/v1/auctions/${a.id}`)).body.bidCount, 2, 'counted once');

    const rejected = await bid(ann, a.id, 1_000, 'too-low-once');
    const again = await bid(ann, a.id, 1_000, 'too-low-once');
    t.equal(rejected.status, 409);
    t.same(again, rejected, 'a rejection is the same answer too');

    // Quotes and backslashes in ids go through the SQL literal path intact.
    const odd = "it's a \\ test";
    const first = await bid(ann, a.id, 3_000, odd);
    t.equal(first.status, 201);
    t.same((await bid(ann, a.id, 3_000, odd)).body, first.body, 'the odd id is remembered exactly');

    const reused = await bid(ann, a.id, 9_000, 'same-command');
    t.equal(reused.status, 400, 'the same id for a different bid is refused');
    t.equal(reused.body.error.code, 'invalid_request');
  });

  t.test('buy now ends the auction for the buyer and pays the seller', async (t) => {
    const sellerBefore = (await api('GET', '/v1/wallet', { token: seller.token })).body;
    const a = await openAuction(api, seller, { startingPrice: 1_000, buyNowPrice: 8_000 });
    const ann = await fundedUser(api, 10_000);
    const bob = await fundedUser(api, 10_000);
    await bid(ann, a.id, 3_000);
    t.equal(
      (await api('POST', `/v1/auctions/${a.id}/buy-now`, { token: seller.token, body: { commandId: 'b0' } })).body.error
        .code,
      'seller_cannot_bid',
    );
    const bought = await api('POST', `/v1/auctions/${a.id}/buy-now`, { token: bob.token, body: { commandId: 'b1' } });
    t.equal(bought.status, 201);
    t.same(bought.body, { winnerId: bob.userId, finalPrice: 8_000, seq: 4 });
    const again = await api('POST', `/v1/auctions/${a.id}/buy-now`, { token: bob.token, body: { commandId: 'b1' } });
    t.same(again.body, bought.body);
    t.match((await api('GET', `/v1/auctions/${a.id}`)).body, {
      status: 'closed',
      winnerId: bob.userId,
      finalPrice: 8_000,
      buyNowPrice: null,
      closeReason: 'buy_now',
    });
    t.same((await api('GET', '/v1/wallet', { token: ann.token })).body, { available: 10_000, held: 0 });
    t.same((await api('GET', '/v1/wallet', { token: bob.token })).body, { available: 2_000, held: 0 });
    t.same((await api('GET', '/v1/wallet', { token: seller.token })).body, {
      available: sellerBefore.available + 8_000,
      held: 0,
    });
    const late = await bid(ann, a.id, 9_000);
    t.equal(late.status, 409);
    t.equal(late.body.error.code, 'auction_closed');
    const second = await api('POST', `/v1/auctions/${a.id}/buy-now`, { token: ann.token, body: { commandId: 'b2' } });
    t.equal(second.body.error.code, 'auction_closed');
  });

  t.test('buy now is unavailable once the price reaches it, or when not offered', async (t) => {
    const a = await openAuction(api, seller, { startingPrice: 1_000, minIncrement: 100, buyNowPrice: 1_500 });
    const ann = await fundedUser(api, 10_000);
    const bob = await fundedUser(api, 10_000);
    await bid(ann, a.id, 3_000);
    await bid(bob, a.id, 1_500);
    t.equal((await api('GET', `/v1/auctions/${a.id}`)).body.buyNowPrice, null);
    const res = await api('POST', `/v1/auctions/${a.id}/buy-now`, { token: bob.token, body: { commandId: 'b' } });
    t.equal(res.status, 409);
    t.equal(res.body.error.code, 'buy_now_unavailable');
    const plain = await openAuction(api, seller);
    t.equal(
      (await api('POST', `/v1/auctions/${plain.id}/buy-now`, { token: bob.token, body: { commandId: 'c' } })).body.error
        .code,
      'buy_now_unavailable',
    );
    const poor = await fundedUser(api, 10);
    const offered = await openAuction(api, seller, { buyNowPrice: 5_000 });
    t.equal(
      (await api('POST', `/v1/auctions/${offered.id}/buy-now`, { token: poor.token, body: { commandId: 'd' } })).body
        .error.code,
      'insufficient_funds',
    );
    t.equal((await api('POST', `/v1/auctions/${offered.id}/buy-now`, { token: poor.token, body: {} })).status, 400);
  });

  t.test('cancel: the seller only, and only before the first bid', async (t) => {
    const a = await openAuction(api, seller);
    const other = await fundedUser(api, 10_000);
    const forbidden = await api('POST', `/v1/auctions/${a.id}/cancel`, { token: other.token });
    t.equal(forbidden.status, 403, "another user's token");
    t.equal(forbidden.body.error.code, 'forbidden');
    t.equal((await api('POST', `/v1/auctions/${a.id}/cancel`)).status, 401);
    const ok = await api('POST', `/v1/auctions/${a.id}/cancel`, { token: seller.token });
    t.equal(ok.status, 200);
    t.match(ok.body, { status: 'cancelled', version: 3 });
    t.equal(
      (await api('POST', `/v1/auctions/${a.id}/cancel`, { token: seller.token })).body.error.code,
      'cannot_cancel',
    );
    t.equal((await bid(other, a.id, 500)).body.error.code, 'auction_closed');

    const b = await openAuction(api, seller);
    await bid(other, b.id, 500);
    const late = await api('POST', `/v1/auctions/${b.id}/cancel`, { token: seller.token });
    t.equal(late.status, 409);
    t.equal(late.body.error.code, 'cannot_cancel');
  });

  t.test('bid history and events: public, ordered, without maximums', async (t) => {
    const a = await openAuction(api, seller, { startingPrice: 1_000, minIncrement: 100 });
    const ann = await fundedUser(api, 10_000);
    const bob = await fundedUser(api, 10_000);
    await bid(ann, a.id, 4_321);
    await bid(bob, a.id, 2_000);
    await bid(bob, a.id, 6_000);

    const events = await api('GET', `/v1/auctions/${a.id}/events`);
    t.equal(events.status, 200);
    t.same(
      events.body.items.map((e: { seq: number }) => e.seq),
      [1, 2, 3, 4, 5],
    );
    t.same(
      events.body.items.map((e: { type: string }) => e.type),
      ['AuctionCreated', 'AuctionOpened', 'BidPlaced', 'BidPlaced', 'BidPlaced'],
    );
    t.match(events.body.items[4], {
      type: 'BidPlaced',
      bidderId: bob.userId,
      currentPrice: 4_421,
      leaderId: bob.userId,
    });
    const text = JSON.stringify(events.body);
    t.notMatch(text, /maxAmount|4321|6000|commandId|reservePrice/, 'no secrets in events');
    const after = await api('GET', `/v1/auctions/${a.id}/events?after=3&limit=1`);
    t.same(
      after.body.items.map((e: { seq: number }) => e.seq),
      [4],
    );
    t.equal((await api('GET', `/v1/auctions/${a.id}/events?after=-1`)).status, 400);
    t.equal((await api('GET', `/v1/auctions/${a.id}/events?limit=abc`)).status, 400);

    await service.projections.settle();
    const bids = await api('GET', `/v1/auctions/${a.id}/bids`);
    t.equal(bids.status, 200);
    t.match(bids.body.items, [
      { seq: 5, bidderId: bob.userId, currentPrice: 4_421, leaderId: bob.userId },
      { seq: 4, bidderId: bob.userId, currentPrice: 2_100, leaderId: ann.userId },
      { seq: 3, bidderId: ann.userId, currentPrice: 1_000, leaderId: ann.userId },
    ]);
    t.notMatch(JSON.stringify(bids.body), /maxAmount|4321|6000/);
    const page = await api('GET', `/v1/auctions/${a.id}/bids?limit=2`);
    const rest = await api('GET', `/v1/auctions/${a.id}/bids?limit=2&cursor=${page.body.nextCursor}`);
    t.same([...page.body.items, ...rest.body.items], bids.body.items);
  });

  t.test('listing: status, search, sort and pages', async (t) => {
    const lister = await registerUser(api, 'lister');
    const bidder = await fundedUser(api, 1_000_000);
    const rival = await fundedUser(api, 1_000_000);
    const soon = Date.now() + 600_000;
    const lots: Array<{ id: string; title: string }> = [];
    for (const [i, title] of ['Red kettle', 'Blue kettle', 'Green lamp', 'Kettledrum', 'Old map'].entries()) {
      lots.push(
        await openAuction(api, lister, {
          title,
          startingPrice: 100 * (i + 1),
          endsAt: new Date(soon + i * 60_000).toISOString(),
        }),
      );
    }
    await bid(bidder, lots[0]!.id, 5_000);
    await bid(rival, lots[0]!.id, 4_000);
    const gone = await openAuction(api, lister, { title: 'Cancelled kettle' });
    await api('POST', `/v1/auctions/${gone.id}/cancel`, { token: lister.token });
    await service.projections.settle();

    const titles = (res: { body: { items: Array<{ title: string }> } }) => res.body.items.map((i) => i.title);
    const kettles = await api('GET', '/v1/auctions?q=kettl&sort=ending_soon');
    t.equal(kettles.status, 200);
    t.same(
      titles(kettles),
      ['Red kettle', 'Blue kettle', 'Kettledrum'],
      'prefix search, open only, ending soonest first',
    );
    t.same(titles(await api('GET', '/v1/auctions?q=kettle&status=cancelled')), ['Cancelled kettle']);
    t.same(
      titles(await api('GET', '/v1/auctions?q=blue%20KETTLE')),
      ['Blue kettle'],
      'every word must match, any case',
    );
    t.same(titles(await api('GET', '/v1/auctions?q=%25%25')), [], 'a query of no words matches nothing');
    const nul = await api('GET', '/v1/auctions?q=a%00b');
    t.same([nul.status, nul.body.error?.code], [400, 'invalid_request'], 'a NUL in the search is refused, not a 5xx');
    const byPrice = titles(await api('GET', '/v1/auctions?q=kettle&sort=price_desc'));
    t.same(byPrice, ['Red kettle', 'Kettledrum', 'Blue kettle'], 'the bids moved Red kettle (100 to start) to the top');
    t.same(titles(await api('GET', '/v1/auctions?q=kettle&sort=price_asc')), [
      'Blue kettle',
      'Kettledrum',
      'Red kettle',
    ]);

    const all: Array<{ id: string; title: string }> = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/auctions?sort=newest&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api('GET', url);
      t.equal(page.status, 200);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const listed = all.filter((item) => lots.some((l) => l.id === item.id)).map((item) => item.title);
    t.same(listed, ['Old map', 'Kettledrum', 'Green lamp', 'Blue kettle', 'Red kettle'], 'newest first across pages');
    t.equal(new Set(all.map((item) => item.id)).size, all.length, 'no row twice across pages');

    for (const bad of ['status=sold', 'sort=random', 'limit=0', 'limit=1000', 'cursor=xyz']) {
      const res = await api('GET', `/v1/auctions?${bad}`);
      t.equal(res.status, 400, bad);
      t.equal(res.body.error.code, 'invalid_request', bad);
    }
  });
});
