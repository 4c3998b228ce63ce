import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHealth, HEALTH_CONTENT_TYPE } from 'sightline/health';
import { get, serve, waitFor } from './helpers.js';

test('the three probes answer application/health+json with the draft fields', async (t) => {
  const health = createHealth({ service: 'checkout', version: '1', releaseId: '1.2.3', intervalMs: 50 });
  t.after(() => health.close());
  health.register({ name: 'db', check: async () => {}, probes: ['readiness', 'startup'], componentType: 'datastore' });
  const srv = await serve(health);
  t.after(() => srv.close());

  // Before markStarted: liveness passes but says so; readiness and startup fail.
  let live = await get(srv.port, '/health/live');
  assert.equal(live.status, 200);
  assert.equal(live.headers['content-type'], HEALTH_CONTENT_TYPE);
  assert.equal(live.headers['cache-control'], 'no-store');
  assert.equal(live.body.status, 'pass');
  assert.deepEqual(live.body.notes, ['starting: startup not complete']);
  let ready = await get(srv.port, '/health/ready');
  assert.equal(ready.status, 503);
  assert.equal(ready.body.status, 'fail');
  assert.match(ready.body.output ?? '', /starting/);
  let startup = await get(srv.port, '/health/startup');
  assert.equal(startup.status, 503);

  await waitFor(() => health.latest('db') !== undefined, 'first run of db');
  health.markStarted();
  await waitFor(async () => (await get(srv.port, '/health/startup')).status === 200, 'startup passes');
  ready = await get(srv.port, '/health/ready');
  assert.equal(ready.status, 200);
  assert.equal(ready.body.status, 'pass');
  assert.equal(ready.body.serviceId, 'checkout');
  assert.equal(ready.body.version, '1');
  assert.equal(ready.body.releaseId, '1.2.3');
  const entry = ready.body.checks['db:responseTime']?.[0];
  assert.ok(entry);
  assert.equal(entry.componentId, 'db');
  assert.equal(entry.componentType, 'datastore');
  assert.equal(entry.status, 'pass');
  assert.equal(entry.observedUnit, 'ms');
  assert.equal(typeof entry.observedValue, 'number');
  assert.ok(!Number.isNaN(Date.parse(entry.time)));
  assert.equal(entry.output, undefined, 'output is omitted for pass');
  live = await get(srv.port, '/health/live');
  assert.equal(live.body.notes, undefined);
  assert.deepEqual(live.body.checks, {}, 'liveness feeds on no readiness check');

  // Shutdown: readiness fails at once, liveness stays 200, startup stays passed.
  health.markShuttingDown();
  ready = await get(srv.port, '/health/ready');
  assert.equal(ready.status, 503);
  assert.equal(ready.body.output, 'shutting down');
  live = await get(srv.port, '/health/live');
  assert.equal(live.status, 200);
  assert.deepEqual(live.body.notes, ['shutting down']);
  startup = await get(srv.port, '/health/startup');
  assert.equal(startup.status, 200);
});

test('paths match with or without a query string; HEAD has no body; other methods get 405', async (t) => {
  const health = createHealth({ started: true, paths: { live: '/livez', ready: '/readyz', startup: '/startupz' } });
  t.after(() => health.close());
  health.register({ name: 'broken', check: () => Promise.reject(new Error('down')) });
  const srv = await serve(health);
  t.after(() => srv.close());
  await waitFor(() => health.latest('broken') !== undefined, 'first run');
  for (const path of ['/readyz', '/readyz?x=1', '/readyz?', '/readyz#frag']) {
    const r = await get(srv.port, path);
    assert.equal(r.status, 503, path);
    assert.equal(r.body.checks['broken:responseTime']?.[0]?.output, 'Error: down');
  }
  assert.equal((await get(srv.port, '/health/ready')).text, 'app', 'default paths are not served when renamed');
  assert.equal((await get(srv.port, '/readyz/x')).text, 'app');
  const head = await get(srv.port, '/livez?probe=1', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  const post = await get(srv.port, '/livez', 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
});

test('every response is a fresh object: mutating one answer never leaks into the next', async (t) => {
  const health = createHealth({ started: true });
  t.after(() => health.close());
  let n = 0;
  health.register({ name: 'c', check: () => Promise.resolve({ status: 'warn' as const, output: `run ${++n}` }), critical: false, intervalMs: 10 });
  await health.refresh();
  const a = health.readiness();
  (a.body as unknown as Record<string, unknown>)['leak'] = 'x';
  a.body.checks['extra:x'] = [];
  a.body.checks['c:responseTime']![0]!.status = 'fail';
  const b = health.readiness();
  assert.notEqual(a.body, b.body);
  assert.notEqual(a.body.checks, b.body.checks);
  assert.equal((b.body as unknown as Record<string, unknown>)['leak'], undefined);
  assert.equal(b.body.checks['extra:x'], undefined);
  assert.equal(b.body.checks['c:responseTime']![0]!.status, 'warn');
  assert.equal(b.body.status, 'warn');
  assert.equal(b.statusCode, 200);
});

test('liveness never calls a readiness dependency, however often it is probed', async (t) => {
  const health = createHealth({ started: true });
  t.after(() => health.close());
  let calls = 0;
  health.register({ name: 'dep', check: () => { calls++; return Promise.resolve(); }, intervalMs: 60_000 });
  await waitFor(() => calls === 1, 'first background run');
  const srv = await serve(health);
  t.after(() => srv.close());
  for (let i = 0; i < 50; i++) assert.equal((await get(srv.port, '/health/live')).status, 200);
  for (let i = 0; i < 50; i++) assert.equal((await get(srv.port, '/health/ready')).status, 200);
  assert.equal(calls, 1, 'probes answer from the latest background result');
});

test('startup waits for markStarted and the startup checks, then latches', async (t) => {
  const health = createHealth({ intervalMs: 20 });
  t.after(() => health.close());
  let migrated = false;
  health.register({ name: 'migrations', check: () => Promise.resolve(migrated), probes: ['startup'] });
  health.markStarted();
  await waitFor(() => health.latest('migrations')?.status === 'fail', 'startup check fails first');
  const r1 = health.startup();
  assert.equal(r1.statusCode, 503);
  assert.equal(r1.body.checks['migrations:responseTime']?.[0]?.output, 'check returned false');
  migrated = true;
  await waitFor(() => health.startup().statusCode === 200, 'startup passes');
  migrated = false;
  await waitFor(() => health.latest('migrations')?.status === 'fail', 'check fails again');
  assert.equal(health.startup().statusCode, 200, 'startup stays passed once passed');
  assert.equal(health.readiness().statusCode, 200, 'startup-only checks do not feed readiness');
});

test('liveness may feed on local checks, and rejects dependency checks', async (t) => {
  const { eventLoopDelayCheck, heapCheck, postgresCheck } = await import('sightline/health');
  const health = createHealth({ started: true });
  t.after(() => health.close());
  health.register({ name: 'eventloop', check: eventLoopDelayCheck(), probes: ['liveness'] });
  health.register({ name: 'heap', check: heapCheck(), probes: ['liveness'] });
  assert.throws(() => health.register({ name: 'pg', check: postgresCheck({ query: () => Promise.resolve() }), probes: ['liveness'] }),
    { code: 'SL_ERR_HEALTH_INVALID_CHECK', field: 'probes' });
  await health.refresh();
  const live = health.liveness();
  assert.equal(live.statusCode, 200);
  assert.equal(live.body.checks['eventloop:delay']?.[0]?.observedUnit, 'ms');
  assert.equal(live.body.checks['heap:utilization']?.[0]?.observedUnit, 'percent');
  const pct = live.body.checks['heap:utilization']?.[0]?.observedValue as number;
  assert.ok(pct > 0 && pct < 100);
});

test('configuration mistakes are coded errors', () => {
  assert.throws(() => createHealth({ paths: { live: 'health' } }), { code: 'SL_ERR_HEALTH_INVALID_OPTION', field: 'paths.live' });
  assert.throws(() => createHealth({ paths: { live: '/x', ready: '/x' } }), { code: 'SL_ERR_HEALTH_INVALID_OPTION', field: 'paths' });
  assert.throws(() => createHealth({ timeoutMs: 0 }), { code: 'SL_ERR_HEALTH_INVALID_OPTION', field: 'timeoutMs' });
  const h = createHealth();
  try {
    h.register({ name: 'a', check: async () => {} });
    assert.throws(() => h.register({ name: 'a', check: async () => {} }), { code: 'SL_ERR_HEALTH_DUPLICATE_CHECK', field: 'name' });
    assert.throws(() => h.register({ name: 'b c', check: async () => {} }), { code: 'SL_ERR_HEALTH_INVALID_CHECK', field: 'name' });
    assert.throws(() => h.register({ name: 'b', check: 42 as never }), { code: 'SL_ERR_HEALTH_INVALID_CHECK', field: 'check' });
    assert.throws(() => h.register({ name: 'b', check: async () => {}, probes: ['alive' as never] }), { code: 'SL_ERR_HEALTH_INVALID_CHECK', field: 'probes' });
    assert.throws(() => h.register({ name: 'b', check: async () => {}, timeoutMs: -1 }), { code: 'SL_ERR_HEALTH_INVALID_OPTION', field: 'timeoutMs' });
    assert.throws(() => h.register({ name: 'b', check: async () => {}, measurement: 'a:b' }), { code: 'SL_ERR_HEALTH_INVALID_CHECK', field: 'measurement' });
    assert.ok(h.unregister('a'));
    h.register({ name: 'a', check: async () => {} });
  } finally {
    h.close();
  }
});
