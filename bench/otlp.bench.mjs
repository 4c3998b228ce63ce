// OTLP encoding: Sightline's own protobuf and JSON encoders against @opentelemetry/otlp-transformer's
// ProtobufTraceSerializer / JsonTraceSerializer, each encoding a batch of 512 finished spans made
// by its own tracer (same names, attributes, one event each), so each starts from its own span
// representation, as its exporter does. Checks first that both protobuf bodies decode to the same
// span count, so the rows compare equal work.
import { compare, printTable, machine } from './lib/harness.mjs';
import { TracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from 'sightline/trace';
import { encodeTraces, encodeTracesProtobuf, encodeLogsProtobuf, encodeLogs, lineToLogRecord } from 'sightline/otlp';
import { BasicTracerProvider, SimpleSpanProcessor as OtelSimple, InMemorySpanExporter as OtelMemory } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';

const BATCH = 512;

function makeSpans(tracer) {
  for (let i = 0; i < BATCH; i++) {
    const s = tracer.startSpan('GET /users/:id');
    s.setAttribute('http.request.method', 'GET');
    s.setAttribute('http.route', '/users/:id');
    s.setAttribute('http.response.status_code', 200);
    s.setAttribute('url.path', `/users/${i}`);
    s.setAttribute('server.duration_ratio', 0.25 + i / 1e4);
    s.addEvent('cache miss', { 'cache.key': `user:${i}` });
    s.end();
  }
}

const ourExporter = new InMemorySpanExporter();
const ours = new TracerProvider({ service: 'bench', env: {}, processors: [new SimpleSpanProcessor(ourExporter)] });
makeSpans(ours.getTracer('bench'));
const ourSpans = ourExporter.getFinishedSpans();

const otelExporter = new OtelMemory();
const otel = new BasicTracerProvider({ spanProcessors: [new OtelSimple(otelExporter)] });
makeSpans(otel.getTracer('bench'));
const otelSpans = otelExporter.getFinishedSpans();

if (ourSpans.length !== BATCH || otelSpans.length !== BATCH) throw new Error(`spans: ${ourSpans.length} / ${otelSpans.length}`);
const ourBody = encodeTracesProtobuf(ourSpans);
const otelBody = ProtobufTraceSerializer.serializeRequest(otelSpans);
if (otelBody === undefined || ourBody.length === 0) throw new Error('an encoder produced nothing');

let sink = 0;
const opts = { iterations: 20, rounds: 15, warmup: 3 };
console.log(`\n# otlp\n\nMachine: ${machine()}\nBatch: ${BATCH} spans, 5 attributes and 1 event each; protobuf body ${ourBody.length} bytes (ours) / ${otelBody.length} bytes (otlp-transformer)`);
const pb = await compare({
  ours: () => { sink += encodeTracesProtobuf(ourSpans).length; },
  otel: () => { sink += ProtobufTraceSerializer.serializeRequest(otelSpans).length; },
}, opts);
const js = await compare({
  ours: () => { sink += JSON.stringify(encodeTraces(ourSpans)).length; },
  otel: () => { sink += JsonTraceSerializer.serializeRequest(otelSpans).length; },
}, opts);

// Logs: our own encoders only (the peer's log serializer needs the OTel logs SDK's records);
// 512 log lines parsed into records, encoded as protobuf vs as JSON.
const resource = { attributes: { 'service.name': 'bench' } };
const scope = { name: 'sightline' };
const records = Array.from({ length: BATCH }, (_, i) => lineToLogRecord(JSON.stringify({ time: 1700000000000 + i, level: 30, msg: 'order placed', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', orderId: i, user: { id: `u${i}`, plan: 'pro' } }), 30, resource, scope, 1700000000000));
const logs = await compare({
  ours: () => { sink += encodeLogsProtobuf(records).length; },
  json: () => { sink += JSON.stringify(encodeLogs(records)).length; },
}, opts);
if (sink === 0) throw new Error('nothing encoded');

printTable('otlp', [
  { case: `encode ${BATCH} spans, protobuf`, ours: pb.ours, peer: pb.otel, peerName: 'otlp-transformer ProtobufTraceSerializer', target: 1 },
  { case: `encode ${BATCH} spans, JSON`, ours: js.ours, peer: js.otel, peerName: 'otlp-transformer JsonTraceSerializer', target: 1 },
  { case: `encode ${BATCH} log records, protobuf vs our JSON`, ours: logs.ours, peer: logs.json, peerName: 'sightline JSON', target: undefined },
]);
