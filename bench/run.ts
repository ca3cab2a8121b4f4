/**
 * The benchmark suite: `npm run bench` runs every scenario, `npm run bench -- hot` one of them, and `--quick`
 * smaller sizes (CI runs it as a smoke test of the invariants, not of the speed), `--bus nats` the service over
 * NATS JetStream instead of its in-process bus (scenarios that watch events: fanout, memory), `--sockets N` the
 * number of watching sockets in fanout. Each scenario
 * writes bench/results/<scenario>.json and prints a table.
 */
import { parseArgs } from 'node:util';
import type { BusKind } from './lib/bus.js';
import { type ScenarioResult, report } from './lib/report.js';
import { fanout } from './scenarios/fanout.js';
import { hot } from './scenarios/hot.js';
import { latency } from './scenarios/latency.js';
import { many } from './scenarios/many.js';
import { memory } from './scenarios/memory.js';
import { replay } from './scenarios/replay.js';

interface ScenarioOptions {
  readonly quick: boolean;
  readonly bus: BusKind;
  readonly sockets?: number | undefined;
}

const SCENARIOS: Record<string, (o: ScenarioOptions) => Promise<ScenarioResult>> = {
  hot,
  many,
  latency,
  fanout,
  replay,
  memory,
};

const { values, positionals } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    bus: { type: 'string', default: 'memory' },
    sockets: { type: 'string' },
  },
  allowPositionals: true,
});
if (values.bus !== 'memory' && values.bus !== 'nats') {
  console.error(`unknown bus ${values.bus}; choose memory or nats`);
  process.exit(2);
}
const bus: BusKind = values.bus === 'nats' ? 'nats' : 'memory';
const chosen = positionals.length > 0 ? positionals : Object.keys(SCENARIOS);
const unknown = chosen.filter((s) => !SCENARIOS[s]);
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
let broken = false;
for (const name of chosen) {
  const started = Date.now();
  const result = await (SCENARIOS[name] as (o: ScenarioOptions) => Promise<ScenarioResult>)({
    quick: values.quick ?? false,
    bus,
    sockets: values.sockets === undefined ? undefined : Number(values.sockets),
  });
  await report(result);
  console.log(`(${name} took ${Math.round((Date.now() - started) / 1000)} s)`);
  if (!result.invariantsOk) broken = true;
}
if (broken) {
  console.error('an invariant was broken: the run fails');
  process.exitCode = 1;
}
