/**
 * A bare server of a ceiling or floor, in a process of its own so it never shares the load generator's event
 * loop. The child reports `{ port }` over IPC once it listens and exits when its parent goes.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export interface ChildServer {
  readonly child: ChildProcess;
  readonly port: number;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Starts `file` (a module in bench/lib) with `args` (and `nodeArgs` for node) and waits until it listens. */
export async function startChildServer(
  file: string,
  args: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<ChildServer> {
  const child = fork(path.join(import.meta.dirname, file), args, {
    cwd: ROOT,
    execArgv: [...nodeArgs, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    void exited.then(() => reject(new Error(`${file} exited before listening`)));
  });
  return {
    child,
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
