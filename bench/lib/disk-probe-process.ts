/**
 * The disk probe's process (started by disk-probe.ts): every `intervalMs` it overwrites one 8 KB block of a
 * file and waits for `fdatasync`, as a commit waits for its WAL, and times each sync. Synchronous calls are
 * fine here: this process does nothing else. On any message from its parent it reports the syncs timed since
 * the last report.
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';

const [file, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
const fd = openSync(file as string, 'w');
const block = Buffer.alloc(8192, 1);
let timings: number[] = [];

const probe = (): void => {
  writeSync(fd, block, 0, block.length, 0);
  const started = performance.now();
  fdatasyncSync(fd);
  timings.push(performance.now() - started);
  setTimeout(probe, intervalMs);
};

process.on('message', () => {
  process.send?.(timings);
  timings = [];
});
const stop = (): void => {
  closeSync(fd);
  rmSync(file as string, { force: true });
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.send?.('ready');
probe();
