// The built package (dist/), for tests that must run what users run: built from the current
// sources. `npm test` builds before testing; a subset run builds here when dist/ is missing or
// older than a source file (one build at a time, across test processes, by a lock directory).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Source files whose built .js is missing or older than them. */
function stale(): string[] {
  const src = join(ROOT, 'src');
  return sources(src).filter((f) => {
    const built = join(ROOT, 'dist', f.slice(src.length + 1).replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(built).mtimeMs < statSync(f).mtimeMs;
  });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Makes sure dist/ holds a build of the current sources; returns its path. */
export function builtDist(): string {
  if (stale().length === 0) return join(ROOT, 'dist');
  const lock = join(ROOT, '.dist-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process is building (a lock left by a killed one goes after 5 minutes).
      if (Date.now() - statSync(lock).mtimeMs > 300_000) rmdirSync(lock);
      else Atomics.wait(sleeper, 0, 0, 200);
    }
  }
  try {
    if (stale().length > 0) execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  } finally {
    rmdirSync(lock);
  }
  const left = stale();
  if (left.length > 0) throw new Error(`dist/ is still older than ${left.join(', ')}`);
  return join(ROOT, 'dist');
}
