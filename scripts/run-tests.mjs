// Runs every test/**/*.test.ts with node's test runner, on the TypeScript sources (the `source`
// export condition), with a coverage report and a line-coverage gate over src/ (COVERAGE_MIN,
// default 90%) when the whole suite runs. Pass file paths to run a subset.
//
// TypeScript loading is the runner's business, not the library's: tests run under `--import tsx`,
// and NODE_OPTIONS carries worker-tsx.mjs into every node process the tests start, so worker
// threads with a `.ts` entry (the log writer thread, from the sources) load TypeScript as well.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = process.argv.length > 2 ? process.argv.slice(2) : find('test');
const args = [
  '--import', 'tsx',
  '--conditions=source',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  '--experimental-test-coverage',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  ...files,
];
const preload = `--import=${new URL('./worker-tsx.mjs', import.meta.url).href}`;
const env = { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ') };
const r = spawnSync(process.execPath, args, { stdio: ['inherit', 'pipe', 'inherit'], env, maxBuffer: 256 * 1024 * 1024 });
const out = r.stdout?.toString('utf8') ?? '';
process.stdout.write(out);
let status = r.status ?? 1;
if (status === 0 && process.argv.length <= 2) {
  // Lines of src/ files only: `ℹ src/log/logger.ts | 97.10 | …`
  let covered = 0;
  let total = 0;
  for (const m of out.matchAll(/^ℹ (src\/\S+)\s+\|\s+([\d.]+)\s+\|/gm)) {
    const file = readFileSync(m[1], 'utf8');
    const lines = file.split('\n').length;
    covered += (Number(m[2]) / 100) * lines;
    total += lines;
  }
  const min = Number(process.env.COVERAGE_MIN ?? 90);
  if (total === 0) {
    console.error('coverage gate: no coverage report found');
    status = 1;
  } else {
    const pct = (100 * covered) / total;
    console.log(`coverage gate: src/ lines ${pct.toFixed(2)}% (minimum ${min}%)`);
    if (pct < min) status = 1;
  }
}
process.exit(status);
