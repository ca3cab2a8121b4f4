/**
 * The latency floor's process (started by durable-ack-floor.ts): a bare `ws` server that does the least a bid
 * service must do before it acknowledges a bid: make it durable. It answers a connection with `authenticated`
 * as the service does, queues each `bid` frame, and writes everything queued as one INSERT in one round trip
 * (autocommit, so one COMMIT and one WAL flush per batch, as the service's group commit) while the previous
 * batch is in flight; once PostgreSQL has committed, it acks each bid on its socket with a frame of the
 * service's shape. No auction rules, no wallets, no locks, no relay, no read models.
 */
import pg from 'pg';
import { type WebSocket, WebSocketServer } from 'ws';

interface Pending {
  readonly socket: WebSocket;
  readonly commandId: string;
  readonly auctionId: string;
  readonly maxAmount: number;
}

const client = new pg.Client({ connectionString: process.argv[2] });
await client.connect();
await client.query(`CREATE TABLE IF NOT EXISTS bids (
  position bigserial PRIMARY KEY, auction_id uuid NOT NULL, command_id text NOT NULL, data jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now())`);

let queue: Pending[] = [];
let inFlight = false;
let seq = 0;

async function commitQueued(): Promise<void> {
  if (inFlight || queue.length === 0) return;
  inFlight = true;
  const batch = queue;
  queue = [];
  try {
    await client.query(
      'INSERT INTO bids (auction_id, command_id, data) SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])',
      [
        batch.map((b) => b.auctionId),
        batch.map((b) => b.commandId),
        batch.map((b) => JSON.stringify({ type: 'BidPlaced', maxAmount: b.maxAmount })),
      ],
    );
    for (const b of batch) {
      seq += 1;
      const result = { seq, currentPrice: b.maxAmount, leading: true };
      b.socket.send(JSON.stringify({ type: 'ack', commandId: b.commandId, result }));
    }
  } finally {
    inFlight = false;
    void commitQueued();
  }
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (socket) => {
  socket.send(JSON.stringify({ type: 'authenticated' }));
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as Partial<Pending> & { type?: string };
    if (frame.type !== 'bid' || !frame.commandId || !frame.auctionId) return;
    queue.push({ socket, commandId: frame.commandId, auctionId: frame.auctionId, maxAmount: frame.maxAmount ?? 0 });
    void commitQueued();
  });
});
server.on('listening', () => process.send?.({ port: (server.address() as { port: number }).port }));
// Never outlive the benchmark that started this process.
process.on('disconnect', () => {
  void client.end().finally(() => process.exit(0));
});
