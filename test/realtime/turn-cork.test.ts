import { Writable } from 'node:stream';
import t from 'tap';
import { TurnCork } from '../../src/realtime/turn-cork.js';

/** A stream that records each write it is handed: one entry per write, with the chunks it carried. */
function recordingStream(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, writes };
}

const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

t.test('frames written to a held stream in one turn leave in one write, in order', async (t) => {
  const cork = new TurnCork();
  const { stream, writes } = recordingStream();
  for (const frame of ['a', 'b', 'c']) {
    cork.hold(stream);
    stream.write(frame);
  }
  t.same(writes, [], 'nothing leaves during the turn');
  t.equal(stream.writableCorked, 1, 'held once however often it is asked');
  await endOfTurn();
  t.same(writes, [['a', 'b', 'c']]);
  t.equal(stream.writableCorked, 0);
});

t.test('each turn is held afresh, and every stream held in it is released', async (t) => {
  const cork = new TurnCork();
  const first = recordingStream();
  const second = recordingStream();
  cork.hold(first.stream);
  first.stream.write('1');
  cork.hold(second.stream);
  second.stream.write('2');
  await endOfTurn();
  cork.hold(first.stream);
  first.stream.write('3');
  t.equal(first.stream.writableCorked, 1, 'held again in the next turn');
  await endOfTurn();
  t.same(first.writes, [['1'], ['3']]);
  t.same(second.writes, [['2']]);
});
