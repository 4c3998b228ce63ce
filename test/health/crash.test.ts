import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCrashCapture } from 'sightline/health';
import type { ErrorGroup } from 'sightline/health';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runFixture } from './child.js';

interface Stats {
  code: number;
  counts: { uncaughtException: number; unhandledRejection: number };
  counter: { uncaughtException: number; unhandledRejection: number };
  groups: ErrorGroup[];
}

async function crash(t: { after(fn: () => Promise<void>): void }, mode: string) {
  const dir = await mkdtemp(join(tmpdir(), 'sl-crash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files = { LOG_FILE: join(dir, 'app.log'), SPAN_FILE: join(dir, 'spans.txt'), STATS_FILE: join(dir, 'stats.json') };
  const child = runFixture('crash-app.ts', { ...files, MODE: mode });
  const { traceId } = JSON.parse(await child.first) as { traceId: string };
  const exit = await child.exited;
  const read = async (p: string) => readFile(p, 'utf8').catch(() => '');
  const logLines = (await read(files.LOG_FILE)).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
  const stats = JSON.parse(await read(files.STATS_FILE)) as Stats;
  return { traceId, exit, logLines, stats, stderr: child.stderr(), spans: await read(files.SPAN_FILE), app: await read(`${files.STATS_FILE}.app`) };
}

test('uncaught exception: one fatal line on disk with the error and trace context, counter, group, spans flushed, exit 1', async (t) => {
  const r = await crash(t, 'throw');
  assert.deepEqual(r.exit, { code: 1, signal: null });
  const fatal = r.logLines.filter((l) => l['level'] === 'fatal');
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!['msg'], 'uncaught exception');
  assert.equal(fatal[0]!['origin'], 'uncaughtException');
  assert.equal(fatal[0]!['err'].message, 'boom on order 42');
  assert.match(fatal[0]!['err'].stack, /crash-app\.ts/);
  assert.equal(fatal[0]!['trace_id'], r.traceId);
  assert.equal(r.stats.counts.uncaughtException, 1);
  assert.equal(r.stats.counter.uncaughtException, 1);
  assert.equal(r.stats.groups.length, 1);
  assert.equal(r.stats.groups[0]!.lastSource, 'uncaughtException');
  assert.equal(r.stats.groups[0]!.message, 'boom on order <n>');
  assert.equal(r.stats.groups[0]!.lastTraceId, r.traceId);
  assert.equal(r.spans, 'work\n', 'the span ended before the crash was exported by the flusher');
  assert.match(r.stderr, /Error: boom on order 42/);
  assert.match(r.stderr, /Node\.js v\d+/);
});

test('a second uncaught error while the first one is being flushed: not logged as a crash, exit 1 at once, first report kept', async (t) => {
  const r = await crash(t, 'second-during-flush');
  assert.deepEqual(r.exit, { code: 1, signal: null });
  const fatal = r.logLines.filter((l) => l['level'] === 'fatal');
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!['err'].message, 'boom on order 42');
  assert.equal(r.stats.counts.uncaughtException, 1);
  assert.match(r.stderr, /Error: boom on order 42/);
  assert.doesNotMatch(r.stderr + JSON.stringify(r.logLines), /second error/);
});

test('unhandled rejection: same record, exit 1 as under --unhandled-rejections=throw', async (t) => {
  const r = await crash(t, 'reject');
  assert.deepEqual(r.exit, { code: 1, signal: null });
  const fatal = r.logLines.filter((l) => l['level'] === 'fatal');
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!['msg'], 'unhandled rejection');
  assert.equal(fatal[0]!['err'].message, 'rejected order 7');
  assert.equal(fatal[0]!['trace_id'], r.traceId);
  assert.equal(r.stats.counter.unhandledRejection, 1);
  assert.equal(r.stats.counter.uncaughtException, 0);
  assert.match(r.stderr, /rejected order 7/);
});

test('unhandled rejection with a non-Error reason is recorded and exits 1', async (t) => {
  const r = await crash(t, 'reject-string');
  assert.deepEqual(r.exit, { code: 1, signal: null });
  const fatal = r.logLines.filter((l) => l['level'] === 'fatal');
  assert.equal(fatal.length, 1);
  assert.match(JSON.stringify(fatal[0]!['err']), /plain reason/);
  assert.equal(r.stats.counts.unhandledRejection, 1);
});

test("the app's own uncaughtException handler runs and decides the exit; the crash is still recorded", async (t) => {
  const r = await crash(t, 'app-handler');
  assert.deepEqual(r.exit, { code: 3, signal: null });
  assert.equal(r.app, 'app handler: boom on order 42\n');
  assert.equal(r.logLines.filter((l) => l['level'] === 'fatal').length, 1);
  assert.equal(r.stats.counter.uncaughtException, 1);
  assert.doesNotMatch(r.stderr, /boom/, 'crash capture does not print when the app handles it');
});

test("the app's own unhandledRejection handler runs and decides; the rejection is recorded", async (t) => {
  const r = await crash(t, 'app-rejection-handler');
  assert.deepEqual(r.exit, { code: 4, signal: null });
  assert.equal(r.app, 'app rejection handler: rejected order 7\n');
  const fatal = r.logLines.filter((l) => l['level'] === 'fatal');
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!['trace_id'], r.traceId);
  assert.equal(r.stats.counter.unhandledRejection, 1);
});

test('opting out (exit: false) records the error and keeps the process running', async (t) => {
  const r = await crash(t, 'keep-running');
  assert.deepEqual(r.exit, { code: 0, signal: null });
  assert.equal(r.logLines.filter((l) => l['level'] === 'fatal').length, 1);
  assert.ok(r.logLines.some((l) => l['msg'] === 'still alive'));
  assert.equal(r.stats.counter.uncaughtException, 1);
});

test('crash capture configuration mistakes are coded errors; uninstall removes every listener', () => {
  assert.throws(() => installCrashCapture({ logger: {} as never }), { code: 'SL_ERR_HEALTH_CRASH_OPTION', field: 'logger' });
  assert.throws(() => installCrashCapture({ registry: {} as never }), { code: 'SL_ERR_HEALTH_CRASH_OPTION', field: 'registry' });
  assert.throws(() => installCrashCapture({ flushTimeoutMs: 0 }), { code: 'SL_ERR_HEALTH_CRASH_OPTION', field: 'flushTimeoutMs' });
  const before = ['uncaughtException', 'uncaughtExceptionMonitor', 'unhandledRejection'].map((e) => process.listenerCount(e));
  const c = installCrashCapture({ exit: false });
  assert.ok(process.listenerCount('uncaughtExceptionMonitor') > before[1]!);
  c.uninstall();
  assert.deepEqual(['uncaughtException', 'uncaughtExceptionMonitor', 'unhandledRejection'].map((e) => process.listenerCount(e)), before);
});

test("an unhandled 'error' event (listen EADDRINUSE) under sightline(): Node's stderr report, one fatal line, exit 1 before a later error", async () => {
  const path = fileURLToPath(new URL('./fixtures/listen-twice.ts', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  // The child's coverage would land in this run's report directory and break it.
  delete env['NODE_V8_COVERAGE'];
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  assert.deepEqual(exit, { code: 1, signal: null }, err);
  const lines = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
  assert.equal(lines.length, 1, out);
  assert.equal(lines[0]!['level'], 'fatal');
  assert.equal(lines[0]!['err'].code, 'EADDRINUSE');
  assert.match(err, /Error: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+/);
  assert.match(err, /code: 'EADDRINUSE'/, 'the error is printed as util.inspect prints it, properties included');
  assert.match(err, /Node\.js v\d+/);
  assert.doesNotMatch(out + err, /second error/, 'the process exited before the timer could throw again');
});
