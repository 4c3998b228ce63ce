// traceparent inject + extract through the global @opentelemetry/api propagation API: Sightline's
// W3CTraceContextPropagator vs OpenTelemetry's (from @opentelemetry/core), each registered globally
// in turn, measured interleaved in one run. Target (issue 5): ours ≤ 0.25x of OTel's.
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator as OtelW3C } from '@opentelemetry/core';
import { W3CTraceContextPropagator } from 'sightline/trace';
import { compare, machine, printTable } from './lib/harness.mjs';

const ours = new W3CTraceContextPropagator();
const peer = new OtelW3C();
const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
const incoming = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
let sink = 0;

function register(propagator) {
  propagation.disable();
  propagation.setGlobalPropagator(propagator);
}

function roundTrip() {
  const carrier = {};
  propagation.inject(ctx, carrier);
  const extracted = propagation.extract(ROOT_CONTEXT, incoming);
  sink += carrier.traceparent.length + (trace.getSpanContext(extracted) ? 1 : 0);
}

// The global slot holds one propagator: each contender registers its own at the start of its
// timed round (one disable + set against 100k iterations, alike for both).
const results = await compare({
  sightline: (i) => { if (i === 0) register(ours); roundTrip(); },
  otel: (i) => { if (i === 0) register(peer); roundTrip(); },
}, { iterations: 100_000, rounds: 9 });

console.log(`machine: ${machine()}`);
printTable('Propagation (W3C traceparent inject + extract via the global API)', [
  { case: 'traceparent inject + extract', ours: results.sightline, peer: results.otel, peerName: '@opentelemetry/core W3CTraceContextPropagator', target: 0.25 },
]);
if (sink === 0) console.log('unexpected: nothing propagated');
