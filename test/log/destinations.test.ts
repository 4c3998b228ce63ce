import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, file } from 'sightline/log';

const FIXTURE = new URL('./fixtures/failing-destination.ts', import.meta.url).pathname;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'sl-dest-'));
}

for (const kind of ['devfull', 'closedfd'] as const) {
  test(`a failing destination (${kind === 'devfull' ? 'disk full: /dev/full' : 'closed descriptor'}) falls back to stderr, counts, warns once, never throws`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', FIXTURE, kind], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const stats = JSON.parse(r.stdout.trim()) as { written: number; fallback: number; errors: number; dropped: number };
    const errLines = r.stderr.split('\n').filter((l) => l !== '');
    const warnings = errLines.filter((l) => l.startsWith('sightline:'));
    const json = errLines.filter((l) => l.startsWith('{'));
    assert.equal(warnings.length, 1, `one warning, got: ${warnings.join(' | ')}`);
    assert.match(warnings[0]!, kind === 'devfull' ? /ENOSPC/ : /EBADF/);
    assert.equal(json.length, 1001, 'every line reached stderr');
    assert.deepEqual(json.map((l) => (JSON.parse(l) as { i: number }).i), Array.from({ length: 1001 }, (_, i) => i));
    assert.equal(stats.written, 1001);
    assert.equal(stats.fallback, 1001);
    assert.ok(stats.errors >= 1);
    assert.equal(stats.dropped, 0);
  });
}

test("onFull: 'drop' drops and counts when the buffer is full", async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'a.log');
    const dest = file(path, { maxBuffer: 1000, onFull: 'drop', batchSize: 1_000_000, flushIntervalMs: 1000 });
    const log = createLogger({ level: 'info', destination: dest });
    for (let i = 0; i < 100; i++) log.info('x'.repeat(60), { i });
    await log.flush();
    const s = log.stats();
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
    assert.ok(s.dropped > 50, `dropped ${s.dropped}`);
    assert.equal(s.written + s.dropped, 100);
    assert.equal(lines.length, s.written);
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("onFull: 'block' waits for the writer instead of dropping", async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'b.log');
    const log = createLogger({ level: 'info', destination: file(path, { maxBuffer: 2000, onFull: 'block' }) });
    for (let i = 0; i < 5000; i++) log.info('y'.repeat(60), { i });
    await log.flush();
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(log.stats().dropped, 0);
    assert.equal(lines.length, 5000);
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { i: number }).i), Array.from({ length: 5000 }, (_, i) => i));
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flush() resolves when everything accepted is on disk; close() then drops and counts', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'c.log');
    const log = createLogger({ level: 'info', destination: file(path) });
    for (let i = 0; i < 10; i++) log.info('z', { i });
    await log.flush();
    assert.equal(readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length, 10);
    await log.close();
    log.info('after close');
    assert.equal(log.stats().dropped, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file() on an unwritable path throws SL_ERR_LOG_FILE_NOT_WRITABLE naming the path; mkdir creates parents', () => {
  assert.throws(() => file('/nonexistent-dir-sl/x/app.log'), { code: 'SL_ERR_LOG_FILE_NOT_WRITABLE', field: 'destination.path' });
  assert.throws(() => file(''), { code: 'SL_ERR_LOG_FILE_NOT_WRITABLE' });
  assert.throws(() => file('/tmp/x.log', { onFull: 'wait' as 'drop' }), { code: 'SL_ERR_LOG_INVALID_OPTION', field: 'destination.onFull' });
  const dir = tmp();
  try {
    const d = file(join(dir, 'new', 'deep', 'app.log'), { mkdir: true });
    assert.ok(existsSync(join(dir, 'new', 'deep', 'app.log')));
    return d.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
