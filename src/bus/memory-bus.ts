/**
 * The in-process bus of embedded mode. Publishing delivers synchronously to subscribers and queues for each
 * consumer; consumers see what is published after they are created (projections catch up from PostgreSQL
 * before they start following).
 */
import { BACKLOG_DELIVERY, type Bus, type BusConsumer, type BusEvent, subjectOf } from './bus.js';

class MemoryConsumer implements BusConsumer {
  private readonly queue: BusEvent[] = [];
  private handle: ((events: BusEvent[]) => Promise<void>) | null = null;
  private draining: Promise<void> | null = null;
  private stopped = false;

  push(events: readonly BusEvent[]): void {
    if (this.stopped) return;
    this.queue.push(...events);
    this.kick();
  }

  start(handle: (events: BusEvent[]) => Promise<void>): void {
    this.handle = handle;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }

  private kick(): void {
    // A stopped consumer must not re-arm itself: its drain would return at once and kick again, for ever.
    if (this.stopped || !this.handle || this.draining || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.queue.length > 0 && this.handle) {
      const batch = this.queue.slice(0, BACKLOG_DELIVERY);
      try {
        await this.handle(batch);
        this.queue.splice(0, batch.length);
      } catch {
        // Not acknowledged: keep the batch and try again shortly, as a broker would redeliver it.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

type Handler = (event: BusEvent) => void;

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  /**
   * Subscriptions by the literal part of their pattern (`auction.<id>.` for `auction.<id>.>`, the subject
   * itself for an exact one): a subject is matched against its own few prefixes, not against every
   * subscription (there is one per room and one per signed-in user).
   */
  private readonly byPrefix = new Map<string, Set<Handler>>();
  private readonly consumers = new Map<string, MemoryConsumer>();

  async publish(events: readonly BusEvent[]): Promise<void> {
    for (const consumer of this.consumers.values()) consumer.push(events);
    for (const e of events) {
      const subject = subjectOf(e.event);
      for (const key of prefixesOf(subject)) {
        const handlers = this.byPrefix.get(key);
        if (handlers) for (const handler of handlers) handler(e);
      }
    }
  }

  subscribe(pattern: string, handler: Handler): () => void {
    const key = pattern.endsWith('>') ? pattern.slice(0, -1) : pattern;
    let handlers = this.byPrefix.get(key);
    if (!handlers) {
      handlers = new Set();
      this.byPrefix.set(key, handlers);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.byPrefix.delete(key);
    };
  }

  consumer(name: string): BusConsumer {
    const consumer = new MemoryConsumer();
    this.consumers.set(name, consumer);
    return consumer;
  }

  onReconnect(): () => void {
    return () => undefined;
  }

  connected(): boolean {
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.stop()));
    this.byPrefix.clear();
  }
}

/** `a.b.c` -> `a.`, `a.b.`, `a.b.c` (for `a.>`, `a.b.>` and the exact subject). */
function prefixesOf(subject: string): string[] {
  const keys: string[] = [];
  for (let i = subject.indexOf('.'); i >= 0; i = subject.indexOf('.', i + 1)) keys.push(subject.slice(0, i + 1));
  keys.push(subject);
  return keys;
}
