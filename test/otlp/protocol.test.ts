import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { OtlpSpanExporter, OtlpLogDestination, encodeTraces, encodeLogs, lineToLogRecord } from 'sightline/otlp';
import type { OtlpExporterOptions, SpanRecord } from 'sightline/otlp';
import { sightline } from 'sightline';
import { OtlpTestCollector } from '../support/otlp-collector.js';
import { withSyncCollector } from '../support/sync-collector.js';
import { logsFromProtobuf } from '../support/otlp-schema.js';

let c: OtlpTestCollector;
before(async () => { c = await OtlpTestCollector.start(); });
after(async () => { await c.stop(); });

function reset(): void {
  c.mode = 'ok';
  c.script.length = 0;
  c.requests.length = 0;
}

const resource = { attributes: { 'service.name': 'proto', big: 2n ** 60n } };

function spans(n: number): SpanRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: undefined,
    traceState: undefined, traceFlags: 1, name: `op-${i}`, kind: 1, startTime: 1700000000000.5 + i, endTime: 1700000000002 + i,
    attributes: { i, id: 9007199254740993n, ratio: 0.25, tags: ['a', 'b'] }, droppedAttributesCount: 0,
    events: [{ name: 'e', time: 1700000000001, attributes: {}, droppedAttributesCount: 0 }], droppedEventsCount: 0,
    links: [], droppedLinksCount: 0, status: { code: 1 }, resource, scope: { name: 'test', version: '1' },
  }));
}

function exporter(over: OtlpExporterOptions = {}): OtlpSpanExporter {
  return new OtlpSpanExporter({ url: c.url('traces'), timeoutMillis: 2000, env: {}, ...over });
}

function protocolOf(o: OtlpExporterOptions): string | undefined {
  let got: string | undefined;
  try {
    new OtlpSpanExporter({ url: 'http://127.0.0.1:1/v1/traces', env: {}, ...o });
    got = 'ok';
  } catch (e) {
    got = `${(e as { code: string }).code} ${(e as { field: string }).field}`;
  }
  return got;
}

test('default protocol is http/protobuf: gzip protobuf POSTed with content-type application/x-protobuf, decoding to the JSON form', async () => {
  reset();
  const batch = spans(3);
  const e = exporter();
  assert.deepEqual(await e.export(batch), { code: 0 });
  const req = c.requests[0]!;
  assert.equal(req.path, '/v1/traces');
  assert.equal(req.headers['content-type'], 'application/x-protobuf');
  assert.equal(req.headers['content-encoding'], 'gzip');
  assert.equal(req.protobuf, true, 'the body decodes with the official schema');
  assert.deepEqual(req.json, JSON.parse(JSON.stringify(encodeTraces(batch))), 'same content as the JSON encoding');
  const s = req.json.resourceSpans[0].scopeSpans[0].spans[0];
  assert.deepEqual(s.attributes.find((kv: any) => kv.key === 'id').value, { intValue: '9007199254740993' });
  assert.deepEqual(req.json.resourceSpans[0].resource.attributes[1].value, { intValue: '1152921504606846976' });
  assert.equal(e.stats().exported, 3);
  await e.shutdown();
});

test('http/json on request (option or variable): JSON with content-type application/json; compression none sends raw bytes', async () => {
  reset();
  const batch = spans(2);
  const a = exporter({ protocol: 'http/json', compression: 'none' });
  const b = exporter({ env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' } });
  const p = exporter({ compression: 'none' });
  for (const e of [a, b, p]) assert.equal((await e.export(batch)).code, 0);
  const [ra, rb, rp] = c.requests;
  assert.equal(ra!.headers['content-type'], 'application/json');
  assert.equal(ra!.headers['content-encoding'], undefined);
  assert.deepEqual(JSON.parse(ra!.raw.toString('utf8')), JSON.parse(JSON.stringify(encodeTraces(batch))));
  assert.equal(rb!.headers['content-type'], 'application/json');
  assert.equal(rp!.headers['content-type'], 'application/x-protobuf');
  assert.equal(rp!.headers['content-encoding'], undefined);
  assert.deepEqual(rp!.json, ra!.json, 'protobuf and JSON requests carry the same payload');
  for (const e of [a, b, p]) await e.shutdown();
});

test('protocol resolution: option, then the per-signal variable, then OTEL_EXPORTER_OTLP_PROTOCOL; values are case-insensitive', async () => {
  reset();
  const cases: [OtlpExporterOptions, string][] = [
    [{}, 'application/x-protobuf'],
    [{ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } }, 'application/json'],
    [{ env: { OTEL_EXPORTER_OTLP_PROTOCOL: ' HTTP/JSON ' } }, 'application/json'],
    [{ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' } }, 'application/x-protobuf'],
    [{ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '' } }, 'application/json'],
    [{ protocol: 'http/protobuf', env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' } }, 'application/x-protobuf'],
    [{ protocol: 'http/json', env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }, 'application/json'],
  ];
  for (const [o, want] of cases) {
    const e = exporter(o);
    await e.export(spans(1));
    assert.equal(c.requests.at(-1)!.headers['content-type'], want, JSON.stringify(o));
    await e.shutdown();
  }
  // the logs variable is for logs only
  assert.equal(protocolOf({ env: { OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc' } }), 'ok');
});

test('an unsupported protocol fails at start with SL_ERR_OTLP_UNSUPPORTED_PROTOCOL naming the option or variable', () => {
  assert.equal(protocolOf({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }), 'SL_ERR_OTLP_UNSUPPORTED_PROTOCOL OTEL_EXPORTER_OTLP_PROTOCOL');
  assert.equal(protocolOf({ env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/xml' } }), 'SL_ERR_OTLP_UNSUPPORTED_PROTOCOL OTEL_EXPORTER_OTLP_TRACES_PROTOCOL');
  assert.equal(protocolOf({ protocol: 'grpc' as never }), 'SL_ERR_OTLP_UNSUPPORTED_PROTOCOL protocol');
  assert.throws(() => new OtlpSpanExporter({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }), (e: Error) => /"grpc" is not supported: use "http\/protobuf" \(the default\) or "http\/json"; gRPC is not built in/.test(e.message));
  assert.throws(() => new OtlpLogDestination({ env: { OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'json' } }), { code: 'SL_ERR_OTLP_UNSUPPORTED_PROTOCOL', field: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL' });
  // through sightline(): the exporter is built at start, so the mistake surfaces there
  assert.throws(
    () => sightline({ service: 'x', admin: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }),
    { code: 'SL_ERR_OTLP_UNSUPPORTED_PROTOCOL', field: 'OTEL_EXPORTER_OTLP_PROTOCOL' },
  );
});

test('a protobuf partialSuccess answer is read: rejected items counted, not retried', async () => {
  reset();
  c.mode = 'partial';
  c.partialRejected = 2;
  const e = exporter();
  assert.equal((await e.export(spans(5))).code, 0);
  assert.equal(c.requests.length, 1);
  assert.equal(c.requests[0]!.headers['content-type'], 'application/x-protobuf');
  assert.deepEqual([e.stats().rejected, e.stats().exported], [2, 3]);
  await e.shutdown();
});

test('a malformed protobuf answer counts nothing as rejected', async () => {
  const bodies = [Buffer.from([0x0a, 0x05, 0x08]), Buffer.from([0x0a, 0x02, 0x08, 0xff]), Buffer.from([0x0f]), Buffer.from('{"partialSuccess":{"rejectedSpans":"3"}}')];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(bodies.shift()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  try {
    const e = new OtlpSpanExporter({ url, env: {} });
    for (let i = 0; i < 4; i++) assert.equal((await e.export(spans(1))).code, 0);
    assert.deepEqual([e.stats().rejected, e.stats().exported], [0, 4]);
    await e.shutdown();
  } finally {
    server.close();
  }
});

test('log destination: protobuf by default, decoding to the JSON form of the same records; partialSuccess counted', async () => {
  reset();
  const lines = [
    `${JSON.stringify({ time: 1700000000001, level: 30, msg: 'hello', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', order: { id: 2 ** 53 + 2, items: [1, 2] } })}\n`,
    'plain text line\n',
  ];
  const d = new OtlpLogDestination({ url: c.url('logs'), env: {}, resource: { attributes: { 'service.name': 'shop' } }, scheduleDelayMillis: 60_000 });
  d.write(lines[0]!, 30);
  d.write(lines[1]!, 50);
  await d.flush();
  const req = c.requests[0]!;
  assert.equal(req.path, '/v1/logs');
  assert.equal(req.headers['content-type'], 'application/x-protobuf');
  assert.equal(req.protobuf, true);
  const records = req.json.resourceLogs[0].scopeLogs[0].logRecords;
  const now = Number(BigInt(records[1].timeUnixNano) / 1_000_000n); // the non-JSON line is stamped when encoded
  const expected = encodeLogs(lines.map((l, i) => lineToLogRecord(l, [30, 50][i]!, { attributes: { 'service.name': 'shop' } }, { name: 'sightline' }, now)));
  assert.deepEqual(req.json, JSON.parse(JSON.stringify(expected)));
  assert.deepEqual(records[0].attributes[0].value.kvlistValue.values[0].value, { intValue: '9007199254740994' });

  c.mode = 'partial';
  c.partialRejected = 1;
  d.write(lines[1]!, 30);
  await d.flush();
  assert.deepEqual([d.stats().otlp.rejected, d.stats().otlp.exported], [1, 2]);
  await d.close();
});

test('flushSync sends protobuf too (content-type application/x-protobuf, official schema decodes it)', async () => {
  await withSyncCollector(async (base, next) => {
    const d = new OtlpLogDestination({ url: `${base}/v1/logs`, env: {}, scheduleDelayMillis: 60_000, flushSyncTimeoutMillis: 10_000 });
    d.write(`${JSON.stringify({ time: 1700000000001, msg: 'at exit', n: 2 ** 60 })}\n`, 40);
    const got = next();
    d.flushSync();
    assert.equal(d.stats().otlp.exported, 1);
    const msg = await got;
    assert.equal(msg.path, '/v1/logs');
    assert.equal(msg.contentType, 'application/x-protobuf');
    const r = logsFromProtobuf(msg.body).resourceLogs[0].scopeLogs[0].logRecords[0];
    assert.deepEqual([r.body, r.severityText, r.attributes[0]], [{ stringValue: 'at exit' }, 'WARN', { key: 'n', value: { intValue: '1152921504606846976' } }]);
    await d.close();
  });
});
