// Prints the functions with the most self time in a .cpuprofile: npx tsx bench/lib/profile-top.ts <file> [n]
import { readFileSync } from 'node:fs';
const [file, n = '30'] = process.argv.slice(2);
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
const profile = JSON.parse(readFileSync(file ?? '', 'utf8')) as {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
};
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
for (const id of profile.samples) {
  const { functionName, url, lineNumber } = (nodes.get(id) as { callFrame: CallFrame }).callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/main\//, '')}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + 1);
}
const total = profile.samples.length;
for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
