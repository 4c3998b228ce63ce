import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { trace } from '@opentelemetry/api';
import { sightline, SightlineError } from 'sightline';
import { memory } from 'sightline/testing';
import { OtlpTestCollector } from './support/otlp-collector.js';
import { listen, close, get } from './support/http.js';

test('sightline(): fixed entry points, admin /metrics on a chosen port, shutdown stops everything', async () => {
  const logs = memory();
  const obs = sightline({ service: 'shop', log: { destination: logs }, admin: { host: '127.0.0.1', port: 0 }, env: {} });
  try {
    assert.equal(typeof obs.log.info, 'function');
    assert.equal(typeof obs.metrics.counter, 'function');
    assert.equal(typeof obs.tracer.startSpan, 'function');
    assert.equal(typeof obs.express(), 'function');
    assert.equal(typeof obs.fastify, 'function');
    assert.equal(typeof obs.handler(() => undefined), 'function');
    assert.ok(obs.recentTraces);
    const addr = await obs.admin!.ready();
    assert.equal(addr?.address, '127.0.0.1');
    assert.deepEqual(obs.admin!.address(), addr);
    const metrics = await get(`${obs.admin!.url()!}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^# HELP /m);
    assert.match(metrics.body, /process_cpu_seconds_total /, 'default runtime metrics on');
    assert.equal((await get(`${obs.admin!.url()!}/nope`)).status, 404);
    assert.deepEqual(JSON.parse((await get(`${obs.admin!.url()!}/`)).body), { routes: ['/health/live', '/health/ready', '/health/startup', '/metrics'] });

    // Registered globally: the @opentelemetry/api tracer records into the same provider.
    const span = trace.getTracer('x').startSpan('global');
    span.end();
    assert.ok(obs.traceProvider.stats().spansEnded >= 1);
    const orders = obs.metrics.counter({ name: 'orders_total', help: 'Orders placed', labelNames: ['country'] });
    orders.labels({ country: 'de' }).inc();
    assert.match(await obs.metrics.render(), /orders_total\{country="de"\} 1/);
  } finally {
    await obs.shutdown();
  }
  await obs.shutdown(); // idempotent
  assert.equal(obs.admin!.address(), undefined, 'admin server closed');
  assert.equal(obs.metrics.get('process_cpu_seconds_total'), undefined, 'runtime collectors stopped');
});

test('sightline(): spans go to OTLP only when an endpoint is configured; RecentTraces always', async () => {
  const collector = await OtlpTestCollector.start();
  try {
    const logs = memory();
    const off = sightline({ service: 'a', log: { destination: logs }, admin: false, env: {} });
    off.tracer.span('kept locally', () => undefined);
    await off.shutdown();
    assert.equal(collector.requests.length, 0);
    assert.equal(off.recentTraces.latest()[0]?.name, 'kept locally');

    const on = sightline({ service: 'b', log: { destination: logs }, admin: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url('traces').replace(/\/v1\/traces$/, '') } });
    const server = http.createServer(on.handler((_req, res) => res.end('ok')));
    const base = await listen(server);
    await get(base + '/x');
    await close(server);
    await on.shutdown();
    await collector.waitFor(() => collector.requests.length > 0);
    const body = JSON.stringify(collector.requests.map((r) => r.json));
    assert.match(body, /"name":"GET"/);
    assert.match(body, /"stringValue":"b"/);
    // The exporter's own POST is not traced (suppress-tracing key): only the server span and the test's GET.
    assert.doesNotMatch(body, /"stringValue":"POST"/);
  } finally {
    await collector.stop();
  }
});

test('sightline(): configuration errors are coded and name the field', () => {
  const bad: [unknown, string, string][] = [
    [{ service: '' }, 'SL_ERR_CONFIG_INVALID_OPTION', 'service'],
    [{ admin: { port: 70000 } }, 'SL_ERR_CONFIG_INVALID_ADMIN', 'admin.port'],
    [{ admin: { host: '' } }, 'SL_ERR_CONFIG_INVALID_ADMIN', 'admin.host'],
    [{ admin: 'yes' }, 'SL_ERR_CONFIG_INVALID_OPTION', 'admin'],
    [{ http: { requestIdHeader: 'bad header' } }, 'SL_ERR_HTTP_INVALID_OPTION', 'http.requestIdHeader'],
    [{ http: { exclude: [42] } }, 'SL_ERR_HTTP_INVALID_OPTION', 'http.exclude[0]'],
    [{ http: { routes: ['users'] } }, 'SL_ERR_HTTP_INVALID_ROUTE', 'http.routes[0]'],
    [{ http: { enrich: 'x' } }, 'SL_ERR_HTTP_INVALID_OPTION', 'http.enrich'],
    [{ client: { fetch: 'no' } }, 'SL_ERR_HTTP_INVALID_OPTION', 'client.fetch'],
    [{ metrics: { registry: {} } }, 'SL_ERR_CONFIG_INVALID_OPTION', 'metrics.registry'],
    [{ trace: { register: 1 } }, 'SL_ERR_CONFIG_INVALID_OPTION', 'trace.register'],
  ];
  for (const [options, code, field] of bad) {
    assert.throws(() => sightline({ admin: false, env: {}, log: { destination: memory() }, ...(options as object) }), (e: unknown) => {
      assert.ok(e instanceof SightlineError, String(e));
      assert.equal(e.code, code, JSON.stringify(options));
      assert.equal(e.field, field);
      return true;
    });
  }
  const obs = sightline({ admin: false, env: {}, log: { destination: memory() } });
  assert.throws(() => obs.handler('nope' as never), { code: 'SL_ERR_HTTP_INVALID_LISTENER' });
  void obs.shutdown();
});

test('sightline(): its env reaches the logger (LOG_LEVEL and NODE_ENV), not process.env', async () => {
  const debug = sightline({ env: { NODE_ENV: 'production', LOG_LEVEL: 'debug' }, log: { destination: memory() }, admin: false, health: false, client: false, trace: { register: false } });
  const prod = sightline({ env: { NODE_ENV: 'production' }, log: { destination: memory() }, admin: false, health: false, client: false, trace: { register: false } });
  try {
    assert.equal(debug.log.level, 'debug');
    assert.equal(prod.log.level, 'warn');
  } finally {
    await debug.shutdown();
    await prod.shutdown();
  }
});

test('sightline(): shutdown stops the pillars in reverse of their start: probes fail first, the logger flushes last', async () => {
  const dest = memory();
  const obs = sightline({ service: 'order', env: {}, log: { destination: dest }, admin: { port: 0 }, client: false, trace: { register: false }, health: { shutdown: false, crash: false } });
  obs.started();
  await obs.admin!.ready();
  const ready = `${obs.admin!.url()!}/health/ready`;
  assert.equal((await get(ready)).status, 200);
  let flushedAfterAdminClosed = false;
  const flush = obs.log.flush.bind(obs.log);
  obs.log.flush = async () => {
    flushedAfterAdminClosed = obs.admin!.url() === undefined;
    return flush();
  };
  await obs.shutdown();
  assert.equal(obs.health!.readiness().statusCode, 503, 'readiness fails once shutting down');
  assert.ok(flushedAfterAdminClosed, 'the logger flushes after the admin server closed');
});
