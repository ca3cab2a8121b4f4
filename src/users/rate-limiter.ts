/**
 * Per-user token buckets for commands (bids, buy-now, wallet moves, auction writes), shared by HTTP and
 * WebSocket. Buckets of users who went quiet are forgotten, so memory follows the active users only.
 */
import type { Clock } from '../clock.js';

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.lastSweep = clock.now();
  }

  /** Takes one token; false when the user is over their rate. */
  take(userId: string): boolean {
    const now = this.clock.now();
    this.sweep(now);
    const bucket = this.buckets.get(userId) ?? { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.perSecond);
    bucket.updated = now;
    this.buckets.set(userId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const refillMillis = (this.burst / this.perSecond) * 1000;
    for (const [id, bucket] of this.buckets) {
      if (now - bucket.updated > refillMillis) this.buckets.delete(id);
    }
  }
}
