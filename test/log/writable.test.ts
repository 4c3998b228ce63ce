import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createLogger, writable, WritableDestination } from 'sightline/log';
import type { LevelName } from 'sightline/log';

/** A Node Writable that keeps each write's callback until `release()`: a stream under backpressure. */
class HeldStream extends Writable {
  readonly chunks: string[] = [];
  readonly held: (() => void)[] = [];
  constructor(highWaterMark = 64) {
    super({ highWaterMark, decodeStrings: false });
  }

  override _write(chunk: string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.held.push(() => cb());
  }

  /** Lets the stream finish every write, including those it is handed meanwhile. */
  async release(): Promise<void> {
    while (this.held.length > 0) {
      this.held.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  }

  text(): string {
    return this.chunks.join('');
  }
}

function lines(text: string): Record<string, any>[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
}

/** Runs `fn` with stderr writes captured. */
function captureStderr<T>(fn: () => T): { result: T; stderr: string } {
  let stderr = '';
  const spy = (chunk: string | Uint8Array): boolean => {
    stderr += String(chunk);
    return true;
  };
  const own = Object.getOwnPropertyDescriptor(process.stderr, 'write');
  Object.defineProperty(process.stderr, 'write', { value: spy, configurable: true, writable: true });
  try {
    const result = fn();
    return { result, stderr };
  } finally {
    if (own === undefined) delete (process.stderr as { write?: unknown }).write;
    else Object.defineProperty(process.stderr, 'write', own);
  }
}

test('a Node Writable passed as the destination receives every line, in order', async () => {
  const out = new PassThrough();
  let text = '';
  out.setEncoding('utf8').on('data', (d: string) => (text += d));
  const log = createLogger({ level: 'info', destination: out });
  for (let i = 0; i < 50; i++) log.info('line', { i });
  log.error(new Error('boom'), 'failed');
  await log.flush();
  const recs = lines(text);
  assert.deepEqual(recs.slice(0, 50).map((r) => r['i']), [...Array(50).keys()]);
  assert.equal(recs[50]!['msg'], 'failed');
  assert.equal(recs[50]!['err'].message, 'boom');
  assert.equal(log.stats().written, 51);
  assert.equal(log.stats().dropped, 0);
});

test('under backpressure lines wait here (the caller does not), then go in one write at drain; flush waits for the stream', async () => {
  const s = new HeldStream();
  const log = createLogger({ level: 'info', destination: s });
  for (let i = 0; i < 100; i++) log.info('queued', { i, pad: 'x'.repeat(40) });
  // Every call returned although the stream has not finished a single write.
  assert.equal(s.held.length, 1);
  assert.equal(s.writableNeedDrain, true);
  let flushed = false;
  const f = log.flush().then(() => (flushed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(flushed, false, 'flush waits while the stream holds lines');
  await s.release();
  await f;
  assert.equal(flushed, true);
  assert.deepEqual(lines(s.text()).map((r) => r['i']), [...Array(100).keys()]);
  assert.ok(s.chunks.length < 10, `the backlog went in few writes (${s.chunks.length})`);
  assert.deepEqual({ ...log.stats(), sampledOut: 0, rateLimited: 0 }, { written: 100, dropped: 0, fallback: 0, errors: 0, sampledOut: 0, rateLimited: 0 });
});

test('the backlog is bounded by maxBuffer: beyond it lines are dropped, counted and reported once', async () => {
  const s = new HeldStream();
  const dest = writable(s, { maxBuffer: 1000 });
  const log = createLogger({ level: 'info', destination: dest });
  const line = (i: number): void => log.info('x', { i, pad: 'y'.repeat(60) }); // ~120 bytes a line
  const { stderr } = captureStderr(() => {
    for (let i = 0; i < 40; i++) line(i);
  });
  const st = dest.stats();
  assert.ok(st.dropped > 25 && st.dropped < 40, `most lines dropped (${st.dropped})`);
  assert.equal(st.written + st.dropped, 40);
  assert.equal((stderr.match(/dropping lines/g) ?? []).length, 1, stderr);
  assert.match(stderr, /log destination stream:HeldStream is full/);
  await s.release();
  await log.flush();
  const got = lines(s.text()).map((r) => r['i'] as number);
  assert.equal(got.length, st.written, 'every accepted line arrives');
  assert.deepEqual(got, [...got].sort((a, b) => a - b), 'in order');
  // Room again: new lines are accepted.
  line(99);
  const f = log.flush();
  await s.release();
  await f;
  assert.equal(lines(s.text()).at(-1)!['i'], 99);
});

test('flush gives up after flushTimeoutMs on a stream that never drains (the lines stay held)', async () => {
  const s = new HeldStream();
  const log = createLogger({ level: 'info', destination: writable(s, { flushTimeoutMs: 20 }) });
  log.info('a');
  log.info('b');
  await log.flush();
  assert.equal(s.held.length, 1, 'the stream is still stuck');
  await s.release();
  await log.flush();
  assert.deepEqual(lines(s.text()).map((r) => r['msg']), ['a', 'b']);
});

test('a destination level applies to a Writable, given as { destination, level } or writable(s, { level })', async () => {
  const all = new HeldStream(1 << 20);
  const warn = new HeldStream(1 << 20);
  const crit = new HeldStream(1 << 20);
  const log = createLogger({ level: 'trace', destination: [all, { destination: warn, level: 'warning' }, writable(crit, { level: 'CRITICAL' as LevelName })] });
  log.info('i');
  log.warning('w');
  log.critical('c');
  await Promise.all([all.release(), warn.release(), crit.release()]);
  await log.flush();
  assert.deepEqual(lines(all.text()).map((r) => r['msg']), ['i', 'w', 'c']);
  assert.deepEqual(lines(warn.text()).map((r) => r['msg']), ['w', 'c']);
  assert.deepEqual(lines(crit.text()).map((r) => [r['msg'], r['level']]), [['c', 'fatal']]);
});

test('close() flushes and stops writing, but leaves the stream open; later lines are dropped and counted', async () => {
  const out = new PassThrough();
  let text = '';
  out.setEncoding('utf8').on('data', (d: string) => (text += d));
  const dest = new WritableDestination(out);
  const log = createLogger({ level: 'info', destination: dest });
  log.info('before');
  await log.close();
  assert.equal(out.writableEnded, false, 'the stream is the caller’s');
  captureStderr(() => log.info('after'));
  assert.deepEqual(lines(text).map((r) => r['msg']), ['before']);
  assert.equal(dest.stats().dropped, 1);
  await dest.close(); // twice is fine
});

test('stream-likes that are not Node streams (sonic-boom style): their own flush and flushSync are used', async () => {
  const calls: string[] = [];
  let buffered = '';
  const written: string[] = [];
  const sonicLike = Object.assign(new EventEmitter(), {
    write(data: string): boolean {
      buffered += data;
      return buffered.length < 200;
    },
    flush(cb: () => void): void {
      calls.push('flush');
      written.push(buffered);
      buffered = '';
      setImmediate(() => {
        cb();
        sonicLike.emit('drain');
      });
    },
    flushSync(): void {
      calls.push('flushSync');
      written.push(buffered);
      buffered = '';
    },
  });
  const dest = writable(sonicLike);
  const log = createLogger({ level: 'info', destination: dest });
  log.info('one');
  await log.flush();
  assert.deepEqual(calls, ['flush']);
  for (let i = 0; i < 10; i++) log.info('many', { i, pad: 'z'.repeat(30) }); // past its high-water mark: the rest wait here
  dest.flushSync();
  assert.deepEqual(calls, ['flush', 'flushSync']);
  assert.deepEqual(lines(written.join('')).map((r) => r['i'] ?? r['msg']), ['one', ...Array(10).keys()]);
});

test('configuration mistakes are coded errors naming the field', () => {
  const ended = new PassThrough();
  ended.end();
  const cases: [() => unknown, string, string][] = [
    [() => createLogger({ destination: ended }), 'SL_ERR_LOG_INVALID_DESTINATION', 'destination'],
    [() => createLogger({ destination: [new PassThrough(), { destination: new PassThrough(), level: 'loud' as LevelName }] }), 'SL_ERR_LOG_INVALID_LEVEL', 'destination[1].level'],
    [() => writable(new PassThrough(), { maxBuffer: 0 }), 'SL_ERR_LOG_INVALID_OPTION', 'destination.maxBuffer'],
    [() => writable(new PassThrough(), { flushTimeoutMs: -1 }), 'SL_ERR_LOG_INVALID_OPTION', 'destination.flushTimeoutMs'],
    [() => writable(new PassThrough(), { level: 'nope' as LevelName }), 'SL_ERR_LOG_INVALID_LEVEL', 'destination.level'],
    [() => writable({ write: () => true } as never), 'SL_ERR_LOG_INVALID_DESTINATION', 'destination'],
  ];
  for (const [make, code, field] of cases) {
    assert.throws(make, (e: { code: string; field: string }) => {
      assert.equal(e.code, code, field);
      assert.equal(e.field, field, code);
      return true;
    });
  }
});

const FIXTURE = new URL('./fixtures/writable-child.ts', import.meta.url).pathname;

function child(mode: string, n: number, path = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', FIXTURE, mode, String(n), path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => c.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('process.stdout as the destination (written as stdout() is): every line is out when the process calls process.exit()', async () => {
  const r = await child('stdout', 20_000);
  assert.equal(r.code, 0, r.stderr);
  const got = lines(r.stdout);
  assert.equal(got.length, 20_000);
  got.forEach((rec, i) => {
    if (rec['i'] !== i) assert.fail(`line ${i} carries i=${String(rec['i'])}`);
  });
});

test('process.exit() while a sonic-boom-style stream holds a backlog: flushSync hands it over and flushes the stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-writable-'));
  try {
    const path = join(dir, 'out.log');
    const r = await child('sonic', 5000, path);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(readFileSync(path, 'utf8')).map((x) => x['i']), [...Array(5000).keys()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stream that fails never crashes the app: one warning, errors counted, later lines on stderr', async () => {
  const r = await child('error', 3);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.stderr.match(/log destination stream:\S+ failed \(Error: disk on fire\)/g) ?? []).length, 1, r.stderr);
  const fallback = lines(r.stderr.split('\n').filter((l) => l.startsWith('{')).join('\n'));
  assert.deepEqual(fallback.map((x) => x['i']), [1, 2], 'lines after the failure go to stderr');
  assert.match(r.stdout, /"errors":1/);
  assert.match(r.stdout, /"fallback":2/);
});
