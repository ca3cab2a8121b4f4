/**
 * CPU time used by the service process and by the PostgreSQL backends serving its database, read from /proc.
 * Per accepted command, it says what a design costs independently of what else the machine was doing.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function processSeconds(pid: string): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
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
    if (title.startsWith('postgres:') && title.includes(` ${database} `)) total += processSeconds(pid);
  }
  return total;
}

export interface CpuReading {
  readonly service: number;
  readonly postgres: number;
}

export function readCpu(servicePid: number | undefined, database: string): CpuReading {
  return { service: servicePid ? processSeconds(String(servicePid)) : 0, postgres: postgresSeconds(database) };
}

/** Milliseconds of CPU per accepted command between two readings. */
export function cpuPerCommand(from: CpuReading, to: CpuReading, accepted: number): Record<string, number> {
  const per = (seconds: number) => Math.round(((seconds * 1000) / Math.max(accepted, 1)) * 1000) / 1000;
  return {
    serviceCpuMsPerAccepted: per(to.service - from.service),
    postgresCpuMsPerAccepted: per(to.postgres - from.postgres),
  };
}
