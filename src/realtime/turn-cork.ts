/**
 * Holds a socket's writes until the end of the current turn of the event loop, so that every frame sent to it
 * in that turn leaves in one write: one system call and one segment for the socket's reader, however many
 * frames.
 *
 * A write's cost on either side of a connection hardly depends on its size, so when a room falls behind (the
 * events committed while it was sending wait in the loop's queue, and arrive together) each socket then gets
 * several frames for the price of one. The room catches up on its own instead of falling further behind. When
 * it is not behind, a frame waits only for the rest of the turn it was sent in.
 */
import type { Writable } from 'node:stream';

export class TurnCork {
  private held = new Set<Writable>();
  private releasing = false;

  /** Corks `stream` (once per turn) until the turn's end. */
  hold(stream: Writable): void {
    if (this.held.has(stream)) return;
    stream.cork();
    this.held.add(stream);
    if (!this.releasing) {
      this.releasing = true;
      // setImmediate, not nextTick: the I/O callbacks of one poll phase (several commits' events) share a turn.
      setImmediate(this.release);
    }
  }

  private readonly release = (): void => {
    const held = this.held;
    this.held = new Set();
    this.releasing = false;
    for (const stream of held) stream.uncork();
  };
}
