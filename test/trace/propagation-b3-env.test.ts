import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import { B3Propagator, CompositePropagator, W3CTraceContextPropagator, createPropagator, propagatorFromEnv } from '../../src/trace/propagation/index.js';

const TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SID = '00f067aa0ba902b7';
const single = new B3Propagator();
const multi = new B3Propagator({ injectEncoding: 'multi' });

function sc(p: { extract: (c: Context, carrier: unknown, g: typeof defaultTextMapGetter) => Context }, headers: Record<string, string>): SpanContext | undefined {
  return trace.getSpanContext(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TID, spanId: SID, traceFlags: 1 });

test('b3 single: inject and extract', () => {
  const carrier: Record<string, string> = {};
  single.inject(ctx, carrier, defaultTextMapSetter);
  assert.deepEqual(carrier, { b3: `${TID}-${SID}-1` });
  assert.deepEqual(sc(single, carrier), { traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
  assert.equal(sc(single, { b3: `${TID}-${SID}-d-${SID}` })?.traceFlags, 1, 'debug means sampled');
  assert.equal(sc(single, { b3: `${TID}-${SID}-0` })?.traceFlags, 0);
  assert.equal(sc(single, { b3: `${SID}-${SID}` })?.traceId, `0000000000000000${SID}`, '64-bit trace id padded');
});

test('b3 single: malformed values are ignored', () => {
  for (const b3 of ['1', '0', 'd', `${TID}`, `${TID}-${SID}-x`, `${TID.toUpperCase()}-${SID}-1`, `${'0'.repeat(32)}-${SID}-1`,
    `${TID}-${'0'.repeat(16)}-1`, `${TID}-${SID}-1-zz`, `${TID}-${SID}-1-${SID}-x`, `${TID}-${SID}-true`]) {
    assert.equal(sc(single, { b3 }), undefined, b3);
  }
});

test('b3 multi: inject and extract', () => {
  const carrier: Record<string, string> = {};
  multi.inject(ctx, carrier, defaultTextMapSetter);
  assert.deepEqual(carrier, { 'x-b3-traceid': TID, 'x-b3-spanid': SID, 'x-b3-sampled': '1' });
  assert.deepEqual(sc(multi, carrier), { traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
  assert.equal(sc(multi, { 'x-b3-traceid': TID, 'x-b3-spanid': SID, 'x-b3-flags': '1' })?.traceFlags, 1);
  assert.equal(sc(multi, { 'x-b3-traceid': TID, 'x-b3-spanid': SID, 'x-b3-sampled': 'maybe' }), undefined);
  assert.equal(sc(multi, { 'x-b3-traceid': TID, 'x-b3-spanid': 'nope' }), undefined);
  assert.equal(sc(multi, { 'x-b3-traceid': TID, 'x-b3-spanid': SID, 'x-b3-parentspanid': 'bad' }), undefined);
});

test('property: random b3 headers never throw and anything accepted is well-formed', () => {
  fc.assert(fc.property(fc.string({ maxLength: 90 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 20 }), (b3, t, s) => {
    for (const got of [sc(single, { b3 }), sc(multi, { 'x-b3-traceid': t, 'x-b3-spanid': s })]) {
      if (got === undefined) continue;
      assert.match(got.traceId, /^[0-9a-f]{32}$/);
      assert.match(got.spanId, /^[0-9a-f]{16}$/);
    }
  }), { numRuns: 2000 });
});

function fieldsOf(env: Record<string, string | undefined>): string[] {
  return propagatorFromEnv(env).fields().sort();
}

test('OTEL_PROPAGATORS: default and empty mean tracecontext,baggage', () => {
  assert.deepEqual(fieldsOf({}), ['baggage', 'traceparent', 'tracestate']);
  assert.deepEqual(fieldsOf({ OTEL_PROPAGATORS: '' }), ['baggage', 'traceparent', 'tracestate']);
});

test('OTEL_PROPAGATORS: each name, none, and unknown names warned once and ignored', () => {
  assert.deepEqual(fieldsOf({ OTEL_PROPAGATORS: 'b3' }), ['b3']);
  assert.deepEqual(fieldsOf({ OTEL_PROPAGATORS: 'b3multi' }), ['x-b3-flags', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
  assert.deepEqual(fieldsOf({ OTEL_PROPAGATORS: 'none' }), []);
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => { writes.push(String(chunk)); return true; });
  try {
    assert.deepEqual(fieldsOf({ OTEL_PROPAGATORS: 'tracecontext, jaeger' }), ['traceparent', 'tracestate']);
    assert.deepEqual(fieldsOf({ OTEL_PROPAGATORS: 'jaeger,tracecontext' }), ['traceparent', 'tracestate']);
  } finally {
    process.stderr.write = orig;
  }
  assert.equal(writes.filter((w) => w.includes('jaeger')).length, 1);
});

test('createPropagator: unknown name is a coded configuration error', () => {
  assert.throws(() => createPropagator(['tracecontext', 'xray' as 'b3']), { code: 'SL_ERR_TRACE_PROPAGATOR_UNKNOWN', field: 'propagators[1]' });
});

test('composite through the global API: W3C and B3 injected, later extractor wins, a throwing one is skipped', () => {
  const broken = { inject() { throw new Error('x'); }, extract() { throw new Error('x'); }, fields: () => [] };
  propagation.setGlobalPropagator(new CompositePropagator([broken, new W3CTraceContextPropagator(), single]));
  try {
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    assert.equal(carrier['traceparent'], `00-${TID}-${SID}-01`);
    assert.equal(carrier['b3'], `${TID}-${SID}-1`);
    const other = 'aaaaaaaaaaaaaaaa';
    const got = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: `00-${TID}-${SID}-01`, b3: `${TID}-${other}-1` }));
    assert.equal(got?.spanId, other);
  } finally {
    propagation.disable();
  }
});
