import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeLogs, encodeTraces, lineToLogRecord, severityOf, toUnixNano } from 'sightline/otlp';
import type { SpanRecord } from 'sightline/otlp';
import { spanRecord } from '../support/span-fixture.js';
import { checkLogsJson, checkTracesJson } from '../support/otlp-schema.js';

const resource = { attributes: { 'service.name': 'checkout', 'service.version': '1.2.3' } };
const scope = { name: 'sightline', version: '0.1.0' };

function span(over: Partial<SpanRecord> = {}): SpanRecord {
  return spanRecord({
    attributes: { 'http.method': 'GET', 'http.status_code': 200, ratio: 0.5, ok: true, tags: ['a', 'b'], nums: [1, 2], big: 2 ** 60 },
    droppedAttributesCount: 1,
    events: [{ name: 'exception', time: 1700000000124, attributes: { 'exception.message': 'boom' }, droppedAttributesCount: 0 }],
    droppedEventsCount: 2,
    links: [{ traceId: 'b'.repeat(32), spanId: 'c'.repeat(16), traceState: 'a=1', traceFlags: 1, attributes: { why: 'batch' }, droppedAttributesCount: 0 }],
    droppedLinksCount: 0,
    resource,
    scope,
    ...over,
  });
}

test('spans: the JSON payload decodes with the official schema, values as expected', () => {
  const payload = encodeTraces([span()]);
  const decoded = checkTracesJson(payload);
  const s = decoded.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(s.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(s.parentSpanId, 'aaaaaaaaaaaaaaaa');
  assert.equal(s.kind, 2, 'SERVER = API kind 1 + 1');
  assert.equal(s.startTimeUnixNano.toString(), '1700000000123250000');
  assert.equal(s.endTimeUnixNano.toString(), '1700000000125500000');
  assert.equal(s.status.code, 2);
  assert.equal(s.flags, 3);
  assert.equal(s.droppedEventsCount, 2);
  assert.equal(s.events[0].name, 'exception');
  assert.equal(s.links[0].traceState, 'a=1');
  const attrs = Object.fromEntries(s.attributes.map((kv: any) => [kv.key, kv.value]));
  assert.equal(attrs['http.status_code'].intValue.toString(), '200');
  assert.equal(attrs['ratio'].doubleValue, 0.5);
  assert.equal(attrs['ok'].boolValue, true);
  assert.deepEqual(attrs['tags'].arrayValue.values.map((v: any) => v.stringValue), ['a', 'b']);
  assert.equal(attrs['big'].intValue, '1152921504606846976', 'an integer beyond 2^53 still goes out as intValue, its exact digits');
  assert.equal(decoded.resourceSpans[0].scopeSpans[0].scope.version, '0.1.0');
  // the JSON itself: int64 as decimal strings, ids as hex, enums as integers
  const js = (payload.resourceSpans[0] as any).scopeSpans[0].spans[0];
  assert.equal(js.startTimeUnixNano, '1700000000123250000');
  assert.equal(js.kind, 2);
  assert.equal(js.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
});

test('spans: every API kind maps to OTLP kind + 1, status codes unchanged', () => {
  for (let kind = 0; kind <= 4; kind++) {
    for (const code of [0, 1, 2]) {
      const d = checkTracesJson(encodeTraces([span({ kind, status: { code }, parentSpanId: undefined, traceState: undefined })]));
      const s = d.resourceSpans[0].scopeSpans[0].spans[0];
      assert.equal(s.kind, kind + 1);
      assert.equal(s.status.code, code);
    }
  }
});

test('spans: grouped by resource (by value) and scope, order kept', () => {
  const other = { attributes: { 'service.name': 'billing' } };
  const spans = [
    span({ name: 'a' }),
    span({ name: 'b', scope: { name: 'pg' } }),
    span({ name: 'c', resource: { attributes: { ...resource.attributes } } }),
    span({ name: 'd', resource: other }),
  ];
  const d = checkTracesJson(encodeTraces(spans));
  assert.equal(d.resourceSpans.length, 2);
  assert.deepEqual(d.resourceSpans[0].scopeSpans.map((s: any) => [s.scope.name, s.spans.map((x: any) => x.name)]), [['sightline', ['a', 'c']], ['pg', ['b']]]);
  assert.equal(d.resourceSpans[1].scopeSpans[0].spans[0].name, 'd');
});

test('toUnixNano: exact decimal nanoseconds, no float rounding past 2^53', () => {
  assert.equal(toUnixNano(1700000000123.25), '1700000000123250000');
  assert.equal(toUnixNano(1), '1000000');
  assert.equal(toUnixNano(0.000001), '1');
  assert.equal(toUnixNano(0), '0');
  assert.equal(toUnixNano(-5), '0');
  fc.assert(fc.property(fc.integer({ min: 1, max: 4102444800000 }), fc.integer({ min: 0, max: 999 }), (ms, us) => {
    // a fraction that is exact in binary (multiples of 1/8 ms) must come out exactly
    const frac = (us % 8) / 8;
    const got = toUnixNano(ms + frac);
    assert.equal(BigInt(got), BigInt(ms) * 1_000_000n + BigInt(frac * 1e6));
  }));
});

test('attributes of every shape survive the schema (property)', () => {
  const value = fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.double(), fc.array(fc.string(), { maxLength: 3 }), fc.array(fc.double({ noNaN: true }), { maxLength: 3 }));
  fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 5 }), (attributes) => {
    checkTracesJson(encodeTraces([span({ attributes, events: [], links: [] })]));
  }), { numRuns: 200 });
});

test('logs: a JSON line becomes a record with severity, body, trace ids and attributes', () => {
  const line = JSON.stringify({ time: 1700000000000.5, level: 40, msg: 'slow query', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: 1, db: { table: 'orders', ms: 12.5 }, request_id: 'r1' }) + '\n';
  const rec = lineToLogRecord(line, 40, resource, scope, 1);
  const payload = encodeLogs([rec]);
  const d = checkLogsJson(payload);
  const r = d.resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.equal(r.severityNumber, 13);
  assert.equal(r.severityText, 'WARN');
  assert.equal(r.body.stringValue, 'slow query');
  assert.equal(r.timeUnixNano.toString(), '1700000000000500000');
  assert.equal(r.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(r.spanId, '00f067aa0ba902b7');
  assert.equal(r.flags, 1);
  const attrs = Object.fromEntries(r.attributes.map((kv: any) => [kv.key, kv.value]));
  assert.deepEqual(Object.keys(attrs).sort(), ['db', 'request_id']);
  assert.equal(attrs['db'].kvlistValue.values[0].key, 'table');
  assert.equal(d.resourceLogs[0].resource.attributes[0].value.stringValue, 'checkout');
});

test('logs: severity numbers per level, and a non-JSON line is kept whole as the body', () => {
  assert.deepEqual([10, 20, 30, 40, 50, 60].map((l) => severityOf(l).severityNumber), [1, 5, 9, 13, 17, 21]);
  const rec = lineToLogRecord('not json at all\n', 50, resource, scope, 1700000000000);
  const d = checkLogsJson(encodeLogs([rec]));
  const r = d.resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.equal(r.body.stringValue, 'not json at all');
  assert.equal(r.severityNumber, 17);
  assert.equal(r.traceId, '');
});

test('logs: random lines never throw and always encode to a schema-valid payload (property)', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), fc.constantFrom(10, 20, 30, 40, 50, 60), (line, level) => {
    checkLogsJson(encodeLogs([lineToLogRecord(line, level, resource, scope, 1700000000000)]));
  }), { numRuns: 300 });
});
