import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentContext, OTEL_SUPPRESS_TRACING_KEY } from 'sightline/context';
import {
  TracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  InMemorySpanExporter,
  TailSamplingProcessor,
  RecentTraces,
  type SpanExporter,
  type SpanRecord,
  type ExportResult,
} from 'sightline/trace';
import { InMemorySpanExporter as TestingExporter } from 'sightline/testing';

/** An exporter that records calls and answers as told. */
class ScriptedExporter implements SpanExporter {
  calls: SpanRecord[][] = [];
  suppressedSeen: boolean[] = [];
  answer: () => Promise<ExportResult> = () => Promise.resolve({ code: 0 });
  shutdowns = 0;
  export(spans: SpanRecord[]): Promise<ExportResult> {
    this.calls.push(spans);
    this.suppressedSeen.push(currentContext().getValue(OTEL_SUPPRESS_TRACING_KEY) === true);
    return this.answer();
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

test('sightline/testing exports the in-memory span exporter', () => {
  assert.equal(TestingExporter, InMemorySpanExporter);
});

test('batch processor: bounded queue with a drop counter, batches of maxExportBatchSize, tracing suppressed in export', async () => {
  const exp = new ScriptedExporter();
  const bsp = new BatchSpanProcessor(exp, { maxQueueSize: 10, maxExportBatchSize: 4, scheduleDelayMs: 60_000 }, {});
  const provider = new TracerProvider({ env: {}, processors: [bsp] });
  const t = provider.getTracer('t');
  // The synchronous loop gives the processor no chance to export: the queue fills, then drops.
  for (let i = 0; i < 15; i++) t.startSpan(`s${i}`).end();
  assert.equal(bsp.stats().dropped, 5);
  assert.equal(provider.stats().spansDropped, 5);
  await provider.forceFlush();
  const sizes = exp.calls.map((c) => c.length);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 10);
  assert.ok(sizes.every((n) => n <= 4), `batch sizes ${sizes.join(',')}`);
  assert.deepEqual(exp.calls.flat().map((s) => s.name), Array.from({ length: 10 }, (_, i) => `s${i}`));
  assert.ok(exp.suppressedSeen.every(Boolean), 'export runs with tracing suppressed');
  assert.equal(bsp.stats().exported, 10);
  assert.equal(provider.stats().spansExported, 10);
});

test('batch processor exports on its own after scheduleDelayMs, and when a batch is full', async () => {
  const exp = new ScriptedExporter();
  const bsp = new BatchSpanProcessor(exp, { maxQueueSize: 100, maxExportBatchSize: 3, scheduleDelayMs: 5 }, {});
  const t = new TracerProvider({ env: {}, processors: [bsp] }).getTracer('t');
  t.startSpan('one').end();
  while (exp.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(exp.calls[0]?.map((s) => s.name), ['one']);
  for (let i = 0; i < 3; i++) t.startSpan(`b${i}`).end();
  while (exp.calls.length < 2) await new Promise((r) => setImmediate(r));
  assert.equal(exp.calls[1]?.length, 3);
});

test('batch processor: failures and timeouts are counted, never thrown; export resumes', async () => {
  const exp = new ScriptedExporter();
  const bsp = new BatchSpanProcessor(exp, { maxQueueSize: 100, maxExportBatchSize: 10, scheduleDelayMs: 60_000, exportTimeoutMs: 20 }, {});
  const provider = new TracerProvider({ env: {}, processors: [bsp] });
  const t = provider.getTracer('t');
  exp.answer = () => new Promise(() => {}); // hangs forever
  t.startSpan('hang').end();
  await provider.forceFlush();
  exp.answer = () => Promise.reject(new Error('collector down'));
  t.startSpan('reject').end();
  await provider.forceFlush();
  exp.answer = () => { throw new Error('sync throw'); };
  t.startSpan('throw').end();
  await provider.forceFlush();
  exp.answer = () => Promise.resolve({ code: 1, error: new Error('400') });
  t.startSpan('failed').end();
  await provider.forceFlush();
  exp.answer = () => Promise.resolve({ code: 0 });
  t.startSpan('ok').end();
  await provider.forceFlush();
  const s = provider.stats();
  assert.equal(s.exportFailures, 4);
  assert.equal(s.exportTimeouts, 1);
  assert.equal(s.spansExported, 1);
  assert.equal(s.spansFailed, 4);
  assert.equal(bsp.stats().failedSpans, 4);
});

test('batch processor: shutdown flushes, shuts the exporter down once, then drops', async () => {
  const exp = new ScriptedExporter();
  const bsp = new BatchSpanProcessor(exp, { scheduleDelayMs: 60_000 }, {});
  const provider = new TracerProvider({ env: {}, processors: [bsp] });
  provider.getTracer('t').startSpan('x').end();
  await Promise.all([bsp.shutdown(), bsp.shutdown()]);
  assert.equal(exp.calls.flat().length, 1);
  assert.equal(exp.shutdowns, 1);
  bsp.onEnd(exp.calls[0]?.[0] as SpanRecord);
  assert.equal(bsp.stats().dropped, 1);
});

test('batch processor settings: OTEL_BSP_* env, empty = unset, bad = ignored, code wins, bad code throws', () => {
  const exp = new ScriptedExporter();
  const env = { OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BSP_EXPORT_TIMEOUT: '', OTEL_BSP_MAX_QUEUE_SIZE: 'big', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64' };
  const b = new BatchSpanProcessor(exp, {}, env);
  assert.deepEqual([b.scheduleDelayMs, b.exportTimeoutMs, b.maxQueueSize, b.maxExportBatchSize], [100, 30000, 2048, 64]);
  const d = new BatchSpanProcessor(exp, {}, {});
  assert.deepEqual([d.scheduleDelayMs, d.exportTimeoutMs, d.maxQueueSize, d.maxExportBatchSize], [5000, 30000, 2048, 512]);
  assert.equal(new BatchSpanProcessor(exp, { maxQueueSize: 7 }, env).maxQueueSize, 7);
  assert.equal(new BatchSpanProcessor(exp, {}, { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' }).maxExportBatchSize, 100);
  assert.throws(() => new BatchSpanProcessor(exp, { maxQueueSize: 0 }), { code: 'SL_ERR_TRACE_INVALID_NUMBER', field: 'batch.maxQueueSize' });
  assert.throws(() => new BatchSpanProcessor(exp, { maxQueueSize: 10, maxExportBatchSize: 20 }), { code: 'SL_ERR_TRACE_INVALID_NUMBER' });
  assert.throws(() => new BatchSpanProcessor({} as never), { code: 'SL_ERR_TRACE_INVALID_COMPONENT' });
  assert.throws(() => new TracerProvider({ processors: [{} as never] }), { code: 'SL_ERR_TRACE_INVALID_COMPONENT' });
});

test('exporters option wires a batch processor per exporter', async () => {
  const mem = new InMemorySpanExporter();
  const provider = new TracerProvider({ env: {}, exporters: [mem], batch: { scheduleDelayMs: 60_000 } });
  provider.getTracer('t').startSpan('x').end();
  assert.equal(mem.getFinishedSpans().length, 0);
  await provider.forceFlush();
  assert.equal(mem.getFinishedSpans()[0]?.name, 'x');
  mem.reset();
  assert.equal(mem.getFinishedSpans().length, 0);
});

test('simple processor exports each sampled span and ignores unsampled ones', async () => {
  const mem = new InMemorySpanExporter();
  const ssp = new SimpleSpanProcessor(mem);
  const provider = new TracerProvider({ env: {}, processors: [ssp] });
  provider.getTracer('t').startSpan('a').end();
  ssp.onEnd({ ...(mem.getFinishedSpans()[0] ?? ({} as SpanRecord)), traceFlags: 0 });
  await provider.forceFlush();
  assert.deepEqual(mem.getFinishedSpans().map((s) => s.name), ['a']);
});

function tailSetup(options: ConstructorParameters<typeof TailSamplingProcessor>[1]) {
  const mem = new InMemorySpanExporter();
  const tail = new TailSamplingProcessor([new SimpleSpanProcessor(mem)], options);
  const provider = new TracerProvider({ env: {}, processors: [tail] });
  return { mem, tail, provider, t: provider.getTracer('t') };
}

test('tail sampling keeps whole errored and slow local traces, drops the rest at ratio 0', async () => {
  const { mem, tail, provider, t } = tailSetup({ ratio: 0, latencyThresholdMs: 1000 });
  const start = Date.now();
  // ok, fast: dropped whole
  t.span('fast', () => t.span('fast-child', () => 1));
  // a child errors: kept whole
  t.span('err-root', () => { try { t.span('err-child', () => { throw new Error('x'); }); } catch { /* handled */ } });
  // slow root (explicit times): kept whole
  t.startActiveSpan('slow-root', { startTime: start }, (root) => {
    t.startSpan('slow-child').end();
    root.end(start + 1500);
  });
  await provider.forceFlush();
  const names = mem.getFinishedSpans().map((s) => s.name).sort();
  assert.deepEqual(names, ['err-child', 'err-root', 'slow-child', 'slow-root']);
  const st = tail.stats();
  assert.equal(st.keptTraces, 2);
  assert.equal(st.droppedTraces, 1);
  assert.equal(st.droppedSpans, 2);
  assert.equal(provider.stats().tailDroppedTraces, 1);
});

test('tail sampling at ratio 1 keeps everything; spans ending after their root follow the decision', async () => {
  const { mem, provider, t } = tailSetup({ ratio: 1 });
  let late: ReturnType<typeof t.startSpan> | undefined;
  t.startActiveSpan('root', (r) => {
    late = t.startSpan('late');
    r.end();
  });
  late?.end();
  await provider.forceFlush();
  assert.deepEqual(mem.getFinishedSpans().map((s) => s.name), ['root', 'late']);
});

test('tail sampling is bounded: traces and spans per trace', () => {
  const { tail, t } = tailSetup({ ratio: 0, maxTraces: 3, maxSpansPerTrace: 2 });
  const roots = Array.from({ length: 5 }, () => t.startSpan('root'));
  for (const r of roots) {
    for (let i = 0; i < 4; i++) t.startSpan('c', {}, currentContext().setValue(Symbol.for('OpenTelemetry Context Key SPAN'), r)).end();
  }
  const st = tail.stats();
  assert.equal(st.heldTraces, 3);
  assert.equal(st.evictedTraces, 2);
  for (const r of roots) r.end();
  const after = tail.stats();
  assert.equal(after.heldTraces, 0);
  assert.ok(after.overflowSpans >= 6, `overflow ${after.overflowSpans}`);
  assert.throws(() => new TailSamplingProcessor([], { ratio: 2 }), { code: 'SL_ERR_TRACE_INVALID_RATIO' });
  assert.throws(() => new TailSamplingProcessor([], { maxTraces: 0 }), { code: 'SL_ERR_TRACE_INVALID_NUMBER' });
});

test('the tail option of the provider puts exporters behind the tail sampler', async () => {
  const mem = new InMemorySpanExporter();
  const provider = new TracerProvider({ env: {}, exporters: [mem], tail: { ratio: 0 }, batch: { scheduleDelayMs: 60_000 } });
  const t = provider.getTracer('t');
  t.span('ok', () => 1);
  try { t.span('bad', () => { throw new Error('e'); }); } catch { /* expected */ }
  await provider.forceFlush();
  assert.deepEqual(mem.getFinishedSpans().map((s) => s.name), ['bad']);
});

test('recent traces keep the latest, slowest and errored local traces, bounded', () => {
  const provider = new TracerProvider({ env: {}, recentTraces: { latest: 3, slowest: 2, errored: 2 } });
  const recent = provider.recentTraces as RecentTraces;
  const t = provider.getTracer('t');
  const base = Date.now();
  const durations = [5, 50, 1, 30, 20];
  durations.forEach((d, i) => {
    t.startActiveSpan(`r${i}`, { startTime: base }, (root) => {
      t.startSpan(`c${i}`).end();
      if (i % 2 === 1) root.setStatus({ code: 2 });
      root.end(base + d);
    });
  });
  assert.deepEqual(recent.latest().map((x) => x.name), ['r4', 'r3', 'r2']);
  assert.deepEqual(recent.slowest().map((x) => x.duration), [50, 30]);
  assert.deepEqual(recent.errored().map((x) => x.name), ['r3', 'r1']);
  const one = recent.latest()[0];
  assert.equal(one?.spans.length, 2);
  assert.equal(recent.get(one?.traceId ?? '')?.name, 'r4');
  assert.throws(() => new RecentTraces({ latest: -1 }), { code: 'SL_ERR_TRACE_INVALID_NUMBER' });
});
