// The published declarations stand on their own: every dist/**/*.d.ts type-checks with
// skipLibCheck off (stripInternal leaves no dangling reference), internals stay out of the public
// entries, and `#internal/*` is a private import, not an export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtDist } from '../support/dist.js';

const root = resolve(import.meta.dirname, '../..');

test('dist/**/*.d.ts type-check without skipLibCheck: no dangling @internal type', () => {
  builtDist();
  const dir = mkdtempSync(join(tmpdir(), 'sightline-dts-'));
  try {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(config, JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
      include: [join(root, 'dist/**/*.d.ts')],
    }));
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', config], { cwd: root, encoding: 'utf8' });
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e);
      }
    })();
    assert.equal(r.trim(), '', r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('internals are not public: no storage or Scope in sightline/context, no Logger internals in the types, #internal/* only in imports', async () => {
  builtDist();
  // The public entries as the suite loads them (sources); importing dist/ here would mix its
  // source-mapped coverage into the sources' and break the coverage report.
  const ctx = (await import('sightline/context')) as Record<string, unknown>;
  assert.equal(ctx['storage'], undefined);
  assert.equal(ctx['Scope'], undefined);
  const metrics = (await import('sightline/metrics')) as Record<string, unknown>;
  assert.equal(metrics['Counter'], undefined, 'metric classes are types: registry.counter() makes them');
  const loggerTypes = readFileSync(join(root, 'dist/log/logger.d.ts'), 'utf8');
  for (const member of ['core', 'logJson', 'jsonKey']) assert.doesNotMatch(loggerTypes, new RegExp(`\\b${member}\\b`), member);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; imports: Record<string, unknown> };
  assert.ok(Object.keys(pkg.imports).includes('#internal/*'));
  assert.ok(!Object.keys(pkg.exports).some((k) => k.includes('internal')));
  // A public declaration never imports #internal/*, which node10 resolution cannot follow.
  const out = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.d.ts') && !f.endsWith('internal.d.ts'))
    .filter((f) => readFileSync(join(root, 'dist', f), 'utf8').includes("from '#internal/"));
  assert.deepEqual(out, []);
});
