/** Scenario results: the figures of each design, the targets met or not, written to bench/results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadResult } from './load.js';
import { summarise, table } from './stats.js';

/** One design's figures. A scenario that measures no command latency (replay, memory) says null. */
export interface Figures {
  acceptedPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  [figure: string]: number | null;
}

export interface Target {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ScenarioResult {
  scenario: string;
  /** A run with options other than its size's own (another bus, another socket count): kept in its own file. */
  variant?: string;
  quick: boolean;
  invariantsOk: boolean;
  product?: Figures;
  baseline?: Figures;
  ceiling?: Figures;
  targets: Target[];
  notes: string[];
  [extra: string]: unknown;
}

/** Figures of a design driven by the load generator: every latency figure is known. */
export interface LoadFigures extends Figures {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  offeredPerSec: number;
}

export function figures(load: LoadResult, extra: Record<string, number> = {}): LoadFigures {
  const s = summarise(load.latenciesMs);
  return {
    acceptedPerSec: Math.round((load.outcomes.ok ?? 0) / load.seconds),
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    p999Ms: s.p999Ms,
    answeredPerSec: Math.round(load.sent / load.seconds),
    offeredPerSec: load.offeredPerSec,
    unsent: load.unsent,
    ...extra,
  };
}

export const ratio = (a: number, b: number): number => Math.round((a / Math.max(b, 1e-9)) * 100) / 100;

/** The target "at least n times the baseline's accepted rate", measured in the same run. */
export function timesBaseline(n: number, product: Figures, baseline: Figures): Target {
  return {
    name: `at least ${n}x the baseline`,
    ok: product.acceptedPerSec >= n * baseline.acceptedPerSec,
    detail: `${ratio(product.acceptedPerSec, baseline.acceptedPerSec)}x`,
  };
}

export async function report(result: ScenarioResult): Promise<void> {
  const rows = (['product', 'baseline', 'ceiling'] as const).flatMap((design) => {
    const f = result[design];
    return f
      ? [
          {
            design,
            ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v === null ? '-' : Math.round(v * 100) / 100])),
          },
        ]
      : [];
  });
  console.log(`\n== ${result.scenario}${result.variant ? ` ${result.variant}` : ''}${result.quick ? ' (quick)' : ''}`);
  if (rows.length > 0) console.log(table(rows));
  for (const t of result.targets) console.log(`${t.ok ? 'met   ' : 'MISSED'}  ${t.name}: ${t.detail}`);
  for (const n of result.notes) console.log(`note    ${n}`);
  console.log(`invariants: ${result.invariantsOk ? 'ok' : 'BROKEN'}`);
  const name = [result.scenario, result.variant, result.quick ? 'quick' : undefined].filter(Boolean).join('-');
  const out = path.join(import.meta.dirname, '..', 'results', `${name}.json`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
}
