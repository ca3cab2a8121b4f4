/**
 * Many sockets watching auctions, as a load generator sees them: each subscribes, waits for its snapshot, then
 * counts event frames, checks that their seqs follow one another, and (while asked to) records when each seq
 * arrived. The same code watches the service and the bare broadcast server, and it does as little as it can per
 * frame (no text decoding, no JSON.parse of event frames), so the client is not what limits either of them.
 */
import WebSocket from 'ws';

/**
 * Milliseconds on the machine's monotonic clock, comparable between processes on one machine. Not
 * `performance.timeOrigin + performance.now()`: each process takes its origin from the wall clock when it
 * starts, and on this machine the wall clock moves against the monotonic one by about 5 ms a second, so two
 * processes started a minute apart disagreed by hundreds of milliseconds.
 */
export const machineNow = (): number => Number(process.hrtime.bigint()) / 1e6;

const EVENT_PREFIX = Buffer.from('{"type":"event",');
const SEQ_KEY = Buffer.from('"seq":');

/** The seq of an event frame read from its bytes; -1 when the frame is not laid out as the service writes it. */
function seqOf(data: Buffer): number {
  if (EVENT_PREFIX.compare(data, 0, EVENT_PREFIX.length) !== 0) return -1;
  const at = data.indexOf(SEQ_KEY, EVENT_PREFIX.length);
  if (at < 0) return -1;
  let seq = 0;
  for (let i = at + SEQ_KEY.length; i < data.length; i += 1) {
    const digit = (data[i] as number) - 48;
    if (digit < 0 || digit > 9) break;
    seq = seq * 10 + digit;
  }
  return seq;
}

interface Recording {
  readonly firstSeq: number;
  /** Per socket, the arrival time of seq `firstSeq + k` at index k; NaN until it arrives. */
  readonly arrivals: Float64Array[];
}

export interface LatencyFigures {
  readonly latenciesMs: number[];
  /** (socket, seq) pairs that never arrived. */
  readonly missing: number;
}

export class Watchers {
  /** Event frames received by all sockets together. */
  delivered = 0;
  /** Event frames whose seq was not the one after the previous frame's on that socket (a gap or a repeat). */
  outOfOrder = 0;
  /** Sockets the server closed (a slow socket gets 4008), and how many by each close code. */
  closedByServer = 0;
  readonly closeCodes: Record<string, number> = {};
  private readonly sockets: WebSocket[] = [];
  private lastSeq = new Float64Array(0);
  private recording: Recording | null = null;
  private closing = false;

  /** The lowest seq any open socket has reached. */
  get slowestSeq(): number {
    return this.lastSeq.reduce((low, seq) => Math.min(low, seq), Infinity);
  }

  /**
   * Opens `count` more sockets to `wsUrl`, `chunk` at a time, each subscribing to `auctionOf(index)`; resolves
   * once every one has its snapshot.
   */
  async connect(wsUrl: string, count: number, auctionOf: (index: number) => string, chunk = 200): Promise<void> {
    const first = this.sockets.length;
    const grown = new Float64Array(first + count);
    grown.set(this.lastSeq);
    this.lastSeq = grown;
    for (let i = first; i < first + count; i += chunk) {
      const upTo = Math.min(first + count, i + chunk);
      await Promise.all(Array.from({ length: upTo - i }, (_, k) => this.open(wsUrl, i + k, auctionOf(i + k))));
    }
  }

  /** Records arrival times of seqs `firstSeq` to `firstSeq + capacity - 1` from now on. */
  record(firstSeq: number, capacity: number): void {
    this.recording = {
      firstSeq,
      arrivals: this.sockets.map(() => new Float64Array(capacity).fill(Number.NaN)),
    };
  }

  /** Latency from each seq's `sentAt` to its arrival at every socket, over the recording, which ends here. */
  latencies(sentAt: ReadonlyMap<number, number>): LatencyFigures {
    const recording = this.recording;
    this.recording = null;
    if (!recording) throw new Error('nothing was recorded');
    const latenciesMs: number[] = [];
    let missing = 0;
    for (const arrivals of recording.arrivals) {
      for (const [seq, sent] of sentAt) {
        const arrived = arrivals[seq - recording.firstSeq];
        if (arrived === undefined || Number.isNaN(arrived)) missing += 1;
        else latenciesMs.push(Math.max(0, arrived - sent));
      }
    }
    return { latenciesMs, missing };
  }

  /** Waits until every socket has seen `seq` (true), or gives up after `timeoutMs` (false). */
  async reach(seq: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.slowestSeq < seq) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** (socket, seq) pairs up to `seq` that open sockets have not reached. */
  behind(seq: number): number {
    return this.lastSeq.reduce((sum, last) => sum + Math.max(0, seq - last), 0);
  }

  close(): void {
    this.closing = true;
    for (const socket of this.sockets) socket.terminate();
  }

  private open(wsUrl: string, index: number, auctionId: string): Promise<void> {
    // The service never compresses; skipping UTF-8 validation keeps the client's cost per frame down.
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, skipUTF8Validation: true });
    this.sockets[index] = ws;
    return new Promise<void>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', auctionId })));
      ws.once('error', reject);
      ws.on('close', (code: number) => {
        if (!this.closing) {
          this.closedByServer += 1;
          this.closeCodes[code] = (this.closeCodes[code] ?? 0) + 1;
          // Counted as a failure above; nobody waits for a socket that will never catch up.
          this.lastSeq[index] = Infinity;
        }
        reject(new Error(`socket ${index} closed before its snapshot`));
      });
      ws.on('message', (data: Buffer) => {
        const seq = seqOf(data);
        if (seq >= 0) {
          this.take(index, seq);
          return;
        }
        const refusal = this.control(index, data);
        if (refusal === null) resolve();
        else if (refusal) reject(new Error(`socket ${index}: ${refusal}`));
      });
    });
  }

  private take(index: number, seq: number): void {
    const arrived = machineNow();
    this.delivered += 1;
    const last = this.lastSeq[index] as number;
    if (seq !== last + 1) this.outOfOrder += 1;
    if (seq <= last) return;
    this.lastSeq[index] = seq;
    const recording = this.recording;
    if (recording) {
      const arrivals = recording.arrivals[index] as Float64Array;
      const k = seq - recording.firstSeq;
      if (k >= 0 && k < arrivals.length) arrivals[k] = arrived;
    }
  }

  /**
   * Frames other than events, rare enough to parse. Null once the socket has its snapshot, the error code when
   * the server refused, '' for anything else.
   */
  private control(index: number, data: Buffer): string | null {
    const frame = JSON.parse(data.toString('utf8')) as { type: string; seq?: number; code?: string };
    if (frame.type === 'event') this.take(index, frame.seq as number);
    if (frame.type === 'error') return frame.code ?? 'error';
    if (frame.type !== 'snapshot') return '';
    this.lastSeq[index] = frame.seq as number;
    return null;
  }
}
