// Runs every test/**/*.test.ts with node's test runner, on the TypeScript sources (the `source`
// export condition), with a coverage report. Pass file paths to run a subset.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
