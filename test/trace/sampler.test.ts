import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, OTEL_SPAN_KEY } from 'sightline/context';
import {
  TracerProvider,
  AlwaysOnSampler,
  AlwaysOffSampler,
  TraceIdRatioSampler,
  ParentBasedSampler,
  NonRecordingSpan,
  samplerFromName,
  newTraceId,
} from 'sightline/trace';

const remote = (flags: number) => ROOT_CONTEXT.setValue(OTEL_SPAN_KEY, new NonRecordingSpan('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', flags, undefined, true));

test('always_on / always_off', () => {
  assert.equal(new AlwaysOnSampler().shouldSample(ROOT_CONTEXT, newTraceId(), 'x', 0, {}, []).decision, 2);
  assert.equal(new AlwaysOffSampler().shouldSample(ROOT_CONTEXT, newTraceId(), 'x', 0, {}, []).decision, 0);
});

test('traceidratio is deterministic per trace id and close to its ratio', () => {
  const s = new TraceIdRatioSampler(0.25);
  let kept = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const id = newTraceId();
    const d = s.shouldSample(ROOT_CONTEXT, id, 'x', 0, {}, []).decision;
    assert.equal(s.shouldSample(ROOT_CONTEXT, id, 'x', 0, {}, []).decision, d);
    if ((d as number) === 2) kept++;
  }
  // 20000 draws at p = 0.25: sd ≈ 61, so ± 500 is > 8 sd.
  assert.ok(Math.abs(kept - n / 4) < 500, `kept ${kept}`);
  // the rightmost 56 bits decide: all zero is below every threshold > 0, all f above
  assert.equal(s.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffff00000000000000', 'x', 0, {}, []).decision, 0);
  assert.equal(s.shouldSample(ROOT_CONTEXT, '000000000000000000ffffffffffffff', 'x', 0, {}, []).decision, 2);
  assert.equal(new TraceIdRatioSampler(0).shouldSample(ROOT_CONTEXT, '000000000000000000ffffffffffffff', 'x', 0, {}, []).decision, 0);
  assert.throws(() => new TraceIdRatioSampler(1.5), { code: 'SL_ERR_TRACE_INVALID_RATIO' });
});

test('the tracer takes the same decision as the sampler for a trace', () => {
  const p = new TracerProvider({ env: {}, sampler: 'traceidratio', samplerRatio: 0.5 });
  const t = p.getTracer('t');
  const s = new TraceIdRatioSampler(0.5);
  for (let i = 0; i < 200; i++) {
    const span = t.startSpan('x');
    const sc = span.spanContext();
    assert.equal((sc.traceFlags & 1) === 1, (s.shouldSample(ROOT_CONTEXT, sc.traceId, 'x', 0, {}, []).decision as number) === 2);
  }
});

test('parent-based follows the parent flag, the root sampler decides for roots', () => {
  const pb = new ParentBasedSampler({ root: new AlwaysOffSampler() });
  assert.equal(pb.shouldSample(ROOT_CONTEXT, newTraceId(), 'x', 0, {}, []).decision, 0);
  assert.equal(pb.shouldSample(remote(1), newTraceId(), 'x', 0, {}, []).decision, 2);
  assert.equal(pb.shouldSample(remote(0), newTraceId(), 'x', 0, {}, []).decision, 0);
  const t = new TracerProvider({ env: {} }).getTracer('t');
  assert.equal(t.startSpan('child', {}, remote(1)).isRecording(), true);
  assert.equal(t.startSpan('child', {}, remote(0)).isRecording(), false);
  assert.equal(t.startSpan('child', {}, remote(0)).spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
});

test('a custom Sampler object is honoured, including its attributes', () => {
  const custom = {
    shouldSample: (_c: unknown, _t: string, name: string) => (name === 'keep' ? { decision: 2, attributes: { why: 'custom' } } : { decision: 0 }),
    toString: () => 'custom',
  };
  const p = new TracerProvider({ env: {}, sampler: custom as never });
  const kept = p.getTracer('t').startSpan('keep');
  assert.equal(kept.isRecording(), true);
  assert.equal((kept as unknown as { attributes: Record<string, unknown> }).attributes.why, 'custom');
  assert.equal(p.getTracer('t').startSpan('drop').isRecording(), false);
});

test('sampler from OTEL_TRACES_SAMPLER / _ARG; empty is unset; bad values warn and fall back', () => {
  const name = (env: Record<string, string>) => new TracerProvider({ env }).sampler.toString();
  assert.equal(name({}), 'ParentBased{root=AlwaysOnSampler}');
  assert.equal(name({ OTEL_TRACES_SAMPLER: '' }), 'ParentBased{root=AlwaysOnSampler}');
  assert.equal(name({ OTEL_TRACES_SAMPLER: 'always_off' }), 'AlwaysOffSampler');
  assert.equal(name({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.2' }), 'TraceIdRatioBased{0.2}');
  assert.equal(name({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.3' }), 'ParentBased{root=TraceIdRatioBased{0.3}}');
  assert.equal(name({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }), 'TraceIdRatioBased{1}');
  assert.equal(name({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }), 'TraceIdRatioBased{1}');
  assert.equal(name({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }), 'ParentBased{root=AlwaysOnSampler}');
  // code wins over env
  assert.equal(new TracerProvider({ env: { OTEL_TRACES_SAMPLER: 'always_off' }, sampler: 'always_on' }).sampler.toString(), 'AlwaysOnSampler');
});

test('bad sampler options throw coded errors', () => {
  assert.throws(() => new TracerProvider({ sampler: 'sometimes' as never }), { code: 'SL_ERR_TRACE_INVALID_SAMPLER' });
  assert.throws(() => new TracerProvider({ sampler: 'traceidratio', samplerRatio: -1 }), { code: 'SL_ERR_TRACE_INVALID_RATIO' });
  assert.throws(() => samplerFromName('nope', 1), { code: 'SL_ERR_TRACE_INVALID_SAMPLER' });
  assert.throws(() => new ParentBasedSampler({ root: {} as never }), { code: 'SL_ERR_TRACE_INVALID_SAMPLER' });
});
