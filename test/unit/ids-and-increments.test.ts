import t from 'tap';
import { INCREMENT_TIERS, TOP_INCREMENT, incrementAt, tieredIncrement } from '../../src/auctions/increments.js';
import { isUuid, newId } from '../../src/ids.js';

t.test('ids are version 7 UUIDs, unique, and sort by time', async (t) => {
  const ids = Array.from({ length: 5_000 }, (_, i) => newId(1_700_000_000_000 + Math.floor(i / 10)));
  t.equal(new Set(ids).size, ids.length, 'no duplicates across several random blocks');
  t.ok(ids.every(isUuid));
  t.ok(
    ids.every((id) => id[14] === '7' && '89ab'.includes(id[19]!)),
    'version 7, RFC variant',
  );
  const byTime = [newId(1_000), newId(2_000), newId(3_000)];
  t.same([...byTime].sort(), byTime);
  t.notOk(isUuid('not-a-uuid'));
});

t.test('the increment table', async (t) => {
  t.equal(tieredIncrement(0), 5);
  t.equal(tieredIncrement(99), 5);
  t.equal(tieredIncrement(100), 25, 'each tier starts at its lower bound');
  t.equal(tieredIncrement(2_499), 50);
  t.equal(tieredIncrement(2_500), 100);
  t.equal(tieredIncrement(499_999), 5_000);
  t.equal(tieredIncrement(500_000), TOP_INCREMENT);
  t.equal(tieredIncrement(Number.MAX_SAFE_INTEGER - 1), TOP_INCREMENT);
  t.equal(incrementAt(1_000, 7), 7, 'a fixed increment wins');
  t.equal(incrementAt(1_000, null), 50);
  for (let i = 1; i < INCREMENT_TIERS.length; i += 1) {
    t.ok(INCREMENT_TIERS[i]!.below > INCREMENT_TIERS[i - 1]!.below, 'tiers ascend');
    t.ok(INCREMENT_TIERS[i]!.step >= INCREMENT_TIERS[i - 1]!.step, 'steps never shrink');
  }
});
