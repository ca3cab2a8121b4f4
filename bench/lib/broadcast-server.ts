/**
 * The fan-out ceiling's process (started by broadcast-ceiling.ts): a bare `ws` server. It answers `subscribe` as
 * the service does (`subscribed`, then a snapshot) and, on its parent's order, broadcasts event frames of the
 * service's shape and size, `{type:"event",auctionId,seq,event:{…BidPlaced public fields}}`, to every socket.
 * Each frame is encoded once and the same bytes go to every socket, as a broadcast at its cheapest does.
 */
import { randomUUID } from 'node:crypto';
import { type WebSocket, WebSocketServer } from 'ws';
import type { BroadcastOrder, BroadcastReport } from './broadcast-ceiling.js';
import { machineNow } from './watchers.js';

/** A flood waits while any socket has this much unsent: the socket's reader, not memory, sets the pace. */
const HIGH_WATER_BYTES = 256 * 1024;

const auctionId = randomUUID();
const bidders = Array.from({ length: 10 }, () => randomUUID());
const sockets: WebSocket[] = [];
let seq = 0;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const anyBehind = () => sockets.some((socket) => socket.bufferedAmount > HIGH_WATER_BYTES);

/** Sends the next frame to every socket. */
function broadcast(): void {
  seq += 1;
  const bidder = bidders[seq % bidders.length];
  const event = { bidderId: bidder, currentPrice: 1_000 + seq * 10, leaderId: bidder, reserveMet: true };
  const frame = Buffer.from(
    JSON.stringify({
      type: 'event',
      auctionId,
      seq,
      event: { ...event, type: 'BidPlaced', at: new Date().toISOString() },
    }),
  );
  for (const socket of sockets) socket.send(frame, { binary: false });
}

/** One frame to every socket, then a turn of the event loop (so socket writes and IPC go on), for `ms`. */
function flood(ms: number): Promise<BroadcastReport> {
  const started = performance.now();
  let frames = 0;
  return new Promise((resolve) => {
    const step = (): void => {
      const now = performance.now();
      if (now - started >= ms) {
        resolve({ frames, seconds: (now - started) / 1000, lastSeq: seq, sentAt: [] });
      } else if (anyBehind()) {
        setTimeout(step, 1);
      } else {
        broadcast();
        frames += 1;
        setImmediate(step);
      }
    };
    step();
  });
}

async function paced(perSecond: number, ms: number): Promise<BroadcastReport> {
  const sentAt: Array<[number, number]> = [];
  const started = performance.now();
  const total = Math.round((perSecond * ms) / 1000);
  for (let i = 0; i < total; i += 1) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt.push([seq + 1, machineNow()]);
    broadcast();
  }
  // The order's whole span, unless the broadcasts could not keep to it.
  const seconds = Math.max(ms, performance.now() - started) / 1000;
  return { frames: total, seconds, lastSeq: seq, sentAt };
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (socket) => {
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { type?: string; auctionId?: string };
    if (frame.type !== 'subscribe') return;
    socket.send(JSON.stringify({ type: 'subscribed', auctionId: frame.auctionId, seq, recovered: false }));
    socket.send(JSON.stringify({ type: 'snapshot', auctionId: frame.auctionId, seq, auction: { id: auctionId } }));
    sockets.push(socket);
  });
  socket.on('close', () => {
    const at = sockets.indexOf(socket);
    if (at >= 0) sockets.splice(at, 1);
  });
});
server.on('listening', () => process.send?.({ port: (server.address() as { port: number }).port }));

process.on('message', (order: BroadcastOrder) => {
  const run = order.kind === 'flood' ? flood(order.ms) : paced(order.perSecond, order.ms);
  void run.then((report) => process.send?.(report));
});
// Never outlive the benchmark that started this process.
process.on('disconnect', () => process.exit(0));
