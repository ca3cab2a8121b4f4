/**
 * Which bus a benchmark runs the service on: the in-process bus (the suite's default, as in a single-node
 * deployment) or NATS JetStream, with a namespace of the run's own whose stream is deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { STREAM_NAME } from '../../src/bus/nats-bus.js';

export type BusKind = 'memory' | 'nats';

export const BENCH_NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';

export interface BenchBus {
  readonly kind: BusKind;
  /** Settings for the service's environment. */
  readonly env: Record<string, string>;
  /** One line for a result's notes. */
  readonly note: string;
  /** Deletes what the run left on the NATS server, if anything. */
  dispose(): Promise<void>;
}

export function benchBus(kind: BusKind): BenchBus {
  // NATS_URL may be set in the benchmark's own environment, which the service inherits: unset it explicitly.
  if (kind === 'memory') return { kind, env: { NATS_URL: '' }, note: 'bus: in-process', dispose: async () => {} };
  const namespace = `bench${randomBytes(5).toString('hex')}`;
  return {
    kind,
    env: { NATS_URL: BENCH_NATS_URL, NATS_NAMESPACE: namespace },
    note: `bus: NATS JetStream at ${BENCH_NATS_URL}, namespace ${namespace}`,
    dispose: async () => {
      const nc = await connect({ servers: BENCH_NATS_URL });
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.delete(`${namespace}_${STREAM_NAME}`).catch(() => undefined);
      } finally {
        await nc.close();
      }
    },
  };
}
