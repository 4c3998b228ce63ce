import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { sightline } from 'sightline';
import { memory } from 'sightline/testing';
import { createLogger } from 'sightline/log';

// The logger's own exit/signal listeners are installed once per process: install them before counting.
createLogger({ destination: memory() });
import { get, waitFor } from './helpers.js';

test('sightline(): probes on the admin server, startup via obs.started(), handler errors grouped, shutdown removes the listeners', async (t) => {
  const before = ['SIGTERM', 'SIGINT', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e));
  const obs = sightline({ service: 'svc', admin: { port: 0 }, log: { destination: memory() }, metrics: { defaultMetrics: false }, health: { intervalMs: 50 } });
  t.after(() => obs.shutdown());
  assert.ok(obs.health && obs.graceful);
  assert.equal(process.listenerCount('SIGTERM'), before[0]! + 1);
  obs.health.register({ name: 'dep', check: async () => {} });
  const port = (await obs.admin!.ready())!.port;
  assert.equal((await get(port, '/health/live')).status, 200);
  assert.equal((await get(port, '/health/ready?verbose=1')).status, 503, 'not started yet');
  obs.started();
  await waitFor(async () => (await get(port, '/health/ready')).status === 200, 'ready after started()');
  const ready = await get(port, '/health/startup');
  assert.equal(ready.status, 200);
  assert.equal(ready.body.serviceId, 'svc');

  // Mounted on the app's own server too, and errors thrown by handlers land in the groups.
  const wrapped = obs.handler(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (obs.health!.handle(req, res)) return;
    await Promise.resolve();
    res.statusCode = 500;
    res.end();
    throw new Error(`order ${req.url?.length ?? 0} exploded`);
  });
  const app = http.createServer((req, res) => void wrapped(req, res).catch(() => undefined));
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => app.close(() => r())));
  const appPort = (app.address() as { port: number }).port;
  assert.equal((await get(appPort, '/health/live')).status, 200);
  assert.equal((await get(appPort, '/boom')).status, 500);
  assert.equal((await get(appPort, '/boom/2')).status, 500);
  await waitFor(() => obs.errorGroups.list().some((g) => g.message === 'order <n> exploded' && g.count === 2), 'handler errors grouped');
  const g = obs.errorGroups.list().find((x) => x.message === 'order <n> exploded')!;
  assert.match(g.lastTraceId ?? '', /^[0-9a-f]{32}$/);

  await obs.shutdown();
  assert.deepEqual(['SIGTERM', 'SIGINT', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e)), before);
});

test('sightline({ health: false }) installs no probes, signal or crash listeners', async (t) => {
  const before = ['SIGTERM', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e));
  const obs = sightline({ admin: { port: 0 }, log: { destination: memory() }, metrics: { defaultMetrics: false }, health: false });
  t.after(() => obs.shutdown());
  assert.equal(obs.health, undefined);
  assert.equal(obs.graceful, undefined);
  assert.deepEqual(['SIGTERM', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e)), before);
  const port = (await obs.admin!.ready())!.port;
  assert.equal((await get(port, '/health/live')).status, 404);
  assert.throws(() => sightline({ admin: false, health: { shutdown: { backstopMs: 1e9 } } }), { code: 'SL_ERR_HEALTH_SHUTDOWN_OPTION' });
  assert.equal(process.listenerCount('SIGTERM'), before[0], 'a bad option leaves no listener behind');
});
