/**
 * A bare server of a ceiling or floor (or another helper, such as the disk probe), in a process of its own so
 * it never shares the load generator's event loop. The child's first IPC message says it is ready (a server's
 * is `{ port }`, once it listens), and it exits when its parent goes.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export interface ChildServer {
  readonly child: ChildProcess;
  readonly port: number;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChildProcessHandle {
  readonly child: ChildProcess;
  /** The first message the child sent: it is ready. */
  readonly ready: unknown;
  readonly stop: () => Promise<void>;
}

/** Starts `file` (a module in bench/lib) with `args` (and `nodeArgs` for node) and waits for its first message. */
export async function startChildProcess(
  file: string,
  args: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<ChildProcessHandle> {
  const child = fork(path.join(import.meta.dirname, file), args, {
    cwd: ROOT,
    execArgv: [...nodeArgs, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    void exited.then(() => reject(new Error(`${file} exited before it was ready`)));
  });
  return {
    child,
    ready,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts `file` as startChildProcess does and waits until it listens. */
export async function startChildServer(
  file: string,
  args: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<ChildServer> {
  const { child, ready, stop } = await startChildProcess(file, args, nodeArgs);
  return { child, port: (ready as { port: number }).port, stop };
}
