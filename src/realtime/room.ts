/**
 * A room: the sockets of this process watching one auction. It holds one bus subscription, turns each public
 * event into a frame once, and sends it to every member exactly once, in seq order.
 *
 * The room knows the last seq it has delivered without a gap. Events at or below it are duplicates and dropped;
 * an event beyond the next one means some were missed (a bus hiccup), and they are read from PostgreSQL first.
 * Every change to the room (an event, a member joining) runs one at a time, so a member joining with `since`
 * gets exactly the events after `since`, then live ones, with no gap and no duplicate.
 */
import type { Logger } from 'pino';
import type { AuctionView } from '../auctions/public-view.js';
import { type Bus, type BusEvent, auctionSubjects } from '../bus/bus.js';

export interface Member {
  /**
   * Sends a serialised text frame (bytes when one frame goes to many members: encoded once, not once each);
   * false when the member is gone or was dropped for being too slow.
   */
  send(frame: string | Buffer): boolean;
}

export interface SeqFrame {
  readonly seq: number;
  readonly frame: string;
}

export interface RoomSource {
  /** Event frames of the auction after `after`, in seq order, up to `limit`. */
  eventsAfter(auctionId: string, after: number, limit: number): Promise<SeqFrame[]>;
  /** The auction as GET /v1/auctions/:id shows it, and its seq; null when it does not exist. */
  snapshot(auctionId: string): Promise<{ seq: number; auction: AuctionView } | null>;
  /** The auction's current seq in the log, or null when it does not exist. */
  currentSeq(auctionId: string): Promise<number | null>;
  /** The frame of one bus event, or null for events rooms do not show. */
  frameOf(event: BusEvent): SeqFrame | null;
}

export interface RoomOptions {
  readonly bus: Bus;
  readonly source: RoomSource;
  readonly log: Logger;
  /** A `since` further back than this gets a snapshot instead of a replay. */
  readonly maxReplay: number;
  /** Frames kept in memory for members that join with a recent `since`. */
  readonly recentFrames: number;
}

export class Room {
  private lastSeq = 0;
  private readonly recent: SeqFrame[] = [];
  private readonly members = new Map<Member, { sent: number }>();
  private unsubscribe: (() => void) | null = null;
  private work: Promise<unknown> = Promise.resolve();
  private exists = true;

  constructor(
    readonly auctionId: string,
    private readonly options: RoomOptions,
  ) {}

  get size(): number {
    return this.members.size;
  }

  /** Subscribes first, then reads where the log is, so no event falls between the two. */
  open(): Promise<void> {
    this.unsubscribe = this.options.bus.subscribe(auctionSubjects(this.auctionId), (e) => {
      const framed = this.options.source.frameOf(e);
      if (framed) void this.serial(() => this.accept(framed));
    });
    return this.serial(async () => {
      const seq = await this.options.source.currentSeq(this.auctionId);
      this.exists = seq !== null;
      this.lastSeq = Math.max(this.lastSeq, seq ?? 0);
    });
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.members.clear();
  }

  /** Adds a member and sends it `subscribed`, then a snapshot or the events it missed. False: no such auction. */
  join(member: Member, since: number | undefined): Promise<boolean> {
    return this.serial(async () => {
      if (!this.exists) return false;
      const replayable = since !== undefined && since <= this.lastSeq && this.lastSeq - since <= this.options.maxReplay;
      if (replayable) {
        const missed = await this.framesAfter(since);
        member.send(
          JSON.stringify({ type: 'subscribed', auctionId: this.auctionId, seq: this.lastSeq, recovered: true }),
        );
        for (const f of missed) member.send(f.frame);
        this.members.set(member, { sent: this.lastSeq });
        return true;
      }
      const snapshot = await this.options.source.snapshot(this.auctionId);
      if (!snapshot) return false;
      member.send(
        JSON.stringify({ type: 'subscribed', auctionId: this.auctionId, seq: snapshot.seq, recovered: false }),
      );
      member.send(
        JSON.stringify({ type: 'snapshot', auctionId: this.auctionId, seq: snapshot.seq, auction: snapshot.auction }),
      );
      // The snapshot comes from the writer and may be ahead of the room (or, from a stale node, behind it).
      if (this.lastSeq > snapshot.seq) for (const f of await this.framesAfter(snapshot.seq)) member.send(f.frame);
      this.members.set(member, { sent: Math.max(snapshot.seq, this.lastSeq) });
      return true;
    });
  }

  leave(member: Member): void {
    this.members.delete(member);
  }

  /** Reads whatever the log has beyond the room's seq (after the bus reconnects). */
  resync(): Promise<void> {
    return this.serial(async () => {
      const head = await this.options.source.currentSeq(this.auctionId);
      if (head !== null && head > this.lastSeq) await this.fill(head);
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.work.catch(() => undefined).then(task);
    this.work = next.catch((err: unknown) =>
      this.options.log.error({ err, auctionId: this.auctionId }, 'room update failed'),
    );
    return next;
  }

  private async accept(framed: SeqFrame): Promise<void> {
    if (framed.seq <= this.lastSeq) return;
    if (framed.seq > this.lastSeq + 1) await this.fill(framed.seq - 1);
    if (framed.seq === this.lastSeq + 1) this.deliver(framed);
  }

  /** Reads and delivers the events after the room's seq up to `upTo` from PostgreSQL. */
  private async fill(upTo: number): Promise<void> {
    while (this.lastSeq < upTo) {
      const frames = await this.options.source.eventsAfter(
        this.auctionId,
        this.lastSeq,
        Math.min(1_000, upTo - this.lastSeq),
      );
      if (frames.length === 0) return;
      for (const f of frames) if (f.seq === this.lastSeq + 1) this.deliver(f);
    }
  }

  private deliver(framed: SeqFrame): void {
    this.lastSeq = framed.seq;
    this.recent.push(framed);
    if (this.recent.length > this.options.recentFrames) this.recent.shift();
    const bytes = Buffer.from(framed.frame);
    for (const [member, state] of this.members) {
      if (state.sent >= framed.seq) continue;
      if (!member.send(bytes)) {
        this.members.delete(member);
        continue;
      }
      state.sent = framed.seq;
    }
  }

  private async framesAfter(after: number): Promise<SeqFrame[]> {
    const first = this.recent[0];
    if (first && first.seq <= after + 1) return this.recent.filter((f) => f.seq > after);
    const frames: SeqFrame[] = [];
    while (after < this.lastSeq) {
      const page = await this.options.source.eventsAfter(this.auctionId, after, Math.min(1_000, this.lastSeq - after));
      if (page.length === 0) break;
      for (const f of page) if (f.seq <= this.lastSeq) frames.push(f);
      after = (page.at(-1) as SeqFrame).seq;
    }
    return frames;
  }
}
