// The log writer thread dying must not lose accepted lines: the destinations write from the main
// thread from then on, including the batches the thread had not acknowledged (a batch is
// acknowledged only after it is written, so those are still in the ring). Each scenario runs in
// a fresh process (a dead thread stays dead), from the sources and from the built package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, builtDist } from '../support/dist.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/writer-death.mjs', import.meta.url));

interface Run {
  report: { logged: number; written: number; dropped: number };
  stderr: string;
  /** The `i` of every line in the file, in file order. */
  seen: number[];
}

async function run(base: 'src' | 'dist', mode: 'kill' | 'crash'): Promise<Run> {
  if (base === 'dist') builtDist();
  const dir = mkdtempSync(join(tmpdir(), 'sl-death-'));
  try {
    const path = join(dir, 'd.log');
    // From dist/: plain node, no loader, no `source` condition: what users run.
    const flags = base === 'src' ? ['--import', 'tsx', '--conditions=source'] : [];
    const env = { ...process.env };
    if (base === 'dist') {
      delete env.NODE_OPTIONS; // the test runner's preload
      // Coverage is of src/; the test runner fails to map V8 coverage of dist/ through its source
      // maps ("Could not report code coverage"), failing the run. An empty value turns it off
      // (child_process re-adds the parent's value when the key is absent).
      env.NODE_V8_COVERAGE = '';
    }
    const child = spawn(process.execPath, [...flags, FIXTURE, base, mode, path], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    const seen = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { i: number }).i);
    return { report: JSON.parse(stdout) as Run['report'], stderr, seen };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

for (const base of ['src', 'dist'] as const) {
  test(`${base}: when the writer thread is stopped, every accepted line still reaches the file, in order`, async () => {
    const r = await run(base, 'kill');
    assert.deepEqual(r.report, { logged: 1000, written: 1000, dropped: 0 });
    assert.doesNotMatch(r.stderr, /dropping lines/);
    // A batch the thread wrote but had not acknowledged when it was stopped is written again by
    // the main thread (a duplicate rather than a loss); none is missing, and the first
    // appearances are in order.
    const first: number[] = [];
    const got = new Set<number>();
    for (const i of r.seen) if (!got.has(i)) { got.add(i); first.push(i); }
    assert.deepEqual(first, upTo(1000));
  });

  test(`${base}: a writer thread that dies while the main thread logs without pause: it stops waiting at once, writes every line itself, exactly once`, async () => {
    const r = await run(base, 'crash');
    // Without the thread's own report of its death, the main thread would wait maxWaitMs for an
    // acknowledgement that never comes, then drop: the 'exit' event cannot arrive mid-burst.
    assert.deepEqual(r.report, { logged: 3000, written: 3000, dropped: 0 });
    assert.match(r.stderr, /log writer thread exited; destinations write synchronously/);
    assert.doesNotMatch(r.stderr, /dropping lines/);
    // The thread died before handling the batch, so nothing is written twice.
    assert.deepEqual(r.seen, upTo(3000));
  });
}
