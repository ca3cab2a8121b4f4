import t from 'tap';
import { SECOND, T0, bid, bidPlaced, created, given, opened, walletMove } from '../helpers/decider-spec.js';

const END = T0 + 3600 * SECOND;
const held = (available: number, heldAmount: number) => ({ available, held: heldAmount });
/** u1 leads at 100 with a maximum of 500 (and so holds 500). */
const u1Leads = () => [created(), opened(), bidPlaced(T0 + SECOND, 'u1', 500, 100, 'u1')];
const u1Holds500 = { u1: held(999_500, 500) };

t.test('proxy bidding', async (t) => {
  t.test('the first bid sets the price at the starting price and holds the maximum', async (t) => {
    given(t, [created(), opened()])
      .when(bid(T0 + SECOND, 'u1', 500))
      .then(
        [
          walletMove('WalletDebited', T0 + SECOND, 'u1', 'bid_hold', 500, 999_500, 500),
          bidPlaced(T0 + SECOND, 'u1', 500, 100, 'u1'),
        ],
        { kind: 'bid', leading: true, currentPrice: 100, leaderId: 'u1', seq: 3 },
      );
  });

  t.test('a first bid below the starting price is too low', async (t) => {
    given(t, [created(), opened()])
      .when(bid(T0 + SECOND, 'u1', 99))
      .thenRejects('bid_too_low');
  });

  t.test('a later bid must reach the price plus one increment', async (t) => {
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(T0 + 2 * SECOND, 'u2', 109))
      .thenRejects('bid_too_low');
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(T0 + 2 * SECOND, 'u2', 110))
      .then([bidPlaced(T0 + 2 * SECOND, 'u2', 110, 120, 'u1')], { leading: false, currentPrice: 120 });
  });

  t.test(
    'a higher maximum takes the lead at one increment above the old maximum, and the old hold is released',
    async (t) => {
      const at = T0 + 2 * SECOND;
      given(t, u1Leads())
        .withFunds(u1Holds500)
        .when(bid(at, 'u2', 700))
        .then(
          [
            walletMove('WalletCredited', at, 'u1', 'hold_released', 500, 1_000_000, 0),
            walletMove('WalletDebited', at, 'u2', 'bid_hold', 700, 999_300, 700),
            bidPlaced(at, 'u2', 700, 510, 'u2'),
          ],
          { kind: 'bid', leading: true, currentPrice: 510, leaderId: 'u2', seq: 4 },
        );
    },
  );

  t.test('a lower maximum is accepted, raises the price to it plus an increment, and holds nothing', async (t) => {
    const at = T0 + 2 * SECOND;
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(at, 'u2', 300))
      .then([bidPlaced(at, 'u2', 300, 310, 'u1')], { leading: false, currentPrice: 310, leaderId: 'u1' });
  });

  t.test('a tie goes to the earlier bid, at the tied maximum', async (t) => {
    const at = T0 + 2 * SECOND;
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(at, 'u2', 500))
      .then([bidPlaced(at, 'u2', 500, 500, 'u1')], { leading: false, currentPrice: 500, leaderId: 'u1' });
  });

  t.test('the leader raising their maximum holds only the difference and leaves the price alone', async (t) => {
    const at = T0 + 2 * SECOND;
    const spec = given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(at, 'u1', 800));
    spec.then(
      [walletMove('WalletDebited', at, 'u1', 'bid_hold', 300, 999_200, 800), bidPlaced(at, 'u1', 800, 100, 'u1')],
      { leading: true, currentPrice: 100 },
    );
    t.equal(spec.stateAfter().leaderMax, 800);
    t.equal(spec.stateAfter().bidCount, 2, 'a raise counts as a bid');
  });

  t.test('a maximum can never be lowered or repeated', async (t) => {
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(T0 + 2 * SECOND, 'u1', 400))
      .thenRejects('bid_too_low');
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(T0 + 2 * SECOND, 'u1', 500))
      .thenRejects('bid_too_low');
  });

  t.test('a maximum between increments leads at its own amount', async (t) => {
    const at = T0 + 2 * SECOND;
    const events = [created(), opened(), bidPlaced(T0 + SECOND, 'u1', 150, 100, 'u1')];
    given(t, events)
      .withFunds({ u1: held(999_850, 150) })
      .when(bid(at, 'u2', 155))
      .then(
        [
          walletMove('WalletCredited', at, 'u1', 'hold_released', 150, 1_000_000, 0),
          walletMove('WalletDebited', at, 'u2', 'bid_hold', 155, 999_845, 155),
          bidPlaced(at, 'u2', 155, 155, 'u2'),
        ],
        { currentPrice: 155 },
      );
  });

  t.test('the tier table sets the step when the auction fixes none', async (t) => {
    const events = [
      created({ minIncrement: null, startingPrice: 1_000 }),
      opened(),
      bidPlaced(T0 + SECOND, 'u1', 5_000, 1_000, 'u1'),
    ];
    // Between 500 and 2,500 the step is 50: the next bid must reach 1,050, and beating 5,000 costs 5,000 + 100.
    given(t, events)
      .withFunds({ u1: held(995_000, 5_000) })
      .when(bid(T0 + 2 * SECOND, 'u2', 1_049))
      .thenRejects('bid_too_low');
    const at = T0 + 2 * SECOND;
    given(t, events)
      .withFunds({ u1: held(995_000, 5_000) })
      .when(bid(at, 'u2', 9_000))
      .then(
        [
          walletMove('WalletCredited', at, 'u1', 'hold_released', 5_000, 1_000_000, 0),
          walletMove('WalletDebited', at, 'u2', 'bid_hold', 9_000, 991_000, 9_000),
          bidPlaced(at, 'u2', 9_000, 5_100, 'u2'),
        ],
        { currentPrice: 5_100 },
      );
  });
});

t.test('hidden reserve', async (t) => {
  const withReserve = () => [created({ reservePrice: 500 }), opened()];

  t.test('a maximum at or above the reserve lifts the price to the reserve', async (t) => {
    const at = T0 + SECOND;
    given(t, withReserve())
      .when(bid(at, 'u1', 600))
      .then([
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 600, 999_400, 600),
        bidPlaced(at, 'u1', 600, 500, 'u1', true),
      ]);
  });

  t.test('below the reserve the price follows proxy bidding and the reserve stays unmet', async (t) => {
    const at = T0 + SECOND;
    given(t, withReserve())
      .when(bid(at, 'u1', 300))
      .then([
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 300, 999_700, 300),
        bidPlaced(at, 'u1', 300, 100, 'u1', false),
      ]);
  });

  t.test('proxy bidding above the reserve wins over the reserve', async (t) => {
    const at = T0 + 3 * SECOND;
    const events = [...withReserve(), bidPlaced(T0 + SECOND, 'u1', 800, 500, 'u1', true)];
    given(t, events)
      .withFunds({ u1: held(999_200, 800) })
      .when(bid(at, 'u2', 650))
      .then([bidPlaced(at, 'u2', 650, 660, 'u1', true)], { currentPrice: 660 });
  });

  t.test('the leader raising past the reserve lifts the price to it', async (t) => {
    const at = T0 + 2 * SECOND;
    const events = [...withReserve(), bidPlaced(T0 + SECOND, 'u1', 300, 100, 'u1', false)];
    given(t, events)
      .withFunds({ u1: held(999_700, 300) })
      .when(bid(at, 'u1', 600))
      .then([
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 300, 999_400, 600),
        bidPlaced(at, 'u1', 600, 500, 'u1', true),
      ]);
  });

  t.test('closing below the reserve is unsold and releases the hold', async (t) => {
    const events = [...withReserve(), bidPlaced(T0 + SECOND, 'u1', 300, 100, 'u1', false)];
    given(t, events)
      .withFunds({ u1: held(999_700, 300) })
      .when({ type: 'Tick', at: END })
      .then([
        walletMove('WalletCredited', END, 'u1', 'hold_released', 300, 1_000_000, 0),
        {
          type: 'AuctionClosed',
          at: END,
          data: { reason: 'ended', sold: false, winnerId: null, finalPrice: null, reserveMet: false },
        },
      ]);
  });
});

t.test('funds', async (t) => {
  t.test('a bidder who cannot hold their maximum is refused', async (t) => {
    given(t, [created(), opened()])
      .withFunds({ u1: held(499, 0) })
      .when(bid(T0 + SECOND, 'u1', 500))
      .thenRejects('insufficient_funds');
  });

  t.test('a bid that will not lead still needs its maximum available', async (t) => {
    given(t, u1Leads())
      .withFunds({ ...u1Holds500, u2: held(200, 0) })
      .when(bid(T0 + 2 * SECOND, 'u2', 300))
      .thenRejects('insufficient_funds');
  });

  t.test('a raise needs only the difference available', async (t) => {
    const at = T0 + 2 * SECOND;
    given(t, u1Leads())
      .withFunds({ u1: held(300, 500) })
      .when(bid(at, 'u1', 800))
      .then([walletMove('WalletDebited', at, 'u1', 'bid_hold', 300, 0, 800), bidPlaced(at, 'u1', 800, 100, 'u1')]);
  });
});

t.test('buy now', async (t) => {
  const offering = (buyNowPrice = 1_000) => [created({ buyNowPrice }), opened()];

  t.test('ends the auction at the buy-now price, releasing the leader and paying the seller', async (t) => {
    const at = T0 + 2 * SECOND;
    const events = [...offering(), bidPlaced(T0 + SECOND, 'u1', 500, 100, 'u1')];
    const spec = given(t, events).withFunds(u1Holds500).when({ type: 'BuyNow', at, buyerId: 'u2', commandId: 'b' });
    spec.then(
      [
        walletMove('WalletCredited', at, 'u1', 'hold_released', 500, 1_000_000, 0),
        walletMove('WalletDebited', at, 'u2', 'bid_hold', 1_000, 999_000, 1_000),
        walletMove('WalletDebited', at, 'u2', 'payment', 1_000, 999_000, 0),
        walletMove('WalletCredited', at, 'seller', 'payout', 1_000, 1_001_000, 0),
        {
          type: 'AuctionClosed',
          at,
          data: { reason: 'buy_now', sold: true, winnerId: 'u2', finalPrice: 1_000, reserveMet: true },
        },
      ],
      { kind: 'buy_now', winnerId: 'u2', finalPrice: 1_000, seq: 4 },
    );
    t.equal(spec.stateAfter().status, 'closed');
  });

  t.test('the leader may buy, counting their own released hold', async (t) => {
    const at = T0 + 2 * SECOND;
    const events = [...offering(), bidPlaced(T0 + SECOND, 'u1', 500, 100, 'u1')];
    given(t, events)
      .withFunds({ u1: held(500, 500) })
      .when({ type: 'BuyNow', at, buyerId: 'u1', commandId: 'b' })
      .then([
        walletMove('WalletCredited', at, 'u1', 'hold_released', 500, 1_000, 0),
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 1_000, 0, 1_000),
        walletMove('WalletDebited', at, 'u1', 'payment', 1_000, 0, 0),
        walletMove('WalletCredited', at, 'seller', 'payout', 1_000, 1_001_000, 0),
        {
          type: 'AuctionClosed',
          at,
          data: { reason: 'buy_now', sold: true, winnerId: 'u1', finalPrice: 1_000, reserveMet: true },
        },
      ]);
  });

  t.test('is gone once the price reaches it', async (t) => {
    const events = [
      ...offering(300),
      bidPlaced(T0 + SECOND, 'u1', 500, 100, 'u1'),
      bidPlaced(T0 + 2 * SECOND, 'u2', 400, 410, 'u1'),
    ];
    given(t, events)
      .withFunds(u1Holds500)
      .when({ type: 'BuyNow', at: T0 + 3 * SECOND, buyerId: 'u3', commandId: 'b' })
      .thenRejects('buy_now_unavailable');
    const atPrice = [...offering(410), ...events.slice(2)];
    given(t, atPrice)
      .withFunds(u1Holds500)
      .when({ type: 'BuyNow', at: T0 + 3 * SECOND, buyerId: 'u3', commandId: 'b' })
      .thenRejects('buy_now_unavailable');
  });

  t.test('is refused without funds, on auctions that offer none, and to the seller', async (t) => {
    given(t, offering())
      .withFunds({ u2: held(999, 0) })
      .when({ type: 'BuyNow', at: T0 + SECOND, buyerId: 'u2', commandId: 'b' })
      .thenRejects('insufficient_funds');
    given(t, [created(), opened()])
      .when({ type: 'BuyNow', at: T0 + SECOND, buyerId: 'u2', commandId: 'b' })
      .thenRejects('buy_now_unavailable');
    given(t, offering())
      .when({ type: 'BuyNow', at: T0 + SECOND, buyerId: 'seller', commandId: 'b' })
      .thenRejects('seller_cannot_bid');
  });
});

t.test('soft close', async (t) => {
  t.test('a bid inside the window extends the end, and a second one extends it again', async (t) => {
    const first = END - 30 * SECOND;
    const spec = given(t, [created(), opened()]).when(bid(first, 'u1', 500));
    spec.then([
      walletMove('WalletDebited', first, 'u1', 'bid_hold', 500, 999_500, 500),
      bidPlaced(first, 'u1', 500, 100, 'u1'),
      { type: 'AuctionExtended', at: first, data: { endsAt: END + 30 * SECOND, previousEndsAt: END } },
    ]);
    const afterFirst = [
      created(),
      opened(),
      bidPlaced(first, 'u1', 500, 100, 'u1'),
      { type: 'AuctionExtended' as const, at: first, data: { endsAt: END + 30 * SECOND, previousEndsAt: END } },
    ];
    const second = END + 20 * SECOND;
    const again = given(t, afterFirst)
      .withFunds(u1Holds500)
      .when(bid(second, 'u2', 300));
    again.then([
      bidPlaced(second, 'u2', 300, 310, 'u1'),
      {
        type: 'AuctionExtended',
        at: second,
        data: { endsAt: second + 60 * SECOND, previousEndsAt: END + 30 * SECOND },
      },
    ]);
    t.equal(again.stateAfter().endsAt, END + 80 * SECOND);
  });

  t.test('a bid before the window, or with the window off, leaves the end alone', async (t) => {
    const early = END - 61 * SECOND;
    given(t, [created(), opened()])
      .when(bid(early, 'u1', 500))
      .then([
        walletMove('WalletDebited', early, 'u1', 'bid_hold', 500, 999_500, 500),
        bidPlaced(early, 'u1', 500, 100, 'u1'),
      ]);
    const late = END - SECOND;
    given(t, [created({ softClose: { windowSeconds: 0, extensionSeconds: 60 } }), opened()])
      .when(bid(late, 'u1', 500))
      .then([
        walletMove('WalletDebited', late, 'u1', 'bid_hold', 500, 999_500, 500),
        bidPlaced(late, 'u1', 500, 100, 'u1'),
      ]);
  });

  t.test('a raise that changes neither price nor leader does not extend', async (t) => {
    const at = END - 10 * SECOND;
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(at, 'u1', 900))
      .then([
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 400, 999_100, 900),
        bidPlaced(at, 'u1', 900, 100, 'u1'),
      ]);
  });

  t.test('an extension never moves the end earlier', async (t) => {
    const at = END - 50 * SECOND;
    // An extension of 10 s from 50 s before the end would land before it: no event.
    given(t, [created({ softClose: { windowSeconds: 60, extensionSeconds: 10 } }), opened()])
      .when(bid(at, 'u1', 500))
      .then([
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 500, 999_500, 500),
        bidPlaced(at, 'u1', 500, 100, 'u1'),
      ]);
  });
});

t.test('closing', async (t) => {
  t.test('a bid exactly at the end meets a closed auction: it closes first, sold to the leader', async (t) => {
    const spec = given(t, u1Leads())
      .withFunds(u1Holds500)
      .when(bid(END, 'u2', 900));
    spec.thenRejects('auction_closed', [
      walletMove('WalletDebited', END, 'u1', 'payment', 100, 999_500, 400),
      walletMove('WalletCredited', END, 'u1', 'hold_released', 400, 999_900, 0),
      walletMove('WalletCredited', END, 'seller', 'payout', 100, 1_000_100, 0),
      {
        type: 'AuctionClosed',
        at: END,
        data: { reason: 'ended', sold: true, winnerId: 'u1', finalPrice: 100, reserveMet: true },
      },
    ]);
    t.equal(spec.stateAfter().closedAt, END);
  });

  t.test('a bid one millisecond before the end is accepted', async (t) => {
    const at = END - 1;
    given(t, [created({ softClose: { windowSeconds: 0, extensionSeconds: 60 } }), opened()])
      .when(bid(at, 'u1', 500))
      .then([
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 500, 999_500, 500),
        bidPlaced(at, 'u1', 500, 100, 'u1'),
      ]);
  });

  t.test('an auction without bids closes unsold', async (t) => {
    given(t, [created(), opened()])
      .when({ type: 'Tick', at: END + 5 * SECOND })
      .then([
        {
          type: 'AuctionClosed',
          at: END,
          data: { reason: 'ended', sold: false, winnerId: null, finalPrice: null, reserveMet: true },
        },
      ]);
  });

  t.test('a tick before anything is due changes nothing', async (t) => {
    given(t, [created(), opened()])
      .when({ type: 'Tick', at: END - 1 })
      .then([]);
  });

  t.test('nothing is accepted after the close', async (t) => {
    const closedEvents = [
      created({ buyNowPrice: 1_000 }),
      opened(),
      {
        type: 'AuctionClosed' as const,
        at: END,
        data: { reason: 'ended' as const, sold: false, winnerId: null, finalPrice: null, reserveMet: true },
      },
    ];
    given(t, closedEvents)
      .when(bid(END + 1, 'u1', 500))
      .thenRejects('auction_closed');
    given(t, closedEvents)
      .when({ type: 'BuyNow', at: END + 1, buyerId: 'u1', commandId: 'b' })
      .thenRejects('auction_closed');
    given(t, closedEvents)
      .when({ type: 'CancelAuction', at: END + 1, userId: 'seller' })
      .thenRejects('cannot_cancel');
  });
});

t.test('schedule and seller', async (t) => {
  const scheduled = () => [created({ startsAt: T0 + 60 * SECOND })];

  t.test('a scheduled auction refuses bids and opens at its start', async (t) => {
    given(t, scheduled())
      .when(bid(T0 + SECOND, 'u1', 500))
      .thenRejects('auction_not_open');
    given(t, scheduled())
      .when({ type: 'Tick', at: T0 + 60 * SECOND })
      .then([opened(T0 + 60 * SECOND)]);
    const at = T0 + 61 * SECOND;
    given(t, scheduled())
      .when(bid(at, 'u1', 500))
      .then([
        opened(T0 + 60 * SECOND),
        walletMove('WalletDebited', at, 'u1', 'bid_hold', 500, 999_500, 500),
        bidPlaced(at, 'u1', 500, 100, 'u1'),
      ]);
  });

  t.test('the seller cannot bid', async (t) => {
    given(t, [created(), opened()])
      .when(bid(T0 + SECOND, 'seller', 500))
      .thenRejects('seller_cannot_bid');
  });

  t.test('the seller may cancel before the first bid, and only the seller', async (t) => {
    given(t, [created(), opened()])
      .when({ type: 'CancelAuction', at: T0 + SECOND, userId: 'seller' })
      .then([{ type: 'AuctionCancelled', at: T0 + SECOND, data: {} }], { kind: 'cancelled', seq: 3 });
    given(t, scheduled())
      .when({ type: 'CancelAuction', at: T0 + SECOND, userId: 'seller' })
      .then([{ type: 'AuctionCancelled', at: T0 + SECOND, data: {} }]);
    given(t, [created(), opened()])
      .when({ type: 'CancelAuction', at: T0 + SECOND, userId: 'u1' })
      .thenRejects('forbidden');
    given(t, u1Leads())
      .withFunds(u1Holds500)
      .when({ type: 'CancelAuction', at: T0 + 2 * SECOND, userId: 'seller' })
      .thenRejects('cannot_cancel');
  });

  t.test('a cancelled auction takes no bids', async (t) => {
    given(t, [created(), opened(), { type: 'AuctionCancelled', at: T0 + SECOND, data: {} }])
      .when(bid(T0 + 2 * SECOND, 'u1', 500))
      .thenRejects('auction_closed');
  });
});
