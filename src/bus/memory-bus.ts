/**
 * The in-process bus of embedded mode. Publishing delivers synchronously to subscribers and queues for each
 * consumer; consumers see what is published after they are created (projections catch up from PostgreSQL
 * before they start following).
 */
import { type Bus, type BusConsumer, type BusEvent, subjectMatches, subjectOf } from './bus.js';

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
      const batch = this.queue.slice(0, 1000);
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

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly subscriptions = new Set<{ pattern: string; handler: (event: BusEvent) => void }>();
  private readonly consumers = new Map<string, MemoryConsumer>();

  async publish(events: readonly BusEvent[]): Promise<void> {
    for (const consumer of this.consumers.values()) consumer.push(events);
    for (const e of events) {
      const subject = subjectOf(e.event);
      for (const s of this.subscriptions) if (subjectMatches(s.pattern, subject)) s.handler(e);
    }
  }

  subscribe(pattern: string, handler: (event: BusEvent) => void): () => void {
    const subscription = { pattern, handler };
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
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
    this.subscriptions.clear();
  }
}
