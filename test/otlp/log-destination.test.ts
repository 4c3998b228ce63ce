import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpLogDestination } from 'sightline/otlp';
import { OtlpTestCollector } from '../support/otlp-collector.js';
import { withSyncCollector } from '../support/sync-collector.js';
import { checkLogsJson } from '../support/otlp-schema.js';

let c: OtlpTestCollector;
before(async () => { c = await OtlpTestCollector.start(); });
after(async () => { await c.stop(); });

const line = (i: number, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ time: 1700000000000 + i, level: 30, msg: `line ${i}`, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', i, ...extra })}\n`;

test('lines are batched off the write path and exported as schema-valid log records', async () => {
  c.mode = 'ok';
  c.requests.length = 0;
  const d = new OtlpLogDestination({ url: c.url('logs'), env: { OTEL_SERVICE_NAME: 'shop' }, maxBatchSize: 3, scheduleDelayMillis: 5 });
  for (let i = 0; i < 7; i++) assert.equal(d.write(line(i), i === 6 ? 50 : 30), true);
  assert.equal(c.requests.length, 0, 'write does no I/O');
  await d.flush();
  const records = c.requests.flatMap((r) => {
    assert.equal(r.path, '/v1/logs');
    return checkLogsJson(r.json).resourceLogs[0].scopeLogs[0].logRecords;
  });
  assert.equal(records.length, 7);
  assert.deepEqual(records.map((r: any) => r.body.stringValue), Array.from({ length: 7 }, (_, i) => `line ${i}`));
  assert.equal(records[6].severityNumber, 17);
  assert.equal(records[0].severityNumber, 9);
  assert.equal(records[0].traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(checkLogsJson(c.requests[0]!.json).resourceLogs[0].resource.attributes[0].value.stringValue, 'shop');
  assert.deepEqual([d.stats().written, d.stats().otlp.exported], [7, 7]);
  await d.close();
  assert.equal(d.write(line(99), 30), false, 'closed: dropped');
  assert.equal(d.stats().dropped, 1);
});

test('hanging collector: the queue is bounded, overflow dropped and counted, export resumes', async () => {
  c.requests.length = 0;
  c.mode = 'hang';
  const d = new OtlpLogDestination({ url: c.url('logs'), timeoutMillis: 300, initialBackoffMillis: 10, maxQueueSize: 10, maxBatchSize: 5, scheduleDelayMillis: 5 });
  let accepted = 0;
  for (let i = 0; i < 50; i++) if (d.write(line(i), 30)) accepted++;
  const s = d.stats();
  assert.equal(s.written, accepted);
  assert.equal(s.dropped, 50 - accepted);
  assert.ok(accepted <= 15, 'at most one batch in flight plus the queue');
  assert.ok(s.otlp.queued <= 15);
  await d.flush();
  assert.equal(d.stats().otlp.failed, accepted);
  assert.equal(d.stats().errors, Math.ceil(accepted / 5));
  c.mode = 'ok';
  c.requests.length = 0;
  d.write(line(100), 30);
  await d.flush();
  assert.equal(d.stats().otlp.exported, 1);
  assert.equal(c.accepted('/v1/logs').length, 1);
  await d.close();
});

test('flushSync sends pending lines synchronously through a child process (http/json)', async () => {
  await withSyncCollector(async (base, next) => {
    const d = new OtlpLogDestination({ url: `${base}/v1/logs`, protocol: 'http/json', scheduleDelayMillis: 60_000, flushSyncTimeoutMillis: 10_000 });
    d.write(line(1), 30);
    d.write(line(2), 40);
    const got = next();
    d.flushSync();
    assert.equal(d.stats().otlp.exported, 2);
    const msg = await got;
    assert.equal(msg.path, '/v1/logs');
    assert.match(msg.userAgent, /^sightline\/\d+\.\d+\.\d+/, 'the synchronous sender identifies itself too');
    const records = checkLogsJson(JSON.parse(msg.body.toString())).resourceLogs[0].scopeLogs[0].logRecords;
    assert.deepEqual(records.map((r: any) => r.severityText), ['INFO', 'WARN']);
    await d.close();
  });
});

test('flushSync falls back to stderr when the collector is unreachable (counted)', async () => {
  await c.refuse();
  try {
    const d = new OtlpLogDestination({ url: c.url('logs'), scheduleDelayMillis: 60_000, flushSyncTimeoutMillis: 5000 });
    d.write(line(1, { note: 'expected on stderr: otlp flushSync fallback test' }), 30);
    d.flushSync();
    const s = d.stats();
    assert.deepEqual([s.fallback, s.otlp.failed, s.errors], [1, 1, 1]);
    await d.close();
  } finally {
    await c.accept();
  }
});
