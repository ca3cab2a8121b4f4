/**
 * The frame of a bare floor server (durable-ack-server.ts, write-floor-server.ts): a `ws` server that answers
 * a connection with `authenticated` as the service does, queues each `bid` frame, and hands everything queued
 * to `commit` as one batch while the previous batch is in flight, the service's group commit without its
 * rules. Once `commit` resolves, each bid is acked on its socket with a frame of the service's shape.
 */
import { type WebSocket, WebSocketServer } from 'ws';

export interface QueuedBid {
  /** The `token` query parameter of the bid's connection. */
  readonly token: string;
  readonly commandId: string;
  readonly auctionId: string;
  readonly maxAmount: number;
}

/** An ack's result, or an error code, per bid of the batch and in its order. */
export type BidAnswer = { readonly result: unknown } | { readonly code: string };

interface Pending extends QueuedBid {
  readonly socket: WebSocket;
}

export function serveAcksAfterCommit(commit: (batch: readonly QueuedBid[]) => Promise<BidAnswer[]>): void {
  let queue: Pending[] = [];
  let inFlight = false;

  const commitQueued = async (): Promise<void> => {
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    const batch = queue;
    queue = [];
    try {
      const answers = await commit(batch);
      batch.forEach((b, i) => {
        const answer = answers[i] as BidAnswer;
        b.socket.send(
          JSON.stringify(
            'code' in answer
              ? { type: 'error', commandId: b.commandId, code: answer.code }
              : { type: 'ack', commandId: b.commandId, result: answer.result },
          ),
        );
      });
    } finally {
      inFlight = false;
      void commitQueued();
    }
  };

  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  server.on('connection', (socket, request) => {
    const token = new URL(request.url ?? '/', 'http://floor').searchParams.get('token') ?? '';
    socket.send(JSON.stringify({ type: 'authenticated' }));
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Partial<QueuedBid> & { type?: string };
      if (frame.type !== 'bid' || !frame.commandId || !frame.auctionId) return;
      queue.push({
        socket,
        token,
        commandId: frame.commandId,
        auctionId: frame.auctionId,
        maxAmount: frame.maxAmount ?? 0,
      });
      void commitQueued();
    });
  });
  server.on('listening', () => process.send?.({ port: (server.address() as { port: number }).port }));
}
