/**
 * The ceiling of fan-out: a bare `ws` server (broadcast-server.ts) in a process of its own, with no service and
 * no database, broadcasting frames of the service's shape and size to the sockets that subscribe to it. This
 * module starts it and gives it orders over IPC.
 */
import { startChildServer } from './child-server.js';

export type BroadcastOrder =
  /** `perSecond` frames a second on schedule, for `ms`: timed at the clients. */
  | { readonly kind: 'paced'; readonly perSecond: number; readonly ms: number }
  /** As many frames as the sockets take, for `ms`: counted at the clients. */
  | { readonly kind: 'flood'; readonly ms: number };

export interface BroadcastReport {
  readonly frames: number;
  /** From the order to the last frame sent (paced: at least the span ordered). */
  readonly seconds: number;
  /** The seq of the last frame sent; clients have every seq up to it once they have caught up. */
  readonly lastSeq: number;
  /** [seq, machineNow() ms] when the server began sending each frame (paced orders only). */
  readonly sentAt: Array<[number, number]>;
}

export interface BroadcastCeiling {
  readonly wsUrl: string;
  readonly pid: number;
  run(order: BroadcastOrder): Promise<BroadcastReport>;
  stop(): Promise<void>;
}

export async function startBroadcastCeiling(): Promise<BroadcastCeiling> {
  const server = await startChildServer('broadcast-server.ts');
  const { child } = server;
  return {
    wsUrl: `ws://127.0.0.1:${server.port}`,
    pid: child.pid as number,
    run: (order) =>
      new Promise((resolve) => {
        child.once('message', (report) => resolve(report as BroadcastReport));
        child.send(order);
      }),
    stop: () => server.stop(),
  };
}
