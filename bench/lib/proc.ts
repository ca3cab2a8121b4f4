/**
 * What Linux says about the processes of a benchmark: CPU time used and resident memory, from /proc. CPU per
 * accepted command says what a design costs independently of what else the machine was doing.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ), 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    // The fields after the command name, which is in parentheses and may hold spaces: utime, stime at 11, 12.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0; // the process has gone (a PostgreSQL backend that exited between listing and reading)
  }
}

export function residentBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** CPU seconds of this process and of another one, read together, to divide by the work done in between. */
export interface CpuPair {
  readonly own: number;
  readonly other: number;
}

export function readCpuPair(otherPid: number): CpuPair {
  const own = process.cpuUsage();
  return { own: (own.user + own.system) / 1e6, other: cpuSeconds(otherPid) };
}

/** Microseconds of CPU per unit of work between two readings, for this process and the other one. */
export function microsPer(from: CpuPair, to: CpuPair, units: number): { own: number; other: number } {
  const per = (seconds: number) => Math.round(((seconds * 1e6) / Math.max(units, 1)) * 100) / 100;
  return { own: per(to.own - from.own), other: per(to.other - from.other) };
}

/** PostgreSQL names each backend's database in its process title. */
function postgresSeconds(database: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (title.startsWith('postgres:') && title.includes(` ${database} `)) total += cpuSeconds(Number(pid));
  }
  return total;
}

export interface CpuReading {
  readonly service: number;
  readonly postgres: number;
}

export function readCpu(servicePid: number | undefined, database: string): CpuReading {
  return { service: servicePid ? cpuSeconds(servicePid) : 0, postgres: postgresSeconds(database) };
}

/** Milliseconds of CPU per accepted command between two readings. */
export function cpuPerCommand(from: CpuReading, to: CpuReading, accepted: number): Record<string, number> {
  const per = (seconds: number) => Math.round(((seconds * 1000) / Math.max(accepted, 1)) * 1000) / 1000;
  return {
    serviceCpuMsPerAccepted: per(to.service - from.service),
    postgresCpuMsPerAccepted: per(to.postgres - from.postgres),
  };
}
