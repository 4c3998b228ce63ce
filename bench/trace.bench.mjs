// Tracing: Sightline's tracer against @opentelemetry/sdk-trace-base 2.x (BasicTracerProvider,
// AsyncLocalStorageContextManager, BatchSpanProcessor feeding a no-op exporter), in one run.
// Both batch processors get the same queue (large enough not to drop within a round) and are
// flushed after every round, inside the timed section.
import { compare, printTable, machine } from './lib/harness.mjs';
import { spawnSync } from 'node:child_process';
import { TracerProvider, BatchSpanProcessor, AlwaysOffSampler, W3CTraceContextPropagator } from 'sightline/trace';

// "Unsampled vs our sampled" compares Sightline with itself, so it runs in a child process that
// never loads OpenTelemetry: a second AsyncLocalStorage instance (OTel's context manager) turns
// Node's per-instance store lookups megamorphic and would charge the peer's presence to us.
const OURS_ONLY = process.argv.includes('--ours-only');

const ITER = 20_000;
const batch = { maxQueueSize: 4 * ITER, maxExportBatchSize: 512, scheduleDelayMs: 5000, exportTimeoutMs: 30000 };
const otelBatch = { maxQueueSize: 4 * ITER, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 };

let otelExported = 0;
let oursExported = 0;
const otelNoop = { export(spans, cb) { otelExported += spans.length; cb({ code: 0 }); }, shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() };
const oursNoop = { export(spans) { oursExported += spans.length; return Promise.resolve({ code: 0 }); }, shutdown: () => Promise.resolve() };

const otelApi = OURS_ONLY ? undefined : await import('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = OURS_ONLY ? {} : await import('@opentelemetry/context-async-hooks');
const { BasicTracerProvider, BatchSpanProcessor: OtelBSP, AlwaysOffSampler: OtelOff } = OURS_ONLY ? {} : await import('@opentelemetry/sdk-trace-base');
const { W3CTraceContextPropagator: OtelW3C } = OURS_ONLY ? {} : await import('@opentelemetry/core');

if (!OURS_ONLY) otelApi.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const otelProvider = OURS_ONLY ? undefined : new BasicTracerProvider({ spanProcessors: [new OtelBSP(otelNoop, otelBatch)] });
const otelOffProvider = OURS_ONLY ? undefined : new BasicTracerProvider({ sampler: new OtelOff(), spanProcessors: [new OtelBSP(otelNoop, otelBatch)] });
const otelTracer = otelProvider?.getTracer('bench');
const otelOff = otelOffProvider?.getTracer('bench');

const ours = new TracerProvider({ sampler: 'parentbased_always_on', processors: [new BatchSpanProcessor(oursNoop, batch)] });
const oursOffProvider = new TracerProvider({ sampler: new AlwaysOffSampler(), processors: [new BatchSpanProcessor(oursNoop, batch)] });
const tracer = ours.getTracer('bench');
const off = oursOffProvider.getTracer('bench');

// Each contender gets its own copy of the code (new Function), so that V8's inline caches in one
// are not made polymorphic by the span classes of the others.
const SPAN3 = `const s = t.startSpan('GET /users/:id');
  s.setAttribute('http.method', 'GET');
  s.setAttribute('http.route', '/users/:id');
  s.setAttribute('http.status_code', 200);
  s.end();`;
const NESTED = `t.startActiveSpan('a', (a) => {
    t.startActiveSpan('b', (b) => {
      t.startActiveSpan('c', (c) => c.end());
      b.end();
    });
    a.end();
  });`;
const copy = (body, t) => new Function('t', `return function bench() { ${body} };`)(t);

const opts = { iterations: ITER, rounds: 15, warmup: 3 };
if (OURS_ONLY) {
  const r = await compare({ unsampled: copy(SPAN3, off), sampled: copy(SPAN3, tracer) }, { ...opts, after: { sampled: () => ours.forceFlush() } });
  console.log(JSON.stringify(r));
  process.exit(0);
}
console.log(`\n# trace\n\nMachine: ${machine()}`);
const r1 = await compare({ ours: copy(SPAN3, tracer), otel: copy(SPAN3, otelTracer) }, { ...opts, after: { ours: () => ours.forceFlush(), otel: () => otelProvider.forceFlush() } });
const r2 = await compare({ ours: copy(NESTED, tracer), otel: copy(NESTED, otelTracer) }, { ...opts, after: { ours: () => ours.forceFlush(), otel: () => otelProvider.forceFlush() } });
const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--ours-only'], { encoding: 'utf8' });
if (child.status !== 0) throw new Error(`ours-only run failed: ${child.stderr}`);
const r3 = JSON.parse(child.stdout.trim().split('\n').pop());
const r4 = await compare({ unsampled: copy(SPAN3, off), otelUnsampled: copy(SPAN3, otelOff) }, opts);

const rows = [
  { case: 'start span + 3 attributes + end (batch processor)', ours: r1.ours, peer: r1.otel, peerName: 'sdk-trace-base 2', target: 0.33 },
  { case: '3 nested active spans (startActiveSpan)', ours: r2.ours, peer: r2.otel, peerName: 'sdk-trace-base 2', target: 0.33 },
  { case: 'unsampled span + 3 attributes vs our sampled', ours: r3.unsampled, peer: r3.sampled, peerName: 'sightline sampled', target: 0.1 },
  { case: 'unsampled span + 3 attributes vs OTel unsampled', ours: r4.unsampled, peer: r4.otelUnsampled, peerName: 'sdk-trace-base 2', target: undefined },
];

// traceparent inject + extract through the global API (one global slot: each contender registers
// its propagator at the start of its timed round), each injecting its own tracer's active span.
const ourProp = new W3CTraceContextPropagator();
const otelProp = new OtelW3C();
const ourCtx = otelApi.trace.setSpan(otelApi.ROOT_CONTEXT, tracer.startSpan('client'));
const otelCtx = otelApi.trace.setSpan(otelApi.ROOT_CONTEXT, otelTracer.startSpan('client'));
let sink = 0;
const useProp = (p) => { otelApi.propagation.disable(); otelApi.propagation.setGlobalPropagator(p); };
const INJECT_EXTRACT = `const carrier = {};
  api.propagation.inject(ctx, carrier);
  const extracted = api.propagation.extract(api.ROOT_CONTEXT, carrier);
  sink(api.trace.getSpanContext(extracted).spanId.length);`;
const ie = (ctx, p) => { const f = new Function('api', 'ctx', 'sink', `return function bench(i) { ${INJECT_EXTRACT} };`)(otelApi, ctx, (n) => { sink += n; }); return (i) => { if (i === 0) useProp(p); f(i); }; };
const r5 = await compare({ ours: ie(ourCtx, ourProp), otel: ie(otelCtx, otelProp) }, { ...opts, iterations: 100_000 });
if (sink === 0) throw new Error('nothing propagated');
rows.push({ case: 'traceparent inject + extract (global API)', ours: r5.ours, peer: r5.otel, peerName: '@opentelemetry/core W3C', target: 0.25 });
printTable('trace', rows);
if (oursExported === 0 || otelExported === 0) throw new Error('exporters received nothing: the benchmark is not measuring export');
