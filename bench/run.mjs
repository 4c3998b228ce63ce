// Runs every *.bench.mjs here (or those named: `node run.mjs log metrics`), each in its own process.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { machine } from './lib/harness.mjs';

const wanted = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
console.log(`# Sightline benchmarks\n\nMachine: ${machine()}\nDate: ${new Date().toISOString()}`);
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--expose-gc', f], { stdio: 'inherit', cwd: new URL('.', import.meta.url) });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
