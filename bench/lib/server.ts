/**
 * The service under test, as its own process (the load generator never shares its event loop), and as
 * `npm start` runs it: the compiled build, without a TypeScript loader in the way.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

export interface BenchServer {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The flags `npm start` gives node (package.json, Dockerfile), so the service is measured as it is run: none
 * at present. docs/decisions/0012-gc-threads-and-wal-segments.md has the measurements behind that, and why
 * `--single-threaded-gc` was tried and withdrawn.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = [];

/** Node flags that write a CPU profile of the service to BENCH_PROFILE's directory, when it is set. */
export function profileFlags(): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

let built = false;

/** Compiles the service once per benchmark run. */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  built = true;
}

/** `nodeArgs` such as ['--cpu-prof', '--cpu-prof-dir=...'] go to the server's node. */
export async function startBenchServer(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<BenchServer> {
  ensureBuilt();
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...nodeArgs, 'dist/src/server.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_REQUESTS: 'false',
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'listening' && entry.url) resolve(entry.url);
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
