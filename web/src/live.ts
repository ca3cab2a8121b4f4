/**
 * The live connection: one WebSocket for the page. It reconnects by itself (backing off up to 10 s), signs in
 * again, and resubscribes every watched auction with the last seq it saw, so nothing is missed or repeated.
 */
import { ApiError, type AuctionView, type Balance } from './api.js';
import { currentSession, onSessionChange } from './session.js';

export interface EventFrame {
  type: 'event';
  auctionId: string;
  seq: number;
  event: { type: string; at: string; [field: string]: unknown };
}

export interface Watcher {
  snapshot(auction: AuctionView, seq: number): void;
  event(frame: EventFrame): void;
}

type Status = 'connecting' | 'live' | 'offline';

interface Pending {
  resolve(result: unknown): void;
  reject(err: unknown): void;
}

export class Live {
  private socket: WebSocket | null = null;
  private readonly watched = new Map<string, { watchers: Set<Watcher>; seq: number | undefined }>();
  private readonly pending = new Map<string, Pending>();
  private readonly walletListeners = new Set<(b: Balance) => void>();
  private readonly statusListeners = new Set<(s: Status) => void>();
  private retry = 0;

  constructor(private readonly url: string) {
    onSessionChange(() => this.authenticate());
    this.connect();
  }

  watch(auctionId: string, watcher: Watcher): () => void {
    let entry = this.watched.get(auctionId);
    if (!entry) {
      entry = { watchers: new Set(), seq: undefined };
      this.watched.set(auctionId, entry);
    }
    entry.watchers.add(watcher);
    // A new watcher needs the whole picture: subscribe afresh (the server sends a snapshot).
    entry.seq = undefined;
    this.send({ type: 'subscribe', auctionId });
    return () => {
      entry.watchers.delete(watcher);
      if (entry.watchers.size === 0) {
        this.watched.delete(auctionId);
        this.send({ type: 'unsubscribe', auctionId });
      }
    };
  }

  onWallet(listener: (b: Balance) => void): void {
    this.walletListeners.add(listener);
  }

  onStatus(listener: (s: Status) => void): void {
    this.statusListeners.add(listener);
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a command frame and resolves with its ack's result, or rejects with the error frame as an ApiError. */
  command<T>(frame: { type: 'bid' | 'buy_now'; auctionId: string; commandId: string; maxAmount?: number }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.connected) {
        reject(new ApiError('unavailable', 'not connected', 0));
        return;
      }
      this.pending.set(frame.commandId, { resolve: resolve, reject });
      this.send(frame);
    });
  }

  private connect(): void {
    this.setStatus('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retry = 0;
      this.setStatus('live');
      this.authenticate();
      for (const [auctionId, entry] of this.watched) {
        this.send({ type: 'subscribe', auctionId, ...(entry.seq === undefined ? {} : { since: entry.seq }) });
      }
    });
    socket.addEventListener('message', (message) => this.receive(String(message.data)));
    socket.addEventListener('close', () => {
      for (const [, p] of this.pending) p.reject(new ApiError('unavailable', 'connection lost', 0));
      this.pending.clear();
      this.setStatus('offline');
      const delay = Math.min(10_000, 250 * 2 ** this.retry++);
      setTimeout(() => this.connect(), delay);
    });
  }

  private authenticate(): void {
    const session = currentSession();
    if (session) this.send({ type: 'auth', token: session.token });
  }

  private send(frame: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private setStatus(status: Status): void {
    for (const listener of this.statusListeners) listener(status);
  }

  private receive(text: string): void {
    const frame = JSON.parse(text) as { type: string; [field: string]: unknown };
    switch (frame.type) {
      case 'snapshot': {
        const entry = this.watched.get(frame.auctionId as string);
        if (!entry) return;
        entry.seq = frame.seq as number;
        for (const w of entry.watchers) w.snapshot(frame.auction as AuctionView, frame.seq as number);
        return;
      }
      case 'event': {
        const event = frame as unknown as EventFrame;
        const entry = this.watched.get(event.auctionId);
        if (!entry || (entry.seq !== undefined && event.seq <= entry.seq)) return;
        entry.seq = event.seq;
        for (const w of entry.watchers) w.event(event);
        return;
      }
      case 'wallet':
        for (const listener of this.walletListeners)
          listener({ available: frame.available as number, held: frame.held as number });
        return;
      case 'ack':
      case 'error': {
        const id = frame.commandId as string | undefined;
        const waiting = id ? this.pending.get(id) : undefined;
        if (!waiting || !id) return;
        this.pending.delete(id);
        if (frame.type === 'ack') waiting.resolve(frame.result);
        else waiting.reject(new ApiError(frame.code as string, frame.message as string, 0));
        return;
      }
      default:
        return;
    }
  }
}
