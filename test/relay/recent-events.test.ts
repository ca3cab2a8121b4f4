/**
 * The relay's memory of events this process committed: bounded by the events it still holds, oldest out
 * first, and its queue of arrivals stays bounded however the relay forgets (in order, out of order, or not at
 * all, as when another process's relay holds the lease).
 */
import t from 'tap';
import type { EventToAppend } from '../../src/event-store/types.js';
import { RecentEvents } from '../../src/relay/recent-events.js';

const event = (id: string): EventToAppend => ({
  streamId: 'auction-x',
  version: 1,
  eventId: id,
  type: 'AuctionOpened',
  at: 0,
  data: {},
});

const remembered = (recent: RecentEvents, ids: readonly string[]) => ids.filter((id) => recent.recall(id));

t.test('over its bound it pushes out the oldest events first', async (t) => {
  const recent = new RecentEvents(3);
  recent.remember(['a', 'b', 'c', 'd', 'e'].map(event));
  t.same(remembered(recent, ['a', 'b', 'c', 'd', 'e']), ['c', 'd', 'e']);
  t.equal(recent.size, 3);
  t.equal(recent.recall('e')?.eventId, 'e', 'an entry is the event itself');
});

t.test('forgotten events do not count against the bound', async (t) => {
  const recent = new RecentEvents(3);
  recent.remember(['a', 'b', 'c'].map(event));
  recent.forget(['b']);
  recent.remember([event('d')]);
  t.same(remembered(recent, ['a', 'b', 'c', 'd']), ['a', 'c', 'd'], 'a stays: only three are held');
  recent.remember([event('e')]);
  t.same(remembered(recent, ['a', 'c', 'd', 'e']), ['c', 'd', 'e'], 'then a is the oldest and goes');
});

t.test('with nobody forgetting, a long run keeps exactly the newest events', async (t) => {
  const recent = new RecentEvents(1_000);
  const ids = Array.from({ length: 100_000 }, (_, i) => `e${i}`);
  for (let i = 0; i < ids.length; i += 3) recent.remember(ids.slice(i, i + 3).map(event));
  t.equal(recent.size, 1_000);
  t.same(remembered(recent, ids.slice(-1_001)), ids.slice(-1_000));
  t.ok(recent.queued <= 3_100, `the queue holds ${recent.queued} ids for 1,000 events`);
});

t.test('ids forgotten behind one that stays do not pile up in the queue', async (t) => {
  const recent = new RecentEvents(100);
  recent.remember([event('stuck')]);
  for (let i = 0; i < 50_000; i++) {
    recent.remember([event(`e${i}`)]);
    recent.forget([`e${i}`]);
  }
  t.equal(recent.size, 1);
  t.ok(recent.recall('stuck'), 'the one never forgotten is still held');
  t.ok(recent.queued <= 2 * 100 + 1_024 + 1, `the queue holds ${recent.queued} ids for one event`);
});

t.test('the relay forgetting in order leaves nothing behind', async (t) => {
  const recent = new RecentEvents(100);
  for (let i = 0; i < 10_000; i += 10) {
    const ids = Array.from({ length: 10 }, (_, j) => `e${i + j}`);
    recent.remember(ids.map(event));
    recent.forget(ids);
  }
  t.equal(recent.size, 0);
  t.equal(recent.queued, 0);
});
