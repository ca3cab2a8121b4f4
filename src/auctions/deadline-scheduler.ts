/**
 * Timers for every auction that will open or close by itself, loaded or not: one min-heap of deadlines and a
 * single Node timer for the earliest. Firing only tells the actor "time has passed"; the actor decides what
 * is due (decide.ts), so a timer that fires early or twice is harmless.
 */
import type { Clock } from '../clock.js';

/** setTimeout's longest delay; later deadlines are reached in hops. */
const MAX_DELAY = 2_147_483_647;

export class DeadlineScheduler {
  private readonly deadlines = new Map<string, number>();
  /** Entries may be stale (a deadline moved); the map is the truth and stale entries are skipped. */
  private readonly heap: Array<{ at: number; id: string }> = [];
  private timer: NodeJS.Timeout | null = null;
  private armedFor: number | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (auctionId: string) => void,
  ) {}

  get size(): number {
    return this.deadlines.size;
  }

  dueAt(auctionId: string): number | undefined {
    return this.deadlines.get(auctionId);
  }

  set(auctionId: string, at: number | null): void {
    if (at === null) {
      this.deadlines.delete(auctionId);
      return;
    }
    if (this.deadlines.get(auctionId) === at) return;
    this.deadlines.set(auctionId, at);
    this.push({ at, id: auctionId });
    this.arm();
  }

  /** Fires whatever is due now; the timer calls it, and tests with a hand-moved clock may too. */
  fireDue(): void {
    const now = this.clock.now();
    const due: string[] = [];
    while (this.heap.length > 0 && (this.heap[0] as { at: number }).at <= now) {
      const entry = this.pop();
      if (this.deadlines.get(entry.id) !== entry.at) continue;
      this.deadlines.delete(entry.id);
      due.push(entry.id);
    }
    for (const id of due) this.onDue(id);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = null;
  }

  private arm(): void {
    if (this.stopped) return;
    while (this.heap.length > 0) {
      const top = this.heap[0] as { at: number; id: string };
      if (this.deadlines.get(top.id) === top.at) break;
      this.pop();
    }
    const next = this.heap[0]?.at;
    if (next === undefined) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.armedFor = null;
      return;
    }
    if (this.armedFor !== null && this.armedFor <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_DELAY);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedFor = null;
      this.fireDue();
    }, delay);
    this.timer.unref();
  }

  private push(entry: { at: number; id: string }): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as { at: number }).at <= entry.at) break;
      h[i] = h[parent] as { at: number; id: string };
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): { at: number; id: string } {
    const h = this.heap;
    const top = h[0] as { at: number; id: string };
    const last = h.pop() as { at: number; id: string };
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        let smallestAt = last.at;
        if (l < h.length && (h[l] as { at: number }).at < smallestAt) {
          smallest = l;
          smallestAt = (h[l] as { at: number }).at;
        }
        if (r < h.length && (h[r] as { at: number }).at < smallestAt) smallest = r;
        if (smallest === i) break;
        h[i] = h[smallest] as { at: number; id: string };
        i = smallest;
      }
      h[i] = last;
    }
    return top;
  }
}
