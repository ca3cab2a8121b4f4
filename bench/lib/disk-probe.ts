/**
 * A probe of the disk under a benchmark: a process of its own syncs an 8 KB write every 25 ms and times it, so
 * each latency level can say how long the disk made a sync wait while the level ran. A commit waits for the
 * same kind of sync, and a long one (this machine's virtual disk sometimes takes 100 ms or more) holds up
 * every commit in flight, whatever the design; without the probe that shows only as an unexplained p99.
 *
 * The file goes in the system's temporary directory; `sameDeviceAsPostgres` says whether that is the disk
 * PostgreSQL writes to (unknown when the benchmark's role may not read `data_directory`).
 */
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChildProcess } from './child-server.js';
import { withAdmin } from './database.js';
import { summarise } from './stats.js';

const INTERVAL_MS = 25;

export interface DiskWindow {
  readonly syncs: number;
  readonly diskSyncP99Ms: number;
  readonly diskSyncMaxMs: number;
}

export interface DiskProbe {
  readonly sameDeviceAsPostgres: boolean | null;
  /** The syncs timed since the last window (or since the probe started). */
  window(): Promise<DiskWindow>;
  stop(): Promise<void>;
}

async function postgresDevice(): Promise<number | null> {
  try {
    const shown = await withAdmin((c) => c.query<{ data_directory: string }>('SHOW data_directory'));
    const dir = shown.rows[0]?.data_directory;
    return dir ? statSync(dir).dev : null;
  } catch {
    return null; // not allowed to read the setting, or the server is on another machine
  }
}

export async function startDiskProbe(): Promise<DiskProbe> {
  const file = path.join(tmpdir(), `auction-bench-disk-probe-${process.pid}`);
  const { child, stop } = await startChildProcess('disk-probe-process.ts', [file, String(INTERVAL_MS)]);
  const device = await postgresDevice();
  return {
    sameDeviceAsPostgres: device === null ? null : device === statSync(tmpdir()).dev,
    window: () =>
      new Promise((resolve) => {
        child.once('message', (timings) => {
          const s = summarise(timings as number[]);
          resolve({ syncs: s.count, diskSyncP99Ms: s.p99Ms, diskSyncMaxMs: s.maxMs });
        });
        child.send('window');
      }),
    stop,
  };
}
