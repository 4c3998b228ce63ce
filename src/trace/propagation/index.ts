/**
 * Propagation: W3C Trace Context Level 2, W3C Baggage, B3, and a composite built from
 * OTEL_PROPAGATORS. Every propagator implements `@opentelemetry/api`'s TextMapPropagator.
 *
 * Re-exported by `sightline/trace` (src/trace/index.ts): W3CTraceContextPropagator,
 * W3CBaggagePropagator, B3Propagator, CompositePropagator, TraceState, createPropagator,
 * propagatorFromEnv, parseTraceparent, formatTraceparent, and the types B3PropagatorOptions,
 * PropagatorName, Traceparent.
 * @example
 * import { propagation } from '@opentelemetry/api';
 * import { propagatorFromEnv } from 'sightline/trace';
 * propagation.setGlobalPropagator(propagatorFromEnv());
 */
export { W3CTraceContextPropagator } from './w3c-trace-context.js';
export { W3CBaggagePropagator } from './baggage.js';
export { B3Propagator } from './b3.js';
export type { B3PropagatorOptions } from './b3.js';
export { CompositePropagator, createPropagator, propagatorFromEnv, DEFAULT_PROPAGATORS } from './composite.js';
export type { PropagatorName } from './composite.js';
export { TraceState } from './trace-state.js';
export { parseTraceparent, formatTraceparent } from './traceparent.js';
export type { Traceparent } from './traceparent.js';
