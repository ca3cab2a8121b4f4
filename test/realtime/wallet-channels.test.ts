/**
 * Wallet frames carry balances, so what matters is the newest: several changes delivered together make one
 * frame with the balances after the last, and an older or repeated change is never sent.
 */
import t from 'tap';
import type { BusEvent } from '../../src/bus/bus.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { walletStreamId } from '../../src/event-store/streams.js';
import { newId } from '../../src/ids.js';
import { WalletChannels } from '../../src/realtime/wallet-channels.js';

const settled = () => new Promise((resolve) => setImmediate(resolve));

t.test('one frame per delivery, with the newest balances', async (t) => {
  const bus = new MemoryBus();
  const channels = new WalletChannels(bus);
  const [ann, bob] = [newId(), newId()];
  const heard: Record<string, string[]> = { [ann]: [], [bob]: [] };
  for (const user of [ann, bob]) {
    channels.join(user, {
      send: (frame) => {
        heard[user]?.push(String(frame));
        return true;
      },
    });
  }
  let position = 0;
  const change = (userId: string, version: number, available: number, held: number): BusEvent => ({
    event: {
      streamId: walletStreamId(userId),
      version,
      eventId: newId(),
      type: 'WalletDebited',
      data: { userId, reason: 'bid_hold', amount: 1, available, held },
      at: 0,
      logPosition: { xid: '1', position: ++position },
    },
    prev: { xid: '1', position: position - 1 },
  });

  await bus.publish([change(ann, 1, 900, 100), change(bob, 1, 50, 0), change(ann, 2, 800, 200)]);
  await settled();
  t.same(heard[ann], ['{"type":"wallet","available":800,"held":200}'], 'Ann: one frame, after her last change');
  t.same(heard[bob], ['{"type":"wallet","available":50,"held":0}'], 'Bob hears only his own');

  await bus.publish([change(ann, 2, 800, 200), change(ann, 1, 900, 100)]);
  await settled();
  t.equal(heard[ann]?.length, 1, 'a repeated or older change sends nothing');

  await bus.publish([change(ann, 3, 1_000, 0)]);
  await settled();
  t.same(heard[ann]?.at(-1), '{"type":"wallet","available":1000,"held":0}', 'and the next change is sent');
});
