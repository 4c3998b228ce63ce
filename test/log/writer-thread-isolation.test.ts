// The log writer thread runs only this package's code: the process' preloads (--import,
// --require, also through NODE_OPTIONS) do not run in it, and flags meant for the main script
// (--input-type) do not kill it. Run against the built package, as users run it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, builtDist } from '../support/dist.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Result {
  code: number | null;
  stderr: string;
  lines: { i: number }[];
  marks: string[];
}

async function node(args: string[], env: Record<string, string> = {}): Promise<Result> {
  builtDist();
  const dir = mkdtempSync(join(tmpdir(), 'sl-isolation-'));
  try {
    const log = join(dir, 'app.log');
    const marks = join(dir, 'marks');
    const base = { ...process.env };
    delete base.NODE_OPTIONS; // the test runner's own preload stays out
    // Coverage is of src/; the test runner fails to map V8 coverage of dist/ through its source
    // maps ("Could not report code coverage"), failing the run. An empty value turns it off
    // (child_process re-adds the parent's value when the key is absent).
    base.NODE_V8_COVERAGE = '';
    const child = spawn(process.execPath, args.map((a) => a.replace('$LOG', log)), {
      cwd: ROOT,
      env: { ...base, SL_PRELOAD_MARKS: marks, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const read = (p: string): string[] => {
      try {
        return readFileSync(p, 'utf8').split('\n').filter((l) => l !== '');
      } catch {
        return [];
      }
    };
    return { code, stderr, lines: read(log).map((l) => JSON.parse(l) as { i: number }), marks: read(marks).sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TEN = Array.from({ length: 10 }, (_, i) => i);

/**
 * The preloads ran in the main thread, never in the writer thread (its workerData is {ctl}). The
 * app's own worker, started with the default options, shows a worker would inherit them: Node 20
 * runs `--require` preloads in such workers (not `--import` ones).
 */
function assertOnlyAppThreads(r: Result): void {
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines.map((l) => l.i), TEN);
  assert.equal(r.stderr, '');
  assert.deepEqual(r.marks.filter((m) => / 0 $/.test(m)), ['import 0 ', 'require 0 ']);
  assert.ok(r.marks.includes('require 2 app'), `the app's own worker ran the --require preload: ${r.marks.join('; ')}`);
  assert.deepEqual(r.marks.filter((m) => !/ 0 $| app$/.test(m)), [], 'no preload ran in another thread');
}

test('--import and --require preloads run in the app and its own workers, not in the log writer thread', async () => {
  const r = await node(['--import', pathToFileURL(fixture('preload-marker.mjs')).href, '--require', fixture('preload-marker.cjs'), fixture('preload-app.mjs'), '$LOG']);
  assertOnlyAppThreads(r);
});

test('preloads given in NODE_OPTIONS do not run in the log writer thread either', async () => {
  const r = await node([fixture('preload-app.mjs'), '$LOG'], {
    NODE_OPTIONS: `--import=${pathToFileURL(fixture('preload-marker.mjs')).href} --require=${fixture('preload-marker.cjs')}`,
  });
  assertOnlyAppThreads(r);
});

test('under --input-type=module the writer thread starts and writes (it does not inherit the flag)', async () => {
  const index = pathToFileURL(join(ROOT, 'dist/log/index.js')).href;
  const code = `import { createLogger, file } from ${JSON.stringify(index)};
const log = createLogger({ level: 'info', destination: file(process.argv[1]) });
for (let i = 0; i < 10; i++) log.info('line', { i });
await log.flush();
await log.close();`;
  const r = await node(['--input-type=module', '-e', code, '$LOG']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines.map((l) => l.i), TEN);
  // A writer thread that died at start would still leave the lines (the main thread writes them
  // itself) but says so on stderr.
  assert.equal(r.stderr, '');
});
