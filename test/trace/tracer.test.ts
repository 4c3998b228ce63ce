import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROOT_CONTEXT, OTEL_SUPPRESS_TRACING_KEY, OTEL_SPAN_KEY, runInContext, currentContext } from 'sightline/context';
import { storage } from '#internal/context';
import { Span } from '#internal/trace';
import {
  TracerProvider,
  SimpleSpanProcessor,
  InMemorySpanExporter,
  NonRecordingSpan,
  activeSpan,
  newTraceId,
  newSpanId,
  type SpanRecord,
} from 'sightline/trace';

function setup(options: ConstructorParameters<typeof TracerProvider>[0] = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ env: {}, ...options, processors: [new SimpleSpanProcessor(exporter), ...(options.processors ?? [])] });
  const tracer = provider.getTracer('test-lib', '1.2.3');
  const spans = async (): Promise<SpanRecord[]> => {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  };
  return { exporter, provider, tracer, spans };
}

test('a span records name, kind, attributes, scope, resource and ids', async () => {
  const { tracer, spans } = setup({ service: 'svc' });
  const s = tracer.startSpan('op', { kind: 1, attributes: { a: 1 } });
  s.setAttribute('b', 'x').setAttributes({ c: true, d: [1, 2], bad: { nested: 1 }, nul: null } as unknown as Record<string, number>); // invalid values from untyped callers
  s.end();
  const [r] = await spans();
  assert.ok(r);
  assert.equal(r.name, 'op');
  assert.equal(r.kind, 1);
  assert.deepEqual(r.attributes, { a: 1, b: 'x', c: true, d: [1, 2] });
  assert.deepEqual(r.scope, { name: 'test-lib', version: '1.2.3' });
  assert.equal(r.resource.attributes['service.name'], 'svc');
  assert.match(r.traceId, /^[0-9a-f]{32}$/);
  assert.match(r.spanId, /^[0-9a-f]{16}$/);
  assert.equal(r.parentSpanId, undefined);
  assert.ok(r.endTime >= r.startTime && r.startTime > 1.6e12, 'epoch milliseconds');
  // new trace: sampled + random flag (W3C Level 2)
  assert.equal(r.traceFlags, 3);
});

test('children share the trace id and point at their parent; startActiveSpan makes spans current', async () => {
  const { tracer, spans } = setup();
  tracer.startActiveSpan('parent', (p) => {
    assert.equal(activeSpan(), p);
    assert.equal(currentContext().traceIds?.spanId, p.spanContext().spanId);
    tracer.startActiveSpan('child', (c) => {
      tracer.startSpan('grandchild').end();
      c.end();
    });
    p.end();
  });
  const byName = Object.fromEntries((await spans()).map((s) => [s.name, s]));
  const p = byName.parent as SpanRecord;
  const c = byName.child as SpanRecord;
  const g = byName.grandchild as SpanRecord;
  assert.equal(c.traceId, p.traceId);
  assert.equal(g.traceId, p.traceId);
  assert.equal(c.parentSpanId, p.spanId);
  assert.equal(g.parentSpanId, c.spanId);
  assert.notEqual(c.spanId, p.spanId);
  assert.equal(activeSpan(), undefined);
});

test('root: true ignores the active span; an explicit context is used as the parent', async () => {
  const { tracer, spans } = setup();
  const outer = tracer.startSpan('outer');
  const ctx = ROOT_CONTEXT.setValue(OTEL_SPAN_KEY, outer);
  storage.run(ctx, () => tracer.startSpan('root', { root: true }).end());
  tracer.startSpan('explicit', {}, ctx).end();
  outer.end();
  const byName = Object.fromEntries((await spans()).map((s) => [s.name, s]));
  assert.notEqual(byName.root?.traceId, outer.spanContext().traceId);
  assert.equal(byName.explicit?.parentSpanId, outer.spanContext().spanId);
});

test('a remote parent (from a propagator) continues its trace, keeps its random flag, and makes a local root', async () => {
  const { tracer, spans } = setup();
  const remote = new NonRecordingSpan('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 1, undefined, true);
  tracer.startSpan('server', {}, ROOT_CONTEXT.setValue(OTEL_SPAN_KEY, remote)).end();
  const [r] = await spans();
  assert.equal(r?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(r?.parentSpanId, '00f067aa0ba902b7');
  assert.equal(r?.traceFlags, 1, 'random flag not set by the parent stays unset');
  assert.equal((r as Span).localRoot, true);
  // an invalid remote parent starts a new trace
  const bad = new NonRecordingSpan('00000000000000000000000000000000', '00f067aa0ba902b7', 1, undefined, true);
  tracer.startSpan('fresh', {}, ROOT_CONTEXT.setValue(OTEL_SPAN_KEY, bad)).end();
  const fresh = (await spans())[1];
  assert.notEqual(fresh?.traceId, '00000000000000000000000000000000');
  assert.equal(fresh?.parentSpanId, undefined);
});

test('events, exceptions, links and status follow the API rules', async () => {
  const { tracer, spans } = setup();
  const s = tracer.startSpan('op');
  s.addEvent('hello', { k: 'v' });
  const at = Date.now() + 1000;
  s.addEvent('at', at);
  s.recordException(new TypeError('boom'));
  s.addLink({ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }, attributes: { l: 1 } });
  s.setStatus({ code: 2, message: 'bad' });
  s.setStatus({ code: 0 });
  assert.equal(s.isRecording(), true);
  s.end();
  assert.equal(s.isRecording(), false);
  s.setAttribute('after', 1);
  s.addEvent('after');
  const [r] = await spans();
  assert.ok(r);
  assert.deepEqual(r.events.map((e) => e.name), ['hello', 'at', 'exception']);
  assert.equal(r.events[1]?.time, at);
  assert.equal(r.events[2]?.attributes['exception.type'], 'TypeError');
  assert.equal(r.events[2]?.attributes['exception.message'], 'boom');
  assert.match(String(r.events[2]?.attributes['exception.stacktrace']), /TypeError: boom/);
  assert.equal(r.links[0]?.spanId, '00f067aa0ba902b7');
  assert.deepEqual(r.links[0]?.attributes, { l: 1 });
  assert.deepEqual(r.status, { code: 2, message: 'bad' });
  assert.equal(r.attributes.after, undefined);

  const ok = tracer.startSpan('ok');
  ok.setStatus({ code: 1 });
  ok.setStatus({ code: 2, message: 'ignored: OK is final' });
  ok.end();
  assert.deepEqual((await spans())[1]?.status, { code: 1 });
});

test('span limits drop and count attributes, events and links; long strings are truncated', async () => {
  const { tracer, spans } = setup({ limits: { attributeCountLimit: 2, eventCountLimit: 1, linkCountLimit: 1, attributeValueLengthLimit: 4, attributePerEventCountLimit: 1 } });
  const s = tracer.startSpan('op');
  s.setAttribute('a', 'abcdefgh').setAttribute('b', ['xyzxyz', null]).setAttribute('c', 3).setAttribute('a', 'z');
  s.addEvent('e1', { x: 1, y: 2 }).addEvent('e2');
  const link = { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 } };
  s.addLinks([link, link, link]);
  s.end();
  const [r] = await spans();
  assert.deepEqual(r?.attributes, { a: 'z', b: ['xyzx', null] });
  assert.equal(r?.droppedAttributesCount, 1);
  assert.equal(r?.events.length, 1);
  assert.equal(r?.events[0]?.droppedAttributesCount, 1);
  assert.equal(r?.droppedEventsCount, 1);
  assert.equal(r?.links.length, 1);
  assert.equal(r?.droppedLinksCount, 2);
});

test('limits come from OTEL_SPAN_* variables; bad values are ignored', async () => {
  const { tracer, spans } = setup({ env: { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '1', OTEL_SPAN_EVENT_COUNT_LIMIT: 'lots', OTEL_SPAN_LINK_COUNT_LIMIT: '' } });
  const s = tracer.startSpan('op').setAttribute('a', 1).setAttribute('b', 2);
  for (let i = 0; i < 130; i++) s.addEvent(`e${i}`);
  s.end();
  const [r] = await spans();
  assert.equal(r?.droppedAttributesCount, 1);
  assert.equal(r?.events.length, 128, 'bad value: default 128');
  assert.throws(() => new TracerProvider({ limits: { eventCountLimit: -1 } }), { code: 'SL_ERR_TRACE_INVALID_NUMBER' });
});

test('span() ends the span, returns the value, and marks throws and rejections as errors', async () => {
  const { tracer, spans } = setup();
  assert.equal(tracer.span('sync', (s) => (s.setAttribute('x', 1), 42)), 42);
  assert.equal(await tracer.span('async', { attributes: { y: 2 } }, () => Promise.resolve('v')), 'v');
  assert.throws(() => tracer.span('throws', () => { throw new RangeError('nope'); }), /nope/);
  await assert.rejects(tracer.span('rejects', async () => { await new Promise((r) => setTimeout(r, 1)); throw new Error('later'); }), /later/);
  const wrapped = tracer.wrap('wrapped', function (this: { k: number }, a: number, b: number) { return this.k + a + b; });
  assert.equal(wrapped.call({ k: 1 }, 2, 3), 6);
  const byName = Object.fromEntries((await spans()).map((s) => [s.name, s]));
  assert.equal(byName.sync?.attributes.x, 1);
  assert.deepEqual(byName.async?.status, { code: 0 });
  assert.equal(byName.async?.attributes.y, 2);
  assert.deepEqual(byName.throws?.status, { code: 2, message: 'nope' });
  assert.equal(byName.throws?.events[0]?.attributes['exception.type'], 'RangeError');
  assert.deepEqual(byName.rejects?.status, { code: 2, message: 'later' });
  assert.ok(byName.wrapped);
});

test('async work inside span() is parented to it across await and timers', async () => {
  const { tracer, spans } = setup();
  await tracer.span('outer', async () => {
    await new Promise((r) => setTimeout(r, 2));
    await new Promise<void>((r) => setImmediate(() => { tracer.startSpan('in-timer').end(); r(); }));
    await tracer.span('inner', () => Promise.resolve(undefined));
  });
  const byName = Object.fromEntries((await spans()).map((s) => [s.name, s]));
  assert.equal(byName['in-timer']?.parentSpanId, byName.outer?.spanId);
  assert.equal(byName.inner?.parentSpanId, byName.outer?.spanId);
});

test('suppressed tracing records nothing and returns an invalid span', async () => {
  const { tracer, spans, provider } = setup();
  const s = storage.run(ROOT_CONTEXT.setValue(OTEL_SUPPRESS_TRACING_KEY, true), () => tracer.startSpan('hidden'));
  assert.equal(s.isRecording(), false);
  assert.equal(s.spanContext().traceId, '00000000000000000000000000000000');
  s.end();
  assert.equal((await spans()).length, 0);
  assert.equal(provider.stats().spansStarted, 0);
});

test('stats count started, ended and unsampled spans; processors that throw are counted, not propagated', () => {
  const thrower = { onEnd() { throw new Error('processor bug'); }, forceFlush: async () => {}, shutdown: async () => {} };
  const { tracer, provider } = setup({ processors: [thrower] });
  tracer.startSpan('a').end();
  tracer.startSpan('b');
  assert.deepEqual(
    { started: provider.stats().spansStarted, ended: provider.stats().spansEnded, errors: provider.stats().processorErrors },
    { started: 2, ended: 1, errors: 1 },
  );
  const off = setup({ sampler: 'always_off' });
  const s = off.tracer.startSpan('x');
  assert.ok(!s.isRecording());
  assert.match(s.spanContext().spanId, /^[0-9a-f]{16}$/);
  assert.equal(s.spanContext().traceFlags, 2, 'unsampled new trace: random flag only');
  assert.equal(off.provider.stats().spansNotSampled, 1);
});

test('after shutdown spans are not recorded and shutdown is idempotent', async () => {
  const { tracer, provider, spans } = setup();
  await provider.shutdown();
  await provider.shutdown();
  assert.equal(tracer.startSpan('late').isRecording(), false);
  assert.equal((await spans()).length, 0);
});

test('ids are valid lowercase hex, never zero, and do not repeat', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const t = newTraceId();
        const s = newSpanId();
        assert.match(t, /^[0-9a-f]{32}$/);
        assert.match(s, /^[0-9a-f]{16}$/);
        assert.ok(!seen.has(t) && !seen.has(s));
        seen.add(t).add(s);
      }
    }),
    { numRuns: 20 },
  );
});

test('the logger-facing context sees the active span ids and keeps the request scope', () => {
  const { tracer } = setup();
  runInContext({ requestId: 'req-1' }, () => {
    tracer.startActiveSpan('op', (s) => {
      const ids = currentContext().traceIds;
      assert.equal(ids?.traceId, s.spanContext().traceId);
      assert.equal(ids?.traceFlags, 3);
      assert.equal(currentContext().requestId, 'req-1');
      s.end();
    });
  });
});
