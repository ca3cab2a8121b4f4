/**
 * The service's memory as the operating system sees it (resident set), read after a full garbage collection
 * that the benchmark triggers in the service's process (see gc-on-signal.js).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { residentBytes } from './proc.js';

/** Node arguments for a service whose memory will be read: `gc()` exposed, and run on SIGUSR2. */
export const GC_ON_SIGNAL_ARGS = [
  '--expose-gc',
  '--import',
  pathToFileURL(path.join(import.meta.dirname, 'gc-on-signal.js')).href,
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resident bytes after forced full collections: the lowest of `readings`, each taken `settleMs` after its
 * collection, since the heap may give pages back to the system only over a few collections.
 */
export async function residentAfterGc(pid: number, readings = 3, settleMs = 500): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < readings; i += 1) {
    process.kill(pid, 'SIGUSR2');
    await sleep(settleMs);
    lowest = Math.min(lowest, residentBytes(pid));
  }
  return lowest;
}

/** The sum of a metric's samples (every label set) in Prometheus text. */
export function metricSum(metrics: string, name: string): number {
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  let sum = 0;
  for (const match of metrics.matchAll(pattern)) sum += Number(match[1]);
  return sum;
}
