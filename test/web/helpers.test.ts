import t from 'tap';
import { describeError } from '../../web/src/messages.js';
import { formatMoney, parseMoney } from '../../web/src/money.js';
import { formatRemaining } from '../../web/src/time.js';

t.test('money is parsed from text, never through floating point', async (t) => {
  t.equal(parseMoney('12'), 1_200);
  t.equal(parseMoney('12.5'), 1_250);
  t.equal(parseMoney('0.1'), 10);
  t.equal(parseMoney(' 1,234.56 '), 123_456);
  t.equal(parseMoney('0.29'), 29, '0.29 * 100 would be 28.999… in floating point');
  for (const bad of ['', '0', '0.00', '-5', '1.234', 'abc', '1e5', '12.', '99999999999999'])
    t.equal(parseMoney(bad), null, `refuses ${JSON.stringify(bad)}`);
  t.equal(formatMoney(123_456), '1,234.56');
  t.equal(formatMoney(5), '0.05');
  t.equal(formatMoney(0), '0.00');
});

t.test('time left', async (t) => {
  t.equal(formatRemaining(0), 'ended');
  t.equal(formatRemaining(9_400), '9s');
  t.equal(formatRemaining(4 * 60_000 + 9_000), '4m 09s');
  t.equal(formatRemaining(3_600_000 + 5 * 60_000), '1h 05m');
  t.equal(formatRemaining(2 * 86_400_000 + 3 * 3_600_000), '2d 3h');
});

t.test('errors read as sentences, with the figures that help', async (t) => {
  t.equal(describeError('bid_too_low', 'x', { nextMinimumBid: 1_050 }), 'Your maximum must be at least 10.50.');
  t.match(describeError('insufficient_funds', 'x'), /Deposit more/);
  t.match(describeError('invalid_request', 'title must not be blank'), /title must not be blank/);
  t.match(describeError('something_new', 'x'), /Something went wrong/);
});
