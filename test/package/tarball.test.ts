// The package as users meet it: `npm pack`, installed into an empty project (`--prefer-offline`:
// from the npm cache when it holds the dependency's metadata, else the registry — `npm ci` fills the
// cache with tarballs only), with no peer installed by hand. Every subpath imports, and the
// headline `sightline()` runs and serves /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; exports: Record<string, unknown>; dependencies?: Record<string, string> };

test('the packed tarball installs alone and every subpath imports and runs', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-tarball-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })) as [{ filename: string; files: { path: string }[] }];
    const files = packed[0].files.map((f) => f.path);
    assert.ok(files.includes('LICENSE') && files.includes('README.md') && files.includes('dist/index.js'));
    assert.ok(!files.some((f) => f.startsWith('test/') || f.endsWith('.tsbuildinfo')), 'no tests or build state in the package');
    // No export condition points at a file the package does not ship.
    const leaves = (v: unknown): string[] => (typeof v === 'string' ? [v] : typeof v === 'object' && v !== null ? Object.values(v).flatMap(leaves) : []);
    const targets = leaves(pkg.exports);
    assert.ok(targets.length > 10);
    for (const t of targets) {
      const p = t.slice(2);
      if (p !== 'package.json') assert.ok(files.includes(p), `exports points at ${p}, not in the package`);
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, packed[0].filename)], { cwd: dir, stdio: 'pipe' });
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'sightline' : `sightline/${k.slice(2)}`));
    const script = [
      ...subpaths.map((s, i) => `import * as m${i} from '${s}';`),
      `const mods = [${subpaths.map((_, i) => `m${i}`).join(', ')}];`,
      `if (mods.some((m) => Object.keys(m).length === 0)) throw new Error('an empty module');`,
      `const obs = m0.sightline({ service: 'tarball', admin: { port: 0 } });`,
      `await new Promise((r) => setTimeout(r, 200));`,
      `const addr = obs.admin.address();`,
      `const res = await fetch('http://127.0.0.1:' + addr.port + '/metrics');`,
      `const text = await res.text();`,
      `const sdkVersion = mods[${subpaths.indexOf('sightline/trace')}].createResource({}).attributes['telemetry.sdk.version'];`,
      `console.log(JSON.stringify({ status: res.status, hasRuntime: text.includes('process_cpu_seconds_total'), sdkVersion }));`,
      `await obs.shutdown();`,
    ].join('\n');
    writeFileSync(join(dir, 'main.mjs'), script);
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['main.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => done({ code, stdout, stderr }));
    });
    assert.equal(out.code, 0, out.stderr);
    const last = out.stdout.trim().split('\n').filter((l) => l.startsWith('{"status"')).pop();
    // telemetry.sdk.version is read from the installed package's own package.json.
    assert.deepEqual(JSON.parse(last ?? 'null'), { status: 200, hasRuntime: true, sdkVersion: pkg.version });
    // @opentelemetry/api came with the package, not from this repository.
    const api = JSON.parse(readFileSync(join(dir, 'node_modules/@opentelemetry/api/package.json'), 'utf8')) as { version: string };
    assert.match(api.version, /^1\.\d+\.\d+$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
