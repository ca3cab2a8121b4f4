/**
 * Events this process has just committed, kept until the relay has published them. The relay still takes
 * the order and the visibility of events from the log (read-all.ts), but reads only their positions and ids;
 * the payloads it already has here need not travel back from PostgreSQL and be parsed again. Anything it does
 * not find (another process's commit, a restart, an entry pushed out) it reads from the log in full.
 *
 * The bound matters when this process's relay is not publishing (another process holds the lease, or the bus
 * is down): then every commit pushes the oldest entries out. The order of arrival is kept in a queue of its
 * own for that, because taking a Map's first key skips every entry deleted before it, and with a full Map
 * that made each eviction cost tens of microseconds instead of a fraction of one.
 */
import type { EventToAppend } from '../event-store/types.js';

export class RecentEvents {
  private readonly byId = new Map<string, EventToAppend>();
  /** Ids in the order they were remembered; those before `head` are gone, and some after it may be too. */
  private arrivals: string[] = [];
  private head = 0;

  /** A bound, so events nobody here will publish (another relay leads) cannot pile up. */
  constructor(private readonly capacity = 100_000) {}

  /** Call only after the events' transaction committed. */
  remember(events: readonly EventToAppend[]): void {
    for (const event of events) {
      this.byId.set(event.eventId, event);
      this.arrivals.push(event.eventId);
    }
    this.trim();
  }

  recall(eventId: string): EventToAppend | undefined {
    return this.byId.get(eventId);
  }

  forget(eventIds: Iterable<string>): void {
    for (const id of eventIds) this.byId.delete(id);
    this.trim();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Ids still queued, forgotten ones included: what the queue costs in memory. */
  get queued(): number {
    return this.arrivals.length - this.head;
  }

  /** Drops from the front what was forgotten or is over the bound, and keeps the queue near the Map's size. */
  private trim(): void {
    while (this.head < this.arrivals.length) {
      const oldest = this.arrivals[this.head] as string;
      if (this.byId.has(oldest) && this.byId.size <= this.capacity) break;
      this.byId.delete(oldest);
      this.head += 1;
    }
    // Ids left behind (the front, or forgotten behind one still held) are at least half of the array when it is
    // rebuilt, so the rebuilds cost constant work per event over time.
    if (this.arrivals.length > 2 * this.byId.size + 1_024) {
      this.arrivals = this.arrivals.slice(this.head).filter((id) => this.byId.has(id));
      this.head = 0;
    }
  }
}
