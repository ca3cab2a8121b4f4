/**
 * The lock-per-request baseline must be the same product minus the design: the same commands in the same order
 * write the same events with the same data, so benchmarks compare designs and nothing else.
 */
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { type Api, fundedUser, injectApi, openAuction, registerUser } from '../helpers/api.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { startTestService } from '../helpers/service.js';

async function scenario(t: Test, mode: string): Promise<unknown[]> {
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
  const service = await startTestService(t, { clock, env: { COMMAND_MODE: mode } });
  const api: Api = injectApi(service);
  const seller = await registerUser(api, 'seller');
  const users = [await fundedUser(api, 50_000), await fundedUser(api, 50_000), await fundedUser(api, 50_000)];
  const lot = await openAuction(api, seller, { minIncrement: 10, reservePrice: 1_500, endsAt: '2030-01-01T01:00:00Z' });
  const quick = await openAuction(api, seller, { buyNowPrice: 9_000, endsAt: '2030-01-01T01:00:00Z' });
  const answers: unknown[] = [];
  const steps: Array<[number, string, number | null]> = [
    [0, lot.id, 1_000],
    [1, lot.id, 900],
    [1, lot.id, 2_000],
    [0, lot.id, 1_000],
    [2, lot.id, 2_000],
    [0, quick.id, 500],
    [1, quick.id, null],
    [2, quick.id, 700],
  ];
  for (const [i, [who, auctionId, max]] of steps.entries()) {
    clock.advance(1000);
    const user = users[who]!;
    const res =
      max === null
        ? await api('POST', `/v1/auctions/${auctionId}/buy-now`, { token: user.token, body: { commandId: `c${i}` } })
        : await api('POST', `/v1/auctions/${auctionId}/bids`, {
            token: user.token,
            body: { maxAmount: max, commandId: `c${i}` },
          });
    answers.push([res.status, res.body]);
  }
  // Ids differ between the two databases; name them by role.
  const names = new Map<string, string>([
    [seller.userId, 'seller'],
    [lot.id, 'lot'],
    [quick.id, 'quick'],
    ...users.map((u, i) => [u.userId, `u${i}`] as [string, string]),
  ]);
  const rename = (text: string) =>
    text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => names.get(id) ?? id);
  const { rows } = await sql<{
    stream_id: string;
    stream_version: number;
    type: string;
    data: unknown;
    occurred_at: Date;
  }>`
    SELECT stream_id, stream_version, type, data, occurred_at FROM events ORDER BY global_position`.execute(
    service.database.db,
  );
  return [JSON.parse(rename(JSON.stringify(answers))), JSON.parse(rename(JSON.stringify(rows)))];
}

t.test('the baseline and the product write the same history', async (t) => {
  const [productAnswers, productEvents] = await scenario(t, 'actor');
  const [baselineAnswers, baselineEvents] = await scenario(t, 'lock-per-request');
  t.same(baselineAnswers, productAnswers, 'the same answers');
  t.same(baselineEvents, productEvents, 'the same events, in the same order');
  t.ok((productEvents as unknown[]).length > 20, 'a history worth comparing');
});
