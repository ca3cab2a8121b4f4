/**
 * Events this process has just committed, kept until the relay has published them. The relay still takes
 * the order and the visibility of events from the log (read-all.ts), but reads only their positions and ids;
 * the payloads it already has here need not travel back from PostgreSQL and be parsed again. Anything it does
 * not find (another process's commit, a restart, an entry pushed out) it reads from the log in full.
 */
import type { EventToAppend } from '../event-store/types.js';

export class RecentEvents {
  private readonly byId = new Map<string, EventToAppend>();

  /** A bound, so events nobody here will publish (another relay leads) cannot pile up. */
  constructor(private readonly capacity = 100_000) {}

  /** Call only after the events' transaction committed. */
  remember(events: readonly EventToAppend[]): void {
    for (const event of events) {
      if (this.byId.size >= this.capacity) this.byId.delete(this.byId.keys().next().value as string);
      this.byId.set(event.eventId, event);
    }
  }

  recall(eventId: string): EventToAppend | undefined {
    return this.byId.get(eventId);
  }

  forget(eventIds: Iterable<string>): void {
    for (const id of eventIds) this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}
