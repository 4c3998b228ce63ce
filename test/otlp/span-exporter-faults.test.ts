import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { OtlpSpanExporter } from 'sightline/otlp';
import type { OtlpExporterOptions, SpanRecord } from 'sightline/otlp';
import { OTEL_SUPPRESS_TRACING_KEY } from 'sightline/context';
import { storage } from '#internal/context';
import { OtlpTestCollector } from '../support/otlp-collector.js';
import { checkTracesJson } from '../support/otlp-schema.js';

let c: OtlpTestCollector;
before(async () => { c = await OtlpTestCollector.start(); });
after(async () => { await c.stop(); });

let seq = 0;
function spans(n: number): SpanRecord[] {
  return Array.from({ length: n }, () => ({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: (++seq).toString(16).padStart(16, '0'), parentSpanId: undefined,
    traceState: undefined, traceFlags: 1, name: `op-${seq}`, kind: 0, startTime: 1700000000000 + seq, endTime: 1700000000001 + seq,
    attributes: { seq }, droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
    status: { code: 0 }, resource: { attributes: { 'service.name': 'faults' } }, scope: { name: 'test' },
  }));
}

function exporter(over: OtlpExporterOptions = {}): OtlpSpanExporter {
  return new OtlpSpanExporter({ url: c.url('traces'), timeoutMillis: 600, initialBackoffMillis: 10, maxBackoffMillis: 40, maxQueuedBatches: 2, env: {}, ...over });
}

/** True when the event loop turned while `p` was pending: the caller was not held up by the export. */
async function loopTurnsWhilePending(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => { settled = true; });
  await new Promise((r) => setImmediate(r));
  return !settled;
}

function reset(): void {
  c.mode = 'ok';
  c.script.length = 0;
  c.requests.length = 0;
}

test('ok: gzip JSON POSTed to /v1/traces with env headers, payload valid against the schema', async () => {
  reset();
  const e = exporter({ env: { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s%3Dcret,x-team=core', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
  const r = await e.export(spans(3));
  assert.deepEqual(r, { code: 0 });
  const req = c.requests[0]!;
  assert.equal(req.path, '/v1/traces');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['content-encoding'], 'gzip');
  assert.equal(req.headers['api-key'], 's=cret');
  assert.equal(req.headers['x-team'], 'core');
  const decoded = checkTracesJson(req.json);
  assert.equal(decoded.resourceSpans[0].scopeSpans[0].spans.length, 3);
  assert.equal(e.stats().exported, 3);
  await e.shutdown();
});

test('its own HTTP requests run with tracing suppressed', async () => {
  reset();
  const seen: unknown[] = [];
  const onStart = (): void => { seen.push(storage.getStore()?.getValue(OTEL_SUPPRESS_TRACING_KEY)); };
  subscribe('http.client.request.start', onStart);
  const e = exporter({ compression: 'none' });
  try {
    assert.equal((await e.export(spans(1))).code, 0);
  } finally {
    unsubscribe('http.client.request.start', onStart);
  }
  assert.ok(seen.length >= 1);
  assert.ok(seen.every((v) => v === true));
  assert.equal(c.requests[0]!.headers['content-encoding'], undefined);
  await e.shutdown();
});

test('connection refused: retried, counted as failed, caller not held up; resumes when the collector is back', async () => {
  reset();
  const e = exporter();
  await c.refuse();
  try {
    const p = e.export(spans(2));
    assert.ok(await loopTurnsWhilePending(p));
    const r = await p;
    assert.equal(r.code, 1);
    const s = e.stats();
    assert.equal(s.failed, 2);
    assert.ok(s.retries >= 1, 'a refused connection is retried');
    assert.equal(s.requests, s.failedRequests);
  } finally {
    await c.accept();
  }
  assert.equal((await e.export(spans(2))).code, 0);
  assert.equal(e.stats().exported, 2);
  assert.equal(c.accepted().length, 1);
  await e.shutdown();
});

test('HTTP 500: not retried, counted; export resumes', async () => {
  reset();
  const e = exporter();
  c.mode = 'fail500';
  assert.equal((await e.export(spans(4))).code, 1);
  assert.equal(c.requests.length, 1, '500 is not retryable');
  assert.deepEqual([e.stats().failed, e.stats().retries], [4, 0]);
  c.mode = 'ok';
  assert.equal((await e.export(spans(1))).code, 0);
  assert.equal(e.stats().exported, 1);
  await e.shutdown();
});

test('429/502/503/504 are retried; Retry-After in seconds and as an HTTP date is honoured', async () => {
  reset();
  const e = exporter({ timeoutMillis: 5000 });
  c.retryAfter = '0';
  c.script.push('throttle', 'unavailable', 'throttle');
  assert.equal((await e.export(spans(1))).code, 0);
  assert.equal(c.requests.length, 4);
  assert.equal(e.stats().retries, 3);
  c.retryAfter = new Date(Date.now() - 1000).toUTCString();
  c.script.push('throttle');
  assert.equal((await e.export(spans(1))).code, 0);
  assert.equal(e.stats().exported, 2);
  await e.shutdown();
});

test('a Retry-After beyond the export timeout gives up at once instead of waiting', async () => {
  reset();
  const e = exporter({ timeoutMillis: 2000 });
  c.retryAfter = '3600';
  c.mode = 'throttle';
  assert.equal((await e.export(spans(1))).code, 1);
  assert.equal(c.requests.length, 1);
  assert.equal(e.stats().failed, 1);
  await e.shutdown();
});

test('hanging collector: cut at the timeout, bounded queue drops and counts the excess, resumes after', async () => {
  reset();
  const e = exporter({ timeoutMillis: 300, maxQueuedBatches: 2 });
  c.mode = 'hang';
  const pending = Array.from({ length: 6 }, () => e.export(spans(10)));
  // 2 batches held, the other 4 refused at once: memory stays bounded
  const s = e.stats();
  assert.equal(s.dropped, 40);
  assert.ok(s.queued <= 20);
  assert.ok(await loopTurnsWhilePending(pending[0]!));
  const results = await Promise.all(pending);
  assert.deepEqual(results.map((r) => r.code), [1, 1, 1, 1, 1, 1]);
  assert.equal(e.stats().failed, 20);
  assert.equal(e.stats().queued, 0);
  c.mode = 'ok';
  assert.equal((await e.export(spans(1))).code, 0);
  assert.equal(e.stats().exported, 1);
  await e.shutdown();
});

test('slow collector: export completes within the timeout, off the caller path', async () => {
  reset();
  const e = exporter({ timeoutMillis: 5000 });
  c.mode = 'slow';
  c.slowMillis = 150;
  const p = e.export(spans(2));
  assert.ok(await loopTurnsWhilePending(p));
  assert.equal((await p).code, 0);
  assert.equal(e.stats().exported, 2);
  await e.shutdown();
});

test('200 with partialSuccess is not retried; rejected items are counted', async () => {
  reset();
  const e = exporter();
  c.mode = 'partial';
  c.partialRejected = 2;
  assert.equal((await e.export(spans(5))).code, 0);
  assert.equal(c.requests.length, 1);
  const s = e.stats();
  assert.deepEqual([s.exported, s.rejected, s.retries], [3, 2, 0]);
  await e.shutdown();
});

test('after shutdown, batches are dropped and counted', async () => {
  reset();
  const e = exporter();
  await e.shutdown();
  assert.equal((await e.export(spans(3))).code, 1);
  assert.equal(e.stats().dropped, 3);
  assert.equal(c.requests.length, 0);
});
