/**
 * NATS for tests: the shared server (NATS_URL, default the standard local port), with a namespace per test so
 * parallel files never share a stream or a consumer; and private servers for tests that stop and start one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Test } from 'tap';
import { STREAM_NAME } from '../../src/bus/nats-bus.js';

export const NATS_TEST_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const START_HINT =
  'Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server (or set NATS_URL)';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A namespace on the shared NATS server for this test, with its stream deleted afterwards. */
export async function natsNamespace(t: Test): Promise<{ url: string; namespace: string }> {
  if (!(await reachable(NATS_TEST_URL))) throw new Error(`NATS is not reachable at ${NATS_TEST_URL}. ${START_HINT}`);
  const namespace = `t${randomBytes(5).toString('hex')}`;
  t.teardown(async () => {
    const nc = await connect({ servers: NATS_TEST_URL });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(`${namespace}_${STREAM_NAME}`).catch(() => undefined);
    } finally {
      await nc.close();
    }
  });
  return { url: NATS_TEST_URL, namespace };
}

/** The environment for a service on the given bus: NATS (namespaced) or the in-process bus. */
export async function busEnv(t: Test, kind: 'nats' | 'memory'): Promise<Record<string, string>> {
  if (kind === 'memory') return { NATS_URL: '' };
  const { url, namespace } = await natsNamespace(t);
  return { NATS_URL: url, NATS_NAMESPACE: namespace };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface PrivateNats {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A nats-server of this test's own (JetStream on, its own store), which it may stop and start at will. */
export async function privateNatsServer(t: Test): Promise<PrivateNats> {
  const port = await freePort();
  const store = await mkdtemp(path.join(os.tmpdir(), 'auction-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const server: PrivateNats = {
    url,
    async start() {
      child = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
        stdio: 'ignore',
      });
      for (let i = 0; i < 100 && !(await reachable(url)); i += 1) await new Promise((r) => setTimeout(r, 50));
      if (!(await reachable(url))) throw new Error('the private nats-server did not start');
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
  };
  t.teardown(async () => {
    await server.stop();
    await rm(store, { recursive: true, force: true });
  });
  await server.start();
  return server;
}
