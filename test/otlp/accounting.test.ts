import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { sightline } from 'sightline';
import { OtlpLogDestination, OtlpSpanExporter } from 'sightline/otlp';
import type { OtlpExportStats, SpanRecord } from 'sightline/otlp';
import { TracerProvider } from 'sightline/trace';
import { OtlpTestCollector } from '../support/otlp-collector.js';
import { checkLogsJson, checkTracesJson } from '../support/otlp-schema.js';
import { numericSamples } from '../support/metrics.js';
import { promtoolCheckMetrics, requireBinary } from '../support/prometheus.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let c: OtlpTestCollector;
before(async () => { c = await OtlpTestCollector.start(); });
after(async () => { await c.stop(); });

function reset(mode: OtlpTestCollector['mode']): void {
  c.mode = mode;
  c.script.length = 0;
  c.requests.length = 0;
}

/** GET through node:http with no agent (the client instrumentation is off in these tests). */
function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** The resource attributes of an OTLP JSON payload as a plain object. */
function resourceOf(json: any, kind: 'resourceSpans' | 'resourceLogs'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of json[kind][0].resource.attributes as { key: string; value: Record<string, unknown> }[]) out[kv.key] = Object.values(kv.value)[0];
  return out;
}

let seq = 0;
function spans(n: number): SpanRecord[] {
  return Array.from({ length: n }, () => ({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: (++seq).toString(16).padStart(16, '0'), parentSpanId: undefined,
    traceState: undefined, traceFlags: 1, name: `op-${seq}`, kind: 0, startTime: 1700000000000 + seq, endTime: 1700000000001 + seq,
    attributes: {}, droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
    status: { code: 0 }, resource: { attributes: { 'service.name': 'acct' } }, scope: { name: 'test' },
  }));
}

function dropped(s: OtlpExportStats): Record<string, number> {
  return Object.fromEntries(Object.entries(s.droppedBy).filter(([, n]) => n > 0));
}

test('collector answering 500 to every batch: every span and log record is counted as dropped on /metrics, promtool-clean', async (t) => {
  reset('fail500');
  const SPANS = 300;
  const LINES = 130;
  const logs = new OtlpLogDestination({ url: c.url('logs'), env: {}, maxBatchSize: 50, scheduleDelayMillis: 5 });
  const obs = sightline({
    service: 'acct',
    env: {},
    admin: { port: 0 },
    client: false,
    health: false,
    log: { destination: logs },
    metrics: { defaultMetrics: false },
    trace: { otlp: { url: c.url('traces'), env: {} }, batch: { maxExportBatchSize: 64, scheduleDelayMs: 5 } },
  });
  try {
    for (let i = 0; i < SPANS; i++) obs.tracer.startSpan(`op ${i}`).end();
    // The admin server's start-up line ("admin server listening") is one more record, written first.
    await obs.admin!.ready();
    for (let i = 0; i < LINES - 1; i++) obs.log.info('line', { i });
    await obs.traceProvider.forceFlush();
    await obs.log.flush();
    const traceRequests = c.requests.filter((r) => r.path === '/v1/traces').length;
    const logRequests = c.requests.filter((r) => r.path === '/v1/logs').length;
    assert.equal(traceRequests, Math.ceil(SPANS / 64), 'a 500 is not retried');
    assert.equal(logRequests, Math.ceil(LINES / 50));

    await obs.admin!.ready();
    const text = await scrape(`${obs.admin!.url()!}/metrics`);
    const m = numericSamples(text);
    assert.equal(m.get('sightline_trace_spans_total{outcome="ended"}'), SPANS);
    assert.equal(m.get('sightline_trace_spans_total{outcome="dropped"}'), SPANS, 'failed exports count as dropped');
    assert.equal(m.get('sightline_trace_spans_total{outcome="exported"}'), 0);
    assert.equal(m.get('sightline_otlp_dropped_total{signal="traces",reason="export_failed"}'), SPANS);
    assert.equal(m.get('sightline_otlp_dropped_total{signal="logs",reason="export_failed"}'), LINES);
    for (const signal of ['traces', 'logs']) {
      assert.equal(m.get(`sightline_otlp_exported_total{signal="${signal}"}`), 0);
      for (const reason of ['queue_full', 'shutdown', 'rejected', 'timeout']) {
        assert.equal(m.get(`sightline_otlp_dropped_total{signal="${signal}",reason="${reason}"}`), 0, `${signal} ${reason}`);
      }
      assert.equal(m.get(`sightline_otlp_queued_items{signal="${signal}"}`), 0);
      assert.equal(m.get(`sightline_otlp_retries_total{signal="${signal}"}`), 0);
    }
    assert.equal(m.get('sightline_otlp_requests_total{signal="traces",code="500"}'), traceRequests);
    assert.equal(m.get('sightline_otlp_requests_total{signal="logs",code="500"}'), logRequests);

    const promtool = requireBinary(t, 'promtool', 'prometheus');
    if (promtool !== undefined) {
      const r = await promtoolCheckMetrics(text, promtool);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal((r.stdout + r.stderr).trim(), '');
    }
  } finally {
    await obs.shutdown();
  }
});

test('sightline(): logs through OtlpLogDestination carry the spans\' resource; both send User-Agent sightline/<version>', async () => {
  reset('ok');
  const logs = new OtlpLogDestination({ url: c.url('logs'), env: {}, scheduleDelayMillis: 5 });
  const obs = sightline({
    service: 'checkout',
    serviceVersion: '1.4.2',
    environment: 'staging',
    env: { OTEL_RESOURCE_ATTRIBUTES: 'team=payments' },
    admin: false,
    client: false,
    health: false,
    log: { destination: logs },
    metrics: { defaultMetrics: false },
    trace: { otlp: { url: c.url('traces'), env: {} }, batch: { scheduleDelayMs: 5 } },
  });
  try {
    obs.tracer.startSpan('charge').end();
    obs.log.info('charged');
    await obs.traceProvider.forceFlush();
    await obs.log.flush();
    const spanReq = c.requests.find((r) => r.path === '/v1/traces')!;
    const logReq = c.requests.find((r) => r.path === '/v1/logs')!;
    const spanResource = resourceOf(checkTracesJson(spanReq.json), 'resourceSpans');
    const logResource = resourceOf(checkLogsJson(logReq.json), 'resourceLogs');
    assert.equal(spanResource['service.name'], 'checkout');
    assert.equal(spanResource['team'], 'payments');
    assert.deepEqual(logResource, spanResource, 'one resource for both signals');
    for (const r of [spanReq, logReq]) assert.equal(r.headers['user-agent'], `sightline/${VERSION}`);
  } finally {
    await obs.shutdown();
  }
  // A resource given to the destination is kept.
  reset('ok');
  const own = new OtlpLogDestination({ url: c.url('logs'), env: {}, scheduleDelayMillis: 5, resource: { attributes: { 'service.name': 'mine' } } });
  const obs2 = sightline({ service: 'checkout', env: {}, admin: false, client: false, health: false, log: { destination: own }, metrics: { defaultMetrics: false } });
  obs2.log.info('x');
  await obs2.shutdown();
  assert.deepEqual(resourceOf(c.requests[0]!.json, 'resourceLogs'), { 'service.name': 'mine' });
});

test('standalone: an OtlpLogDestination\'s default resource is the one spans get from the same environment', async () => {
  reset('ok');
  const env = { OTEL_SERVICE_NAME: 'billing', OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,region=eu%2Dwest' };
  const provider = new TracerProvider({ env, exporters: [new OtlpSpanExporter({ url: c.url('traces'), env })], batch: { scheduleDelayMs: 5 } });
  const logs = new OtlpLogDestination({ url: c.url('logs'), env, scheduleDelayMillis: 5 });
  provider.getTracer('t').startSpan('s').end();
  logs.write('{"msg":"m"}\n', 30);
  await provider.shutdown();
  await logs.close();
  const spanResource = resourceOf(c.requests.find((r) => r.path === '/v1/traces')!.json, 'resourceSpans');
  const logResource = resourceOf(c.requests.find((r) => r.path === '/v1/logs')!.json, 'resourceLogs');
  assert.equal(logResource['service.name'], 'billing');
  assert.equal(logResource['region'], 'eu-west');
  assert.deepEqual(logResource, spanResource);
});

test('span exporter: each reason is counted (rejected, timeout, queue_full, shutdown, retries out of time) and every attempt by code', async () => {
  // 400 from a collector of our own (the shared one has no 4xx mode).
  const bad = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(400).end('bad'));
  });
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
  try {
    const e400 = new OtlpSpanExporter({ url: `http://127.0.0.1:${(bad.address() as AddressInfo).port}/v1/traces`, env: {} });
    assert.equal((await e400.export(spans(3))).code, 1);
    assert.deepEqual(dropped(e400.stats()), { rejected: 3 });
    assert.deepEqual(e400.stats().responses, { '400': 1 });
    assert.equal(e400.stats().rejected, 3);
    await e400.shutdown();
  } finally {
    await new Promise<void>((r) => bad.close(() => r()));
  }

  reset('partial');
  c.partialRejected = 2;
  const e = new OtlpSpanExporter({ url: c.url('traces'), env: {}, timeoutMillis: 300, initialBackoffMillis: 10, maxBackoffMillis: 20, maxQueuedBatches: 1 });
  assert.equal((await e.export(spans(5))).code, 0);
  assert.equal(e.stats().exported, 3);
  assert.deepEqual(dropped(e.stats()), { rejected: 2 });

  reset('hang');
  const hung = e.export(spans(4));
  assert.equal((await e.export(spans(6))).code, 1, 'one batch held: the next is refused');
  assert.equal((await hung).code, 1);
  assert.deepEqual(dropped(e.stats()), { rejected: 2, timeout: 4, queue_full: 6 });
  assert.equal(e.stats().responses['timeout'], 1);

  reset('unavailable');
  // Its own exporter with a longer budget: on a loaded machine a 300 ms budget can end before the
  // first 503 arrives, which is a timeout (no answer), not the case examined here.
  const e503 = new OtlpSpanExporter({ url: c.url('traces'), env: {}, timeoutMillis: 1500, initialBackoffMillis: 10, maxBackoffMillis: 20 });
  assert.equal((await e503.export(spans(7))).code, 1);
  const s = e503.stats();
  assert.equal(s.droppedBy.export_failed, 7, 'retried 503s until the export timeout');
  assert.ok(s.retries >= 1);
  assert.equal(s.responses['503'], c.requests.length);
  assert.equal(s.requests, Object.values(s.responses).reduce((a, b) => a + b, 0), 'every attempt has a code');
  await e503.shutdown();

  await e.shutdown();
  assert.equal((await e.export(spans(2))).code, 1);
  assert.equal(e.stats().droppedBy.shutdown, 2);
  const total = e.stats();
  assert.equal(total.exported + Object.values(total.droppedBy).reduce((a, b) => a + b, 0), 5 + 4 + 6 + 2, 'every span ends in one place (the 503 batch went to its own exporter)');
  assert.equal(total.dropped + total.failed + total.rejected, Object.values(total.droppedBy).reduce((a, b) => a + b, 0));
});

test('log destination: queue_full, rejected, export_failed (also of a failed synchronous flush) and shutdown', async () => {
  reset('hang');
  const d = new OtlpLogDestination({ url: c.url('logs'), env: {}, timeoutMillis: 200, maxQueueSize: 4, maxBatchSize: 4, scheduleDelayMillis: 5, syncFallback: 'none', flushSyncTimeoutMillis: 500 });
  let accepted = 0;
  for (let i = 0; i < 10; i++) if (d.write(`{"msg":"${i}"}\n`, 30)) accepted++;
  assert.equal(d.stats().otlp.droppedBy.queue_full, 10 - accepted);
  await d.flush();
  assert.equal(d.stats().otlp.droppedBy.timeout, accepted);

  reset('partial');
  c.partialRejected = 1;
  d.write('{"msg":"a"}\n', 30);
  d.write('{"msg":"b"}\n', 30);
  await d.flush();
  assert.equal(d.stats().otlp.droppedBy.rejected, 1);
  assert.equal(d.stats().otlp.exported, 1);

  // The collector shares this thread, which flushSync blocks: the synchronous send cannot succeed.
  d.write('{"msg":"c"}\n', 30);
  d.flushSync();
  assert.equal(d.stats().otlp.droppedBy.export_failed, 1, 'a failed synchronous send');

  await d.close();
  d.write('{"msg":"late"}\n', 30);
  const s = d.stats().otlp;
  assert.equal(s.droppedBy.shutdown, 1);
  assert.equal(s.exported + Object.values(s.droppedBy).reduce((a, b) => a + b, 0), 10 + 2 + 1 + 1);
});
