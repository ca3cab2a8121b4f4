/**
 * Load shapes. Closed loop: each worker sends again as soon as it is answered ("as fast as accepted").
 * Open loop: commands start at fixed intended times whatever the answers do, and latency is measured from the
 * intended time, so a stall shows up as latency instead of quietly lowering the rate.
 */
export interface LoadResult {
  readonly sent: number;
  readonly seconds: number;
  /** Answers by outcome: `ok` or an error code. */
  readonly outcomes: Record<string, number>;
  readonly latenciesMs: number[];
}

const count = (outcomes: Record<string, number>, key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);

export async function closedLoop(
  workers: number,
  durationMs: number,
  warmupMs: number,
  send: (worker: number) => Promise<string>,
): Promise<LoadResult> {
  const outcomes: Record<string, number> = {};
  const latenciesMs: number[] = [];
  let measuring = false;
  let running = true;
  let sent = 0;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    while (running) {
      const started = performance.now();
      const outcome = await send(worker);
      if (!measuring) continue;
      sent += 1;
      count(outcomes, outcome);
      latenciesMs.push(performance.now() - started);
    }
  });
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await Promise.all(loops);
  return { sent, seconds, outcomes, latenciesMs };
}

export async function openLoop(
  ratePerSecond: number,
  durationMs: number,
  send: (i: number) => Promise<string>,
): Promise<LoadResult> {
  const outcomes: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const inFlight: Array<Promise<void>> = [];
  const started = performance.now();
  const total = Math.floor((ratePerSecond * durationMs) / 1000);
  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Launch everything whose intended time has come; timers are coarse, so launches come in small bursts.
    while (next < total && started + (next * 1000) / ratePerSecond <= now) {
      const intended = started + (next * 1000) / ratePerSecond;
      inFlight.push(
        send(next).then((outcome) => {
          count(outcomes, outcome);
          latenciesMs.push(performance.now() - intended);
        }),
      );
      next += 1;
    }
    const wait = started + (next * 1000) / ratePerSecond - performance.now();
    await new Promise((r) => (wait > 1 ? setTimeout(r, wait - 0.5) : setImmediate(r)));
  }
  await Promise.all(inFlight);
  return { sent: total, seconds: (performance.now() - started) / 1000, outcomes, latenciesMs };
}
