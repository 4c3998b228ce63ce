import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeLogs, encodeLogsProtobuf, encodeTraces, encodeTracesProtobuf, lineToLogRecord } from 'sightline/otlp';
import type { LogRecordData, SpanRecord } from 'sightline/otlp';
import { spanRecord } from '../support/span-fixture.js';
import { TracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from 'sightline/trace';
import { checkLogsJson, checkTracesJson, logsFromProtobuf, officialProtobuf, tracesFromProtobuf } from '../support/otlp-schema.js';

// Every protobuf payload is decoded with the official opentelemetry-proto schema (the protobufjs
// module of @opentelemetry/otlp-transformer) and must equal, field by field, what the JSON
// encoder writes for the same input; its bytes must also be those the official encoder writes
// for that JSON form (same fields, canonical order).

const resource = { attributes: { 'service.name': 'checkout', 'service.version': '1.2.3' }, droppedAttributesCount: 3, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' };
const scope = { name: 'sightline', version: '0.1.0', schemaUrl: 'https://example.com/scope' };

/** Attributes of every kind the encoders know, boundaries included. */
const EVERY_KIND: Record<string, any> = {
  str: 'GET',
  empty: '',
  unicode: 'grüße 🚀 日本',
  longAscii: 'x'.repeat(300),
  longUnicode: 'é'.repeat(100), // 42+ UTF-16 units, 200 bytes: a two-byte length
  huge: 'ab'.repeat(40_000), // three-byte length
  yes: true,
  no: false,
  zero: 0,
  negZero: -0,
  int: 200,
  neg: -5,
  int32Min: -(2 ** 31),
  past32: 2 ** 32 + 7,
  maxSafe: Number.MAX_SAFE_INTEGER,
  past53: 2 ** 53 + 2,
  big60: 2 ** 60,
  negBig: -(2 ** 62),
  int64Min: -(2 ** 63),
  past63: 2 ** 63, // int64 cannot hold it: a double
  e300: 1e300,
  ratio: 0.5,
  negRatio: -1.25e-7,
  nan: NaN,
  inf: Infinity,
  negInf: -Infinity,
  bigint: 8345678901234567890n,
  bigintMax: 2n ** 63n - 1n,
  bigintMin: -(2n ** 63n),
  bigintNeg: -42n,
  bigintOutOfRange: 2n ** 64n, // kept exactly, as a string
  strings: ['a', '', null, 'c'],
  numbers: [1, 2.5, -3, 2 ** 60, undefined],
  bools: [true, false],
  bigints: [1n, -(2n ** 40n)],
  none: [],
};

function span(over: Partial<SpanRecord> = {}): SpanRecord {
  return spanRecord({
    attributes: EVERY_KIND,
    droppedAttributesCount: 1,
    events: [
      { name: 'exception', time: 1700000000124.25, attributes: { 'exception.message': 'boom', code: 7n }, droppedAttributesCount: 2 },
      { name: 'bare', time: 1700000000124.5, attributes: {}, droppedAttributesCount: 0 },
    ],
    droppedEventsCount: 2,
    links: [
      { traceId: 'b'.repeat(32), spanId: 'c'.repeat(16), traceState: 'a=1', traceFlags: 1, attributes: { why: 'batch', n: 3 }, droppedAttributesCount: 4 },
      { traceId: 'd'.repeat(32), spanId: 'e'.repeat(16), attributes: {}, droppedAttributesCount: 0 },
    ],
    droppedLinksCount: 5,
    resource,
    scope,
    ...over,
  });
}

/** JSON form of the JSON encoder's output (what goes over the wire, parsed back). */
function jsonForm(payload: unknown): any {
  return JSON.parse(JSON.stringify(payload));
}

function assertTracesAgree(spans: readonly SpanRecord[]): any {
  const json = jsonForm(encodeTraces(spans));
  checkTracesJson(json); // the JSON form itself is schema-valid
  const wire = encodeTracesProtobuf(spans);
  const decoded = tracesFromProtobuf(wire);
  assert.deepEqual(decoded, json, 'protobuf decodes to the JSON encoder\'s payload');
  assert.ok(wire.equals(officialProtobuf('traces', json)), 'the same bytes as the official encoder writes for that payload');
  return decoded;
}

function assertLogsAgree(records: readonly LogRecordData[]): any {
  const json = jsonForm(encodeLogs(records));
  checkLogsJson(json);
  const wire = encodeLogsProtobuf(records);
  const decoded = logsFromProtobuf(wire);
  assert.deepEqual(decoded, json, 'protobuf decodes to the JSON encoder\'s payload');
  assert.ok(wire.equals(officialProtobuf('logs', json)), 'the same bytes as the official encoder writes for that payload');
  return decoded;
}

function attrsOf(kvs: any[]): Record<string, any> {
  return Object.fromEntries(kvs.map((kv: any) => [kv.key, kv.value]));
}

test('spans: every attribute kind, events, links, status, resource and scope agree with the JSON form', () => {
  const d = assertTracesAgree([span()]);
  const rs = d.resourceSpans[0];
  assert.equal(rs.schemaUrl, resource.schemaUrl);
  assert.equal(rs.resource.droppedAttributesCount, 3);
  assert.equal(rs.scopeSpans[0].schemaUrl, scope.schemaUrl);
  assert.deepEqual(rs.scopeSpans[0].scope, { name: 'sightline', version: '0.1.0' });
  const s = rs.scopeSpans[0].spans[0];
  assert.deepEqual(
    [s.traceId, s.spanId, s.parentSpanId, s.traceState, s.flags, s.kind, s.startTimeUnixNano, s.endTimeUnixNano],
    ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 'aaaaaaaaaaaaaaaa', 'congo=t61rcWkgMzE', 3, 2, '1700000000123250000', '1700000000125500000'],
  );
  assert.deepEqual([s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount], [1, 2, 5]);
  assert.deepEqual(s.status, { code: 2, message: 'failed' });
  assert.equal(s.events[0].timeUnixNano, '1700000000124250000');
  assert.deepEqual(attrsOf(s.events[0].attributes)['code'], { intValue: '7' });
  assert.equal(s.events[0].droppedAttributesCount, 2);
  assert.deepEqual([s.links[0].flags, s.links[0].droppedAttributesCount, s.links[1].flags], [1, 4, undefined]);
  const a = attrsOf(s.attributes);
  assert.deepEqual(a['empty'], { stringValue: '' }, 'an empty string is still a value');
  assert.deepEqual(a['no'], { boolValue: false });
  assert.deepEqual(a['zero'], { intValue: '0' });
  assert.deepEqual(a['negZero'], { intValue: '0' });
  assert.equal(a['huge'].stringValue.length, 80_000);
  assert.equal(a['unicode'].stringValue, 'grüße 🚀 日本');
  assert.deepEqual(a['nan'], { doubleValue: 'NaN' });
  assert.deepEqual(a['negInf'], { doubleValue: '-Infinity' });
  assert.deepEqual(a['ratio'], { doubleValue: 0.5 });
  assert.deepEqual(a['none'], { arrayValue: {} });
  assert.deepEqual(a['strings'].arrayValue.values, [{ stringValue: 'a' }, { stringValue: '' }, {}, { stringValue: 'c' }]);
  assert.deepEqual(a['bigints'].arrayValue.values, [{ intValue: '1' }, { intValue: '-1099511627776' }]);
});

test('integers past 2^53 and BigInts go out as intValue with their exact digits; past int64 they do not', () => {
  const d = assertTracesAgree([span()]);
  const a = attrsOf(d.resourceSpans[0].scopeSpans[0].spans[0].attributes);
  assert.deepEqual(a['past32'], { intValue: '4294967303' });
  assert.deepEqual(a['int32Min'], { intValue: '-2147483648' });
  assert.deepEqual(a['maxSafe'], { intValue: '9007199254740991' });
  assert.deepEqual(a['past53'], { intValue: '9007199254740994' });
  assert.deepEqual(a['big60'], { intValue: '1152921504606846976' });
  assert.deepEqual(a['negBig'], { intValue: '-4611686018427387904' });
  assert.deepEqual(a['int64Min'], { intValue: '-9223372036854775808' });
  assert.deepEqual(a['past63'], { doubleValue: 2 ** 63 }, '2^63 does not fit int64: a double');
  assert.deepEqual(a['e300'], { doubleValue: 1e300 });
  assert.deepEqual(a['bigint'], { intValue: '8345678901234567890' });
  assert.deepEqual(a['bigintMax'], { intValue: '9223372036854775807' });
  assert.deepEqual(a['bigintMin'], { intValue: '-9223372036854775808' });
  assert.deepEqual(a['bigintNeg'], { intValue: '-42' });
  assert.deepEqual(a['bigintOutOfRange'], { stringValue: '18446744073709551616' });
  assert.deepEqual(a['numbers'].arrayValue.values[3], { intValue: '1152921504606846976' });
  assert.deepEqual(a['numbers'].arrayValue.values[4], {});
});

test('spans: defaults left out alike; grouping by resource and scope alike; odd times clamp to 0', () => {
  const other = { attributes: { 'service.name': 'billing', n: 5n } };
  const spans = [
    span({ name: 'a', parentSpanId: undefined, traceState: '', traceFlags: 0, status: { code: 0 }, events: [], links: [], droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0, attributes: {} }),
    span({ name: 'b', scope: { name: 'pg' }, status: { code: 1, message: '' }, kind: 4 }),
    span({ name: 'c', resource: { attributes: { ...resource.attributes }, droppedAttributesCount: 3, schemaUrl: resource.schemaUrl } }),
    span({ name: 'd', resource: other, startTime: 0, endTime: NaN }),
    span({ name: 'e', resource: { attributes: { 'service.name': 'billing', n: '5' } }, startTime: -3, endTime: Infinity }),
  ];
  const d = assertTracesAgree(spans);
  assert.equal(d.resourceSpans.length, 3, 'n: 5n and n: "5" are different resources');
  assert.deepEqual(d.resourceSpans[0].scopeSpans.map((s: any) => [s.scope.name, s.spans.map((x: any) => x.name)]), [['sightline', ['a', 'c']], ['pg', ['b']]]);
  const a = d.resourceSpans[0].scopeSpans[0].spans[0];
  assert.deepEqual(Object.keys(a).sort(), ['endTimeUnixNano', 'kind', 'name', 'spanId', 'startTimeUnixNano', 'status', 'traceId']);
  assert.deepEqual(a.status, {});
  assert.deepEqual([d.resourceSpans[1].scopeSpans[0].spans[0].startTimeUnixNano, d.resourceSpans[1].scopeSpans[0].spans[0].endTimeUnixNano], ['0', '0']);
  assert.equal(d.resourceSpans[0].scopeSpans[1].spans[0].kind, 5, 'CONSUMER');
});

test('nested values: arrays and key-value lists, bytes, dates, the depth limit', () => {
  let deep: any = 'bottom';
  for (let i = 0; i < 12; i++) deep = { level: deep, list: [i] };
  const attributes: any = {
    obj: { a: 1, b: [true, { c: 'x' }], empty: {}, skip: undefined, n: null },
    bytes: new Uint8Array([0, 1, 2, 250, 255]),
    date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
    badDate: new Date(NaN),
    deep,
    fn: Symbol('s'),
  };
  const d = assertTracesAgree([span({ attributes })]);
  const a = attrsOf(d.resourceSpans[0].scopeSpans[0].spans[0].attributes);
  assert.deepEqual(a['bytes'], { bytesValue: Buffer.from([0, 1, 2, 250, 255]).toString('base64') });
  assert.deepEqual(a['date'], { stringValue: '2024-01-02T03:04:05.006Z' });
  assert.deepEqual(a['badDate'], { stringValue: 'Invalid Date' });
  assert.deepEqual(a['fn'], { stringValue: 'Symbol(s)' });
  const obj = attrsOf(a['obj'].kvlistValue.values);
  assert.deepEqual(Object.keys(obj), ['a', 'b', 'empty', 'n'], 'undefined members are skipped');
  assert.deepEqual(obj['empty'], { kvlistValue: {} });
  assert.deepEqual(obj['n'], {});
  let v = a['deep'];
  let depth = 0;
  while (v.kvlistValue !== undefined) {
    v = attrsOf(v.kvlistValue.values)['level'];
    depth++;
  }
  assert.deepEqual([depth, v], [8, { stringValue: '[depth limit]' }]);
});

test('a large batch: lengths of every size class (1 to 3 bytes) and a payload past 2 MB agree', () => {
  const { huge: _huge, ...kinds } = EVERY_KIND;
  const spans = Array.from({ length: 400 }, (_, i) => span({
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `op ${i} `.repeat(i % 50),
    attributes: { i, blob: 'z'.repeat(i % 4 === 0 ? 25_000 : 10), ...(i % 3 === 0 ? kinds : {}) },
    scope: i % 2 === 0 ? scope : { name: 'other' },
  }));
  const wire = encodeTracesProtobuf(spans);
  assert.ok(wire.length > 2 * 1024 * 1024, `payload of ${wire.length} bytes`);
  const d = assertTracesAgree(spans);
  assert.equal(d.resourceSpans[0].scopeSpans[0].spans.length + d.resourceSpans[0].scopeSpans[1].spans.length, 400);
  // the writer is reused: a small payload after a large one is not polluted by it
  assertTracesAgree([span({ attributes: { x: 1 } })]);
});

test('spans from the tracer: a BigInt set through the API comes out exact in both encodings', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ env: {}, service: 'bigint', processors: [new SimpleSpanProcessor(exporter)] });
  const s = provider.getTracer('t').startSpan('op');
  s.setAttribute('order.id', 9007199254740993n as unknown as number); // JS callers may pass one
  s.setAttribute('ids', [1n, 2n] as unknown as number[]);
  s.setAttribute('mixed', [1n, 2] as unknown as number[]); // not homogeneous: ignored
  s.end();
  const [record] = exporter.getFinishedSpans();
  const d = assertTracesAgree([record!]);
  const a = attrsOf(d.resourceSpans[0].scopeSpans[0].spans[0].attributes);
  assert.deepEqual(a['order.id'], { intValue: '9007199254740993' });
  assert.deepEqual(a['ids'], { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }] } });
  assert.equal(a['mixed'], undefined);
});

const hex = (n: number): fc.Arbitrary<string> => fc.uint8Array({ minLength: n / 2, maxLength: n / 2 }).map((b) => Buffer.from(b).toString('hex'));
const attrValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.double({ min: -(2 ** 64), max: 2 ** 64 }).map(Math.trunc),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.array(fc.bigInt(), { maxLength: 3 }),
);
const attrs = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), attrValue, { maxKeys: 6 });
const time = fc.oneof(fc.double({ min: 0, max: 4102444800000, noNaN: true }), fc.integer({ min: 1, max: 4102444800000 }));

test('property: random spans agree with the JSON form and the official encoder', () => {
  const arbSpan = fc.record({
    traceId: hex(32), spanId: hex(16), parentSpanId: fc.option(hex(16), { nil: undefined }), traceState: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    traceFlags: fc.integer({ min: 0, max: 0xffff }), name: fc.string({ unit: 'grapheme', maxLength: 80 }), kind: fc.integer({ min: 0, max: 4 }),
    startTime: time, endTime: time, attributes: attrs, droppedAttributesCount: fc.nat(1000),
    events: fc.array(fc.record({ name: fc.string(), time, attributes: attrs, droppedAttributesCount: fc.nat(10) }), { maxLength: 3 }),
    droppedEventsCount: fc.nat(10),
    links: fc.array(fc.record({ traceId: hex(32), spanId: hex(16), traceState: fc.option(fc.string(), { nil: undefined }), traceFlags: fc.option(fc.nat(255), { nil: undefined }), attributes: attrs, droppedAttributesCount: fc.nat(10) }), { maxLength: 2 }),
    droppedLinksCount: fc.nat(10),
    status: fc.record({ code: fc.constantFrom(0, 1, 2), message: fc.option(fc.string(), { nil: undefined }) }),
    resource: fc.record({ attributes: attrs }),
    scope: fc.record({ name: fc.string(), version: fc.option(fc.string(), { nil: undefined }) }),
  });
  fc.assert(fc.property(fc.array(arbSpan, { minLength: 1, maxLength: 4 }), (spans) => {
    assertTracesAgree(spans);
  }), { numRuns: 200 });
});

test('logs: records from log lines (nested fields, big numbers, non-JSON lines) agree with the JSON form', () => {
  const lines = [
    JSON.stringify({ time: 1700000000000.5, level: 40, msg: 'slow query', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: 1, db: { table: 'orders', ms: 12.5, rows: [1, 2] }, request_id: 'r1' }),
    // JSON.parse already rounded the literal to a double; its (integer) digits go out as intValue
    '{"time":"2024-01-02T03:04:05.006Z","msg":{"nested":true},"order":1234567890123456789,"past63":12345678901234567890,"neg":-9007199254740993,"f":1e400}',
    'not json at all\n',
    JSON.stringify({ msg: 'x', empty: '', no: false, nul: null, arr: [], obj: {} }),
  ];
  const records = lines.map((l, i) => lineToLogRecord(l, [40, 30, 50, 20][i]!, { attributes: { 'service.name': 'shop' } }, { name: 'sightline' }, 1700000000000));
  const d = assertLogsAgree(records);
  const rs = d.resourceLogs[0].scopeLogs[0].logRecords;
  assert.deepEqual([rs[0].severityNumber, rs[0].severityText, rs[0].body, rs[0].flags, rs[0].traceId, rs[0].spanId], [13, 'WARN', { stringValue: 'slow query' }, 1, '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7']);
  assert.equal(rs[0].timeUnixNano, '1700000000000500000');
  assert.equal(rs[0].observedTimeUnixNano, '1700000000000500000');
  const a = attrsOf(rs[1].attributes);
  assert.deepEqual(a['order'], { intValue: '1234567890123456768' }, 'the digits of the double JSON.parse made of it');
  assert.deepEqual(a['past63'], { doubleValue: Number('12345678901234567890') });
  assert.deepEqual(a['neg'], { intValue: '-9007199254740992' });
  assert.deepEqual(a['f'], { doubleValue: 'Infinity' });
  assert.equal(rs[1].body.stringValue, '{"nested":true}');
  assert.equal(rs[2].body.stringValue, 'not json at all');
  assert.equal(rs[2].traceId, undefined);
});

test('property: random log lines agree with the JSON form and the official encoder', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ msg: 'm', v }))), fc.constantFrom(10, 20, 30, 40, 50, 60)), { minLength: 1, maxLength: 5 }), (lines) => {
    assertLogsAgree(lines.map(([line, level]) => lineToLogRecord(line, level, { attributes: { 'service.name': 's' } }, { name: 'sightline' }, 1700000000000)));
  }), { numRuns: 200 });
});

test('an empty batch is an empty request', () => {
  assert.equal(encodeTracesProtobuf([]).length, 0);
  assert.deepEqual(tracesFromProtobuf(encodeTracesProtobuf([])), {});
  assert.equal(encodeLogsProtobuf([]).length, 0);
});
