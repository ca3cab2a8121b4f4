/** A WebSocket client for tests: records every frame and waits for the ones it expects. */
import WebSocket from 'ws';

export type Frame = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class TestSocket {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  private readonly waiters = new Set<() => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as Frame);
      for (const w of this.waiters) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters) w();
    });
  }

  static async open(baseUrl: string, token?: string, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/v1/ws${token ? `?token=${token}` : ''}`;
    const ws = new WebSocket(url, options);
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame from index `from` on that matches, waiting for it if need be. */
  async next(match: (f: Frame) => boolean, what: string, timeoutMs = 10_000, from = 0): Promise<Frame> {
    const found = () => this.frames.slice(from).find(match);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = found();
      if (frame) return frame;
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  /** Event frames of an auction, in the order received. */
  events(auctionId: string): Frame[] {
    return this.frames.filter((f) => f.type === 'event' && f.auctionId === auctionId);
  }

  /** Waits until this socket has the event with `seq` for the auction. */
  untilSeq(auctionId: string, seq: number, timeoutMs = 10_000): Promise<Frame> {
    return this.next(
      (f) => f.type === 'event' && f.auctionId === auctionId && f.seq >= seq,
      `${auctionId} seq ${seq}`,
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await closed;
  }
}
