import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FIXTURE = new URL('./fixtures/no-loss.ts', import.meta.url).pathname;
const N = 100_000;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

async function run(mode: string, handler = ''): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-noloss-'));
  const path = join(dir, 'app.log');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', FIXTURE, path, mode, String(N), handler], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    const text = readFileSync(path, 'utf8');
    assert.doesNotMatch(stderr, /dropping lines/, 'no line was dropped');
    return { code, signal, stdout, stderr, lines: text.split('\n').filter((l) => l !== '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every line 0..N-1 is present exactly once, in order, and parses. */
function assertComplete(lines: string[]): void {
  assert.equal(lines.length, N, `expected ${N} lines, got ${lines.length}`);
  for (let i = 0; i < N; i++) {
    const rec = JSON.parse(lines[i]!) as { i: number; msg: string };
    if (rec.i !== i) assert.fail(`line ${i} carries i=${rec.i}`);
  }
}

test('normal exit: all 100,000 lines are written', async () => {
  const r = await run('normal');
  assert.equal(r.code, 0);
  assertComplete(r.lines);
});

test('process.exit(): all lines written, exit code kept', async () => {
  const r = await run('exit');
  assert.equal(r.code, 3);
  assertComplete(r.lines);
});

test('uncaught exception: all lines written, Node default outcome (exit 1, error printed)', async () => {
  const r = await run('throw');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: boom/);
  assertComplete(r.lines);
});

test('unhandled rejection: all lines written, exit 1', async () => {
  const r = await run('reject');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /rejected/);
  assertComplete(r.lines);
});

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  test(`${sig}: all lines written and the process still dies by the signal`, async () => {
    const r = await run(sig);
    assert.equal(r.signal, sig);
    assertComplete(r.lines);
  });
}

test("SIGTERM with the app's own handler: its handler decides, lines are all there", async () => {
  const r = await run('SIGTERM', 'own-handler');
  assert.equal(r.code, 7);
  assert.match(r.stdout, /app-handler-ran/);
  assertComplete(r.lines);
});

test("uncaught exception with the app's own handler: the handler runs, lines are all there", async () => {
  const r = await run('throw', 'own-handler');
  assert.equal(r.code, 9);
  assert.match(r.stdout, /app-handler-ran boom/);
  assertComplete(r.lines);
});

test('process.exit() right after batches were handed over but before the writer finished them', async () => {
  const r = await run('exit', 'small-batches');
  assert.equal(r.code, 3);
  assertComplete(r.lines);
});
