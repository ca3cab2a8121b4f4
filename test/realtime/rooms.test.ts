/**
 * WebSocket rooms (SPEC §5), over NATS JetStream and over the in-process bus: the same events in the same order
 * for every socket, exact catch-up with `since`, rooms that never leak into each other, bids with acks, the
 * private wallet frame, strict frame checking, and slow sockets closed with 4008 that recover with `since`.
 */
import t from 'tap';
import { type Api, type TestUser, fundedUser, httpApi, openAuction, registerUser } from '../helpers/api.js';
import { busEnv } from '../helpers/nats.js';
import { startTestService } from '../helpers/service.js';
import { type Frame, TestSocket } from '../helpers/socket.js';

const SECRETS = /maxAmount|leaderMax|reservePrice|commandId/;

for (const kind of ['memory', 'nats'] as const) {
  t.test(`rooms over the ${kind} bus`, async (t) => {
    const service = await startTestService(t, {
      listen: true,
      env: { ...(await busEnv(t, kind)), WS_MAX_BUFFERED_BYTES: '65536' },
    });
    const api: Api = httpApi(service.url);
    const seller = await registerUser(api, 'seller');
    const [ann, bob] = [await fundedUser(api, 10_000_000, 'ann'), await fundedUser(api, 10_000_000, 'bob')];
    let n = 0;
    const bid = async (user: TestUser, auctionId: string, maxAmount: number) => {
      const res = await api('POST', `/v1/auctions/${auctionId}/bids`, {
        token: user.token,
        body: { maxAmount, commandId: `r${++n}` },
      });
      if (res.status !== 201) throw new Error(`bid refused: ${JSON.stringify(res.body)}`);
      return res.body as { seq: number };
    };
    const sockets: TestSocket[] = [];
    const open = async (token?: string) => {
      const s = await TestSocket.open(service.url, token);
      sockets.push(s);
      return s;
    };
    t.teardown(() => Promise.all(sockets.map((s) => s.close())));

    t.test('three sockets in one room see the same events, in the same order, without secrets', async (t) => {
      const a = await openAuction(api, seller, { startingPrice: 100, minIncrement: 10 });
      const watchers = await Promise.all([open(), open(), open()]);
      for (const w of watchers) w.send({ type: 'subscribe', auctionId: a.id });
      for (const w of watchers) {
        t.match(await w.next((f) => f.type === 'subscribed', 'subscribed'), {
          auctionId: a.id,
          seq: 2,
          recovered: false,
        });
        t.match(await w.next((f) => f.type === 'snapshot', 'snapshot'), { seq: 2, auction: { id: a.id, version: 2 } });
      }
      let last = 0;
      for (let i = 1; i <= 20; i += 1) last = (await bid(i % 2 ? ann : bob, a.id, 1_000 + i * 100)).seq;
      for (const w of watchers) await w.untilSeq(a.id, last);
      const seen = watchers.map((w) => w.events(a.id));
      t.same(
        seen[0]!.map((f) => f.seq),
        Array.from({ length: last - 2 }, (_, i) => i + 3),
        'every seq after the snapshot, once, in order',
      );
      t.same(seen[1], seen[0]);
      t.same(seen[2], seen[0]);
      t.match(seen[0]![0], {
        type: 'event',
        auctionId: a.id,
        seq: 3,
        event: { type: 'BidPlaced', bidderId: ann.userId, currentPrice: 100, leaderId: ann.userId },
      });
      for (const w of watchers)
        t.notMatch(JSON.stringify(w.frames), SECRETS, 'no maximum, reserve or command id in any frame');
    });

    t.test('a socket that comes back with since gets exactly the events it missed', async (t) => {
      const a = await openAuction(api, seller, { startingPrice: 100, minIncrement: 10 });
      const first = await open();
      first.send({ type: 'subscribe', auctionId: a.id });
      await first.next((f) => f.type === 'snapshot', 'snapshot');
      const seen = (await bid(ann, a.id, 500)).seq;
      await first.untilSeq(a.id, seen);
      await first.close();
      let last = 0;
      for (let i = 1; i <= 7; i += 1) last = (await bid(i % 2 ? bob : ann, a.id, 600 + i * 50)).seq;

      const again = await open();
      again.send({ type: 'subscribe', auctionId: a.id, since: seen });
      t.match(await again.next((f) => f.type === 'subscribed', 'subscribed'), { seq: last, recovered: true });
      await again.untilSeq(a.id, last);
      t.same(
        again.events(a.id).map((f) => f.seq),
        Array.from({ length: last - seen }, (_, i) => seen + 1 + i),
        'exactly the missed ones',
      );
      t.notOk(
        again.frames.some((f) => f.type === 'snapshot'),
        'no snapshot when the gap can be replayed',
      );
      const live = (await bid(ann, a.id, 5_000)).seq;
      await again.untilSeq(a.id, live);
      t.same(
        again
          .events(a.id)
          .map((f) => f.seq)
          .slice(-2),
        [last, live],
        'then live, with no gap and no duplicate',
      );

      const fresh = await open();
      fresh.send({ type: 'subscribe', auctionId: a.id, since: live + 50 });
      t.match(
        await fresh.next((f) => f.type === 'subscribed', 'subscribed'),
        { recovered: false },
        'a since from the future gets a snapshot',
      );
      t.match(await fresh.next((f) => f.type === 'snapshot', 'snapshot'), { seq: live });
    });

    t.test('a socket in room A never sees room B', async (t) => {
      const a = await openAuction(api, seller);
      const b = await openAuction(api, seller);
      const watcher = await open();
      watcher.send({ type: 'subscribe', auctionId: a.id });
      await watcher.next((f) => f.type === 'snapshot', 'snapshot');
      await bid(ann, b.id, 500);
      await bid(bob, b.id, 900);
      const last = (await bid(ann, a.id, 500)).seq;
      await watcher.untilSeq(a.id, last);
      t.same(
        watcher.frames.filter((f) => f.auctionId === b.id),
        [],
        'nothing from B',
      );
      watcher.send({ type: 'unsubscribe', auctionId: a.id });
      await watcher.next((f) => f.type === 'unsubscribed', 'unsubscribed');
      const count = watcher.frames.length;
      const other = await open();
      other.send({ type: 'subscribe', auctionId: a.id });
      await other.next((f) => f.type === 'snapshot', 'snapshot');
      const after = (await bid(bob, a.id, 2_000)).seq;
      await other.untilSeq(a.id, after);
      t.equal(watcher.frames.length, count, 'nothing after unsubscribing');
    });

    t.test('bids and buy-now over the socket are acked and broadcast; the bidder hears its wallet', async (t) => {
      const a = await openAuction(api, seller, { startingPrice: 100, minIncrement: 10, buyNowPrice: 50_000 });
      const cat = await fundedUser(api, 10_000_000, 'cat');
      const bidder = await open(cat.token);
      t.match(await bidder.next((f) => f.type === 'authenticated', 'authenticated'), { userId: cat.userId });
      const observer = await open();
      for (const s of [bidder, observer]) {
        s.send({ type: 'subscribe', auctionId: a.id });
        await s.next((f) => f.type === 'snapshot', 'snapshot');
      }
      bidder.send({ type: 'bid', auctionId: a.id, maxAmount: 2_000, commandId: 'ws-1' });
      const ack = await bidder.next((f) => f.type === 'ack', 'ack');
      t.match(ack, { commandId: 'ws-1', result: { leading: true, currentPrice: 100, leaderId: cat.userId, seq: 3 } });
      t.match(
        await observer.untilSeq(a.id, 3),
        { event: { type: 'BidPlaced', bidderId: cat.userId } },
        'the observer sees it',
      );
      // The deposit's own wallet frame may arrive after signing in (the relay publishes it when it gets to it);
      // the frame that matters is the one that shows the hold.
      t.match(await bidder.next((f) => f.type === 'wallet' && f.held !== 0, 'wallet frame with the hold'), {
        available: 10_000_000 - 2_000,
        held: 2_000,
      });
      t.notOk(
        observer.frames.some((f) => f.type === 'wallet'),
        'wallets are private',
      );

      bidder.send({ type: 'bid', auctionId: a.id, maxAmount: 2_000, commandId: 'ws-1' });
      const replay = await bidder.next(
        (f) => f.type === 'ack',
        'ack of the retry',
        10_000,
        bidder.frames.indexOf(ack) + 1,
      );
      t.same(replay.result, ack.result, 'a retried commandId gets the first answer');
      bidder.send({ type: 'bid', auctionId: a.id, maxAmount: 50, commandId: 'ws-low' });
      t.match(await bidder.next((f) => f.commandId === 'ws-low', 'error'), { type: 'error', code: 'bid_too_low' });

      const stranger = await open();
      stranger.send({ type: 'bid', auctionId: a.id, maxAmount: 5_000, commandId: 'anon' });
      t.match(await stranger.next((f) => f.commandId === 'anon', 'error'), { type: 'error', code: 'unauthorized' });
      stranger.send({ type: 'auth', token: bob.token });
      await stranger.next((f) => f.type === 'authenticated', 'authenticated');
      stranger.send({ type: 'buy_now', auctionId: a.id, commandId: 'bn' });
      t.match(await stranger.next((f) => f.commandId === 'bn', 'buy-now ack'), {
        type: 'ack',
        result: { winnerId: bob.userId, finalPrice: 50_000 },
      });
      t.match(await observer.next((f) => f.event?.type === 'AuctionClosed', 'closed'), {
        event: { reason: 'buy_now', winnerId: bob.userId, finalPrice: 50_000 },
      });
      stranger.send({ type: 'auth', token: 'x'.repeat(40) });
      t.match(await stranger.next((f) => f.type === 'error' && f.code === 'unauthorized', 'bad token'), {
        code: 'unauthorized',
      });
    });

    t.test('malformed frames get invalid_request and the socket stays open', async (t) => {
      const s = await open();
      const bad = [
        'not json',
        '{"type":"dance"}',
        '[]',
        '{"type":"subscribe"}',
        '{"type":"bid","auctionId":"x","maxAmount":1.5,"commandId":"c1"}',
        '{"type":"bid","auctionId":"x","maxAmount":"10","commandId":"c2"}',
        '{"type":"ping","extra":1}',
      ];
      for (const [i, frame] of bad.entries()) {
        s.send(frame);
        const error = await s.next((f) => f.type === 'error', `error ${i}`, 10_000, s.frames.length);
        t.equal(error.code, 'invalid_request', frame);
      }
      s.send({ type: 'subscribe', auctionId: '01234567-89ab-7cde-8f01-23456789abcd' });
      t.match(await s.next((f) => f.code === 'not_found', 'not_found'), {
        type: 'error',
        auctionId: '01234567-89ab-7cde-8f01-23456789abcd',
      });
      s.send({ type: 'ping' });
      await s.next((f) => f.type === 'pong', 'pong');
      t.equal(s.closeCode, null, 'still open');
    });

    t.test('a socket that falls too far behind is closed with 4008 and recovers with since', async (t) => {
      // Large snapshots fill the send buffer of a socket that has stopped reading.
      const a = await openAuction(api, seller, {
        description: 'x'.repeat(10_000),
        startingPrice: 100,
        minIncrement: 10,
      });
      const slow = await open();
      slow.send({ type: 'subscribe', auctionId: a.id });
      await slow.next((f) => f.type === 'snapshot', 'snapshot');
      const seen = (await bid(ann, a.id, 500)).seq;
      await slow.untilSeq(a.id, seen);
      const raw = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      raw.pause();
      for (let i = 0; i < 800; i += 1) slow.send({ type: 'subscribe', auctionId: a.id, since: 0 });
      await new Promise<void>((resolve) => {
        // Keep the client deaf until the server has given up on it, then let the close frame through.
        const check = setInterval(() => {
          void service.metrics.slowSocketsClosed.get().then((m) => {
            if ((m.values[0]?.value ?? 0) > 0) {
              clearInterval(check);
              resolve();
            }
          });
        }, 20);
      });
      raw.resume();
      await slow.next(() => slow.closeCode !== null, 'close', 10_000).catch(() => undefined);
      t.equal(slow.closeCode, 4008, 'closed with 4008');
      const last = Math.max(...slow.events(a.id).map((f: Frame) => f.seq as number), seen);
      const more = (await bid(bob, a.id, 900)).seq;
      const back = await open();
      back.send({ type: 'subscribe', auctionId: a.id, since: last });
      t.match(await back.next((f) => f.type === 'subscribed', 'subscribed'), { recovered: true, seq: more });
      await back.untilSeq(a.id, more);
      t.same(
        back.events(a.id).map((f) => f.seq),
        Array.from({ length: more - last }, (_, i) => last + 1 + i),
      );
    });
  });
}
