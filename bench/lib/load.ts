/**
 * The open-loop load generator of every scenario. The offered rate is fixed in advance: sender `s` of `n`
 * means to send its `j`-th command at `start + (s / n + j) * period`, whatever the answers do, and latency is
 * measured from that intended time. A sender has one command outstanding (a bidder waits for its answer, as
 * wrk2's connections do), so when the service falls behind, the commands it could not take yet are sent late
 * and their lateness counts as latency: a stall shows up in the figures instead of quietly lowering the rate.
 * Offered above capacity, the accepted rate is the capacity and the latency grows with the backlog.
 */
export interface LoadResult {
  /** Commands answered inside the measured window (whenever they were due). */
  readonly sent: number;
  /** Commands due inside the window that had not been sent when it closed (the backlog). */
  readonly unsent: number;
  readonly offeredPerSec: number;
  readonly seconds: number;
  /** Answers inside the window by outcome: `ok` or an error code. */
  readonly outcomes: Record<string, number>;
  /** From the intended send time to the answer, for every answer inside the window. */
  readonly latenciesMs: number[];
}

export interface OpenLoopOptions {
  /** Independent senders (sockets); the offered rate is shared evenly between them. */
  readonly senders: number;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** Load before the window opens (connections warm, batches formed); not measured. */
  readonly warmupMs: number;
  /** Told when the measured window opens and closes (to read counters at its edges). */
  readonly onWindow?: (edge: 'open' | 'close') => void;
  /** Sends one command and resolves with `ok` or the error code of its answer. */
  readonly send: (sender: number, sequence: number) => Promise<string>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function openLoop(o: OpenLoopOptions): Promise<LoadResult> {
  const period = (1000 * o.senders) / o.ratePerSecond;
  const start = performance.now() + 20;
  const windowStart = start + o.warmupMs;
  const windowEnd = windowStart + o.durationMs;
  const outcomes: Record<string, number> = {};
  const latenciesMs: number[] = [];
  let sent = 0;
  let unsent = 0;
  let sequence = 0;

  const sender = async (s: number): Promise<void> => {
    for (let j = 0; ; j += 1) {
      const intended = start + (s / o.senders + j) * period;
      if (intended >= windowEnd) return;
      const now = performance.now();
      if (now >= windowEnd) {
        // Due inside the window but never sent: the service had not taken the earlier ones yet.
        unsent += Math.ceil((windowEnd - Math.max(intended, windowStart)) / period);
        return;
      }
      if (intended > now) await sleep(intended - now);
      const outcome = await o.send(s, (sequence += 1));
      const answeredAt = performance.now();
      if (answeredAt >= windowStart && answeredAt <= windowEnd) {
        sent += 1;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        latenciesMs.push(answeredAt - intended);
      }
    }
  };
  const told = new Set<'open' | 'close'>();
  const tell = (edge: 'open' | 'close') => {
    if (told.has(edge)) return;
    told.add(edge);
    o.onWindow?.(edge);
  };
  const edges = [
    setTimeout(() => tell('open'), windowStart - performance.now()),
    setTimeout(() => tell('close'), windowEnd - performance.now()),
  ];
  await Promise.all(Array.from({ length: o.senders }, (_, s) => sender(s)));
  edges.forEach(clearTimeout);
  tell('open');
  tell('close');
  return {
    sent,
    unsent,
    offeredPerSec: o.ratePerSecond,
    seconds: o.durationMs / 1000,
    outcomes,
    latenciesMs,
  };
}
