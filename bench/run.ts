/**
 * The benchmark suite: `npm run bench` runs every scenario, `npm run bench -- hot` one of them, and `--quick`
 * smaller sizes (CI runs it as a smoke test of the invariants, not of the speed). Each scenario writes
 * bench/results/<scenario>.json and prints a table.
 */
import { parseArgs } from 'node:util';
import { type ScenarioResult, report } from './lib/report.js';
import { hot } from './scenarios/hot.js';
import { many } from './scenarios/many.js';

const SCENARIOS: Record<string, (o: { quick: boolean }) => Promise<ScenarioResult>> = { hot, many };

const { values, positionals } = parseArgs({
  options: { quick: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const chosen = positionals.length > 0 ? positionals : Object.keys(SCENARIOS);
const unknown = chosen.filter((s) => !SCENARIOS[s]);
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
let broken = false;
for (const name of chosen) {
  const started = Date.now();
  const result = await (SCENARIOS[name] as (o: { quick: boolean }) => Promise<ScenarioResult>)({
    quick: values.quick ?? false,
  });
  await report(result);
  console.log(`(${name} took ${Math.round((Date.now() - started) / 1000)} s)`);
  if (!result.invariantsOk) broken = true;
}
if (broken) {
  console.error('an invariant was broken: the run fails');
  process.exitCode = 1;
}
