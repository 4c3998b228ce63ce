import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import autocannon from 'autocannon';
import { createHealth, createShutdown } from 'sightline/health';
import { runFixture } from './child.js';
import { get, waitFor } from './helpers.js';

async function tempFiles(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'sl-shutdown-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return { LOG_FILE: join(dir, 'app.log'), SPAN_FILE: join(dir, 'spans.txt'), STATS_FILE: join(dir, 'stats.json') };
}

async function lines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

test('SIGTERM under autocannon load: readiness 503 at once, liveness 200, every accepted request answered, no log line or span lost, exit 0', async (t) => {
  const files = await tempFiles(t);
  const child = runFixture('shutdown-server.ts', { ...files, DRAIN_MS: '800' });
  t.after(() => child.proc.kill('SIGKILL'));
  const { port } = JSON.parse(await child.first) as { port: number };
  const url = `http://127.0.0.1:${port}/work`;
  let responses = 0;
  let resolveResult: (r: autocannon.Result) => void = () => {};
  const result = new Promise<autocannon.Result>((resolve) => (resolveResult = resolve));
  const run = autocannon({ url, connections: 16, duration: 30 }, (_err, r) => resolveResult(r));
  run.on('response', () => responses++);
  await waitFor(() => responses >= 500, 'load is flowing');

  child.proc.kill('SIGTERM');
  // Readiness fails at once, liveness keeps passing, and the app keeps serving during the drain.
  await waitFor(async () => (await get(port, '/health/ready')).status === 503, 'readiness 503 after SIGTERM');
  const live = await get(port, '/health/live');
  assert.equal(live.status, 200);
  assert.deepEqual(live.body.notes, ['shutting down']);
  const during = responses;
  await waitFor(() => responses > during + 100, 'still serving while draining');

  const exit = await child.exited;
  run.stop();
  const r = await result;
  assert.deepEqual(exit, { code: 0, signal: null }, child.stderr());
  const stats = JSON.parse(await readFile(files.STATS_FILE, 'utf8')) as { requests: number; responses: number; poolClosed: boolean; phase: string };
  assert.equal(stats.phase, 'done');
  assert.equal(stats.poolClosed, true, 'the app hook ran');
  assert.equal(stats.responses, stats.requests, 'every request the server accepted was answered');
  assert.ok(stats.requests > 600);
  assert.equal(r.non2xx, 0, 'no non-2xx response');
  assert.equal(r['2xx'], stats.requests, 'the client received every answer the server sent (no socket error on an accepted request)');
  const logLines = (await lines(files.LOG_FILE)).map((l) => JSON.parse(l) as { msg: string });
  assert.equal(logLines.filter((l) => l.msg === 'handled').length, stats.requests, 'one log line per request, none lost');
  assert.ok(logLines.some((l) => l.msg === 'shutdown: complete; flushing telemetry'));
  assert.equal((await lines(files.SPAN_FILE)).length, stats.requests, 'one span per request, none lost');
});

test('a second signal exits at once with 128 + signal number', async (t) => {
  const files = await tempFiles(t);
  const child = runFixture('shutdown-server.ts', { ...files, DRAIN_MS: '60000' });
  t.after(() => child.proc.kill('SIGKILL'));
  const { port } = JSON.parse(await child.first) as { port: number };
  child.proc.kill('SIGINT');
  await waitFor(async () => (await get(port, '/health/ready')).status === 503, 'draining');
  child.proc.kill('SIGTERM');
  const exit = await child.exited;
  assert.deepEqual(exit, { code: 143, signal: null });
  const stats = JSON.parse(await readFile(files.STATS_FILE, 'utf8')) as { phase: string };
  assert.equal(stats.phase, 'draining');
  const logged = (await lines(files.LOG_FILE)).map((l) => JSON.parse(l) as { msg: string });
  assert.ok(logged.some((l) => l.msg === 'second signal: exiting now'), 'the log was flushed before the forced exit');
});

test('in-flight deadline cuts a request that never ends; a stuck hook times out; still exit 0', async (t) => {
  const files = await tempFiles(t);
  const child = runFixture('shutdown-server.ts', { ...files, DRAIN_MS: '50', DEADLINE_MS: '300', HANG_HOOK: '1' });
  t.after(() => child.proc.kill('SIGKILL'));
  const { port } = JSON.parse(await child.first) as { port: number };
  const hung = new Promise<string>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/hang', agent: false }, () => resolve('answered'));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  // a slow request in flight at close() completes normally
  const slow = get(port, '/slow');
  await new Promise((r) => setTimeout(r, 50));
  child.proc.kill('SIGTERM');
  assert.equal((await slow).status, 200);
  assert.equal(await hung, 'ECONNRESET');
  assert.deepEqual(await child.exited, { code: 0, signal: null }, child.stderr());
  const logged = (await lines(files.LOG_FILE)).map((l) => JSON.parse(l) as { msg: string; hook?: string });
  assert.ok(logged.some((l) => l.msg === 'shutdown: request deadline reached; cut open connections'));
  assert.ok(logged.some((l) => l.msg === 'shutdown hook timed out' && l.hook === 'stuck'));
  const stats = JSON.parse(await readFile(files.STATS_FILE, 'utf8')) as { poolClosed: boolean };
  assert.equal(stats.poolClosed, true);
});

test('the backstop exits (code 1) before the grace period when shutdown overruns it', async (t) => {
  const files = await tempFiles(t);
  const child = runFixture('shutdown-server.ts', { ...files, DRAIN_MS: '60000', GRACE_MS: '2500' });
  t.after(() => child.proc.kill('SIGKILL'));
  await child.first;
  child.proc.kill('SIGTERM');
  assert.deepEqual(await child.exited, { code: 1, signal: null });
  assert.match(child.stderr(), /graceful shutdown did not finish within 500 ms \(phase draining\)/);
  const logged = (await lines(files.LOG_FILE)).map((l) => JSON.parse(l) as { msg: string });
  assert.ok(logged.some((l) => l.msg === 'graceful shutdown backstop: exiting'));
});

test('without a shutdown manager the logger flushes on SIGTERM and re-raises it (default death by signal)', async (t) => {
  const files = await tempFiles(t);
  const child = runFixture('logger-only.ts', files);
  t.after(() => child.proc.kill('SIGKILL'));
  await child.first;
  child.proc.kill('SIGTERM');
  assert.deepEqual(await child.exited, { code: null, signal: 'SIGTERM' });
  assert.equal((await lines(files.LOG_FILE)).length, 1000);
});

test('programmatic shutdown without exit: order of phases and hook reports', async () => {
  const health = createHealth({ started: true });
  const order: string[] = [];
  const server = http.createServer((_q, s) => s.end('x'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const sd = createShutdown({ health, servers: [server], signals: false, drainDelayMs: 0, exit: false, hookTimeoutMs: 50 });
  sd.onFlush('logs', () => { order.push('flush'); });
  sd.onShutdown('pool', () => { order.push(`pool:${health.readiness().statusCode}:${server.listening}`); });
  sd.onShutdown('bad', () => { throw new Error('nope'); });
  sd.onShutdown('stuck', () => new Promise(() => {}));
  const report = await sd.shutdown('test');
  assert.equal(sd.shutdown('again') instanceof Promise, true);
  assert.deepEqual(order, ['pool:503:false', 'flush']);
  assert.deepEqual(report.hooks.map((h) => [h.name, h.kind, h.ok, h.timedOut]), [
    ['pool', 'hook', true, false], ['bad', 'hook', false, false], ['stuck', 'hook', false, true], ['logs', 'flush', true, false],
  ]);
  assert.equal(report.hooks[1]?.error, 'Error: nope');
  assert.equal(report.exitCode, 0);
  assert.equal(report.forcedConnections, 0);
  assert.equal(sd.phase, 'done');
  health.close();
});

test('shutdown configuration mistakes are coded errors', () => {
  assert.throws(() => createShutdown({ signals: ['SIGNOPE' as NodeJS.Signals] }), { code: 'SL_ERR_HEALTH_SHUTDOWN_OPTION', field: 'signals' });
  assert.throws(() => createShutdown({ signals: false, gracePeriodMs: 10_000, backstopMs: 10_000 }), { code: 'SL_ERR_HEALTH_SHUTDOWN_OPTION', field: 'backstopMs' });
  assert.throws(() => createShutdown({ signals: false, drainDelayMs: -1 }), { code: 'SL_ERR_HEALTH_SHUTDOWN_OPTION', field: 'drainDelayMs' });
  assert.throws(() => createShutdown({ signals: false, failureThreshold: 0 }), { code: 'SL_ERR_HEALTH_SHUTDOWN_OPTION', field: 'failureThreshold' });
  assert.throws(() => createShutdown({ signals: false, health: {} as never }), { code: 'SL_ERR_HEALTH_SHUTDOWN_OPTION', field: 'health' });
  const sd = createShutdown({ signals: false, readinessPeriodMs: 5000, failureThreshold: 3, gracePeriodMs: 60_000 });
  assert.equal(sd.drainDelayMs, 15_000);
  assert.equal(sd.backstopMs, 58_000);
  // Without probe options the drain delay applies only where a probe is watching: Kubernetes.
  assert.equal(createShutdown({ signals: false, env: {} }).drainDelayMs, 0);
  assert.equal(createShutdown({ signals: false, env: { KUBERNETES_SERVICE_HOST: ' ' } }).drainDelayMs, 0);
  assert.equal(createShutdown({ signals: false, env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' } }).drainDelayMs, 10_000);
  assert.equal(createShutdown({ signals: false, env: {}, failureThreshold: 3 }).drainDelayMs, 15_000);
  assert.equal(createShutdown({ signals: false, env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, drainDelayMs: 250 }).drainDelayMs, 250);
  assert.throws(() => sd.onShutdown('', () => {}), { code: 'SL_ERR_HEALTH_SHUTDOWN_OPTION' });
});
