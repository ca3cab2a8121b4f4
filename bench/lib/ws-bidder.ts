/** A bidder over WebSocket, for load: sends commands and resolves each with its answer and latency. */
import WebSocket from 'ws';

export interface Answer {
  readonly ok: boolean;
  readonly code: string;
  readonly result?: { seq: number; currentPrice: number; leading: boolean };
}

export class WsBidder {
  private readonly pending = new Map<string, (a: Answer) => void>();
  private counter = 0;
  private constructor(
    private readonly ws: WebSocket,
    private readonly prefix: string,
  ) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      // Wallet and room frames carry no commandId; skipping them unparsed keeps the load generator cheap.
      if (!text.includes('"commandId"')) return;
      const frame = JSON.parse(text) as {
        type: string;
        commandId?: string;
        code?: string;
        result?: Answer['result'];
      };
      if (frame.commandId === undefined) return;
      const resolve = this.pending.get(frame.commandId);
      if (!resolve) return;
      this.pending.delete(frame.commandId);
      resolve(
        frame.type === 'ack'
          ? { ok: true, code: 'ok', ...(frame.result ? { result: frame.result } : {}) }
          : { ok: false, code: frame.code ?? 'error' },
      );
    });
    ws.on('close', () => {
      for (const resolve of this.pending.values()) resolve({ ok: false, code: 'closed' });
      this.pending.clear();
    });
  }

  static async connect(baseUrl: string, token: string, prefix: string): Promise<WsBidder> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws?token=${token}`, { perMessageDeflate: false });
    const bidder = new WsBidder(ws, prefix);
    await new Promise<void>((resolve, reject) => {
      ws.on('message', function authenticated(data: Buffer) {
        if (data.toString('utf8').includes('"authenticated"')) {
          ws.off('message', authenticated);
          resolve();
        }
      });
      ws.once('error', reject);
    });
    return bidder;
  }

  bid(auctionId: string, maxAmount: number): Promise<Answer> {
    const commandId = `${this.prefix}-${++this.counter}`;
    // A socket the server has closed (it stopped or crashed) answers at once: the run fails instead of hanging.
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, code: 'closed' });
    return new Promise((resolve) => {
      this.pending.set(commandId, resolve);
      this.ws.send(JSON.stringify({ type: 'bid', auctionId, maxAmount, commandId }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Connects many bidders, a hundred at a time. */
export async function connectBidders(
  baseUrl: string,
  users: ReadonlyArray<{ token: string }>,
  prefix: string,
): Promise<WsBidder[]> {
  const bidders: WsBidder[] = [];
  for (let i = 0; i < users.length; i += 100) {
    bidders.push(
      ...(await Promise.all(
        users.slice(i, i + 100).map((u, k) => WsBidder.connect(baseUrl, u.token, `${prefix}${i + k}`)),
      )),
    );
  }
  return bidders;
}
