import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as api from '@opentelemetry/api';
import { currentContext, runInContext } from 'sightline/context';
import { TracerProvider, SimpleSpanProcessor, InMemorySpanExporter, SightlineContextManager } from 'sightline/trace';

// Fetched before registration: must switch over to Sightline once it registers.
const early = api.trace.getTracer('early-lib', '0.1.0');
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ env: {}, service: 'global-test', processors: [new SimpleSpanProcessor(exporter)] });

test('before registration the API is a no-op', () => {
  assert.equal(early.startSpan('noop').isRecording(), false);
});

test('register() installs provider, context manager and W3C propagator globally', async () => {
  provider.register();
  const s = early.startSpan('after-register');
  assert.equal(s.isRecording(), true);
  s.end();
  await provider.forceFlush();
  const r = exporter.getFinishedSpans().find((x) => x.name === 'after-register');
  assert.deepEqual(r?.scope, { name: 'early-lib', version: '0.1.0' });
  assert.equal(r?.resource.attributes['service.name'], 'global-test');
  assert.deepEqual(api.propagation.fields().sort(), ['baggage', 'traceparent', 'tracestate']);
});

test('API spans and Sightline context are one: active span, getSpan, traceIds for the logger', () => {
  const tracer = api.trace.getTracer('t');
  runInContext({ requestId: 'r-9' }, () => {
    const span = tracer.startSpan('parent');
    api.context.with(api.trace.setSpan(api.context.active(), span), () => {
      assert.equal(api.trace.getActiveSpan(), span);
      assert.equal(currentContext().traceIds?.spanId, span.spanContext().spanId);
      assert.equal(currentContext().requestId, 'r-9');
      const child = tracer.startSpan('child');
      assert.equal(child.spanContext().traceId, span.spanContext().traceId);
      child.end();
    });
    span.end();
    assert.equal(api.trace.getActiveSpan(), undefined);
  });
});

test('context propagates across await, setTimeout, setImmediate and bound EventEmitters', async () => {
  const tracer = api.trace.getTracer('t');
  const ee = new EventEmitter();
  const seen: Record<string, string | undefined> = {};
  const listener = (): void => {
    seen.emitter = api.trace.getActiveSpan()?.spanContext().spanId;
  };
  await tracer.startActiveSpan('op', async (span) => {
    await new Promise((r) => setTimeout(r, 1));
    seen.await = api.trace.getActiveSpan()?.spanContext().spanId;
    await new Promise<void>((r) => setTimeout(() => { seen.timeout = api.trace.getActiveSpan()?.spanContext().spanId; r(); }, 1));
    await new Promise<void>((r) => setImmediate(() => { seen.immediate = api.trace.getActiveSpan()?.spanContext().spanId; r(); }));
    api.context.bind(api.context.active(), ee);
    ee.on('ping', listener);
    const boundFn = api.context.bind(api.context.active(), () => api.trace.getActiveSpan()?.spanContext().spanId);
    setTimeout(() => { seen.boundFn = api.context.with(api.ROOT_CONTEXT, boundFn); }, 1);
    await new Promise((r) => setTimeout(r, 5));
    span.end();
    seen.expected = span.spanContext().spanId;
  });
  // emitted from outside any context: the bound emitter restores the span's context
  api.context.with(api.ROOT_CONTEXT, () => ee.emit('ping'));
  assert.ok(seen.expected);
  for (const k of ['await', 'timeout', 'immediate', 'boundFn', 'emitter']) assert.equal(seen[k], seen.expected, k);
  // removeListener works with the original listener
  ee.removeListener('ping', listener);
  assert.equal(ee.listenerCount('ping'), 0);
  ee.once('ping', listener);
  ee.off('ping', listener);
  assert.equal(ee.listenerCount('ping'), 0);
});

test('contexts made by @opentelemetry/api itself are accepted by with()', () => {
  const key = api.createContextKey('my key');
  const foreign = api.ROOT_CONTEXT.setValue(key, 'v');
  runInContext({ requestId: 'r-1' }, () => {
    api.context.with(foreign, () => {
      const active = api.context.active();
      assert.equal(active.getValue(key), 'v');
      assert.equal(currentContext().requestId, 'r-1', 'the request scope survives');
      const withSpan = api.trace.setSpan(active, api.trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true }));
      assert.equal(withSpan.getValue(key), 'v');
      assert.equal(withSpan.deleteValue(key).getValue(key), undefined);
      api.context.with(withSpan, () => {
        assert.equal(currentContext().traceIds?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
        const child = api.trace.getTracer('t').startSpan('child-of-remote');
        assert.equal(child.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
        child.end();
      });
    });
  });
});

test('inject and extract through the global API round-trip the active span', () => {
  const tracer = api.trace.getTracer('t');
  const span = tracer.startSpan('client');
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.trace.setSpan(api.context.active(), span), carrier);
  const sc = span.spanContext();
  assert.equal(carrier.traceparent, `00-${sc.traceId}-${sc.spanId}-03`);
  const extracted = api.propagation.extract(api.ROOT_CONTEXT, carrier);
  const server = tracer.startSpan('server', { kind: api.SpanKind.SERVER }, extracted);
  assert.equal(server.spanContext().traceId, sc.traceId);
  assert.equal((server as unknown as { parentSpanId: string }).parentSpanId, sc.spanId);
  server.end();
  span.end();
});

test('suppress-tracing key set through the API stops recording', () => {
  const suppressed = api.context.active().setValue(Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true);
  api.context.with(suppressed, () => {
    assert.equal(api.trace.getTracer('t').startSpan('hidden').isRecording(), false);
  });
});

test('a disabled context manager stops reporting the store to OpenTelemetry', () => {
  const m = new SightlineContextManager();
  let active: unknown;
  runInContext({ requestId: 'x' }, () => { active = m.active(); });
  assert.equal((active as { requestId?: string }).requestId, undefined, 'not enabled: root context');
  m.enable();
  runInContext({ requestId: 'x' }, () => { active = m.active(); });
  assert.equal((active as { requestId?: string }).requestId, 'x');
  m.disable();
  assert.equal(m.with(api.ROOT_CONTEXT, () => 7), 7);
});

test('attach() enters a context until disposed', () => {
  const m = new SightlineContextManager().enable();
  const key = api.createContextKey('k');
  runInContext({ requestId: 'base' }, () => {
    const token = m.attach(m.active().setValue(key, 1));
    assert.equal(m.active().getValue(key), 1);
    token.dispose();
    assert.equal(m.active().getValue(key), undefined);
    assert.equal(currentContext().requestId, 'base');
  });
});
