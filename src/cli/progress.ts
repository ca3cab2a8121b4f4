/**
 * Progress of a long operation: redrawn in place on a terminal (done, rate, time left), logged every few
 * seconds otherwise.
 */
import type { Logger } from '../logger.js';

export class Progress {
  private readonly started = Date.now();
  private lastLog = 0;

  constructor(
    private readonly what: string,
    private readonly total: number | null,
    private readonly log: Logger,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = this.total !== null && rate > 0 ? Math.max(0, (this.total - done) / rate) : null;
    const of = this.total === null ? '' : ` of ${this.total}`;
    const eta = left === null ? '' : `, about ${Math.ceil(left)} s left`;
    if (this.out.isTTY) {
      this.out.write(`\r${this.what}: ${done}${of} events, ${Math.round(rate)}/s${eta}   `);
    } else if (Date.now() - this.lastLog > 5_000) {
      this.lastLog = Date.now();
      this.log.info({ done, total: this.total, perSecond: Math.round(rate), secondsLeft: left }, this.what);
    }
  }

  finish(done: number): void {
    if (this.out.isTTY) this.out.write('\n');
    const seconds = (Date.now() - this.started) / 1000;
    this.log.info({ done, seconds, perSecond: Math.round(done / Math.max(seconds, 0.001)) }, `${this.what}: done`);
  }
}
