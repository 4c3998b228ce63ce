/**
 * `sightline/trace`: an OpenTelemetry-compatible tracer on the shared request context.
 * @example
 * import { TracerProvider } from 'sightline/trace';
 * const provider = new TracerProvider({ service: 'checkout' }).register();
 * await provider.getTracer('checkout').span('charge card', async (span) => { … });
 */
export { ExportResultCode } from './exporter.js';
export type { ExportResult, SpanExporter } from './exporter.js';
export type { SpanProcessor } from './processor.js';
export type { SpanRecord, ScopeData, SpanEventData, SpanLinkData } from './span-record.js';
export type { Attributes, AttributeValue } from './attributes.js';
export { TracerProvider } from './provider.js';
export type { TracerProviderOptions, TraceStats, RegisterOptions } from './provider.js';
export { activeSpan } from './tracer.js';
export type { Tracer } from './tracer.js';
export type { SpanFunction } from './tracer.js';
export type { Span } from './span.js';
export { NonRecordingSpan } from './non-recording-span.js';
export { SightlineContextManager } from './context-manager.js';
export {
  AlwaysOnSampler,
  AlwaysOffSampler,
  TraceIdRatioSampler,
  ParentBasedSampler,
  BuiltinSampler,
  samplerFromName,
} from './sampler.js';
export type { ParentBasedOptions, SamplerName } from './sampler.js';
export { BatchSpanProcessor } from './batch-span-processor.js';
export type { BatchOptions, BatchStats } from './batch-span-processor.js';
export { SimpleSpanProcessor } from './simple-span-processor.js';
export { TailSamplingProcessor } from './tail-sampling-processor.js';
export type { TailSamplingOptions, TailSamplingStats } from './tail-sampling-processor.js';
export { RecentTraces } from './recent-traces.js';
export type { RecentTracesOptions, TraceSummary } from './recent-traces.js';
export { InMemorySpanExporter } from './memory-span-exporter.js';
export { createResource, parseResourceAttributes } from './resource.js';
export type { ResourceData, ResourceOptions } from './resource.js';
export type { SpanLimits } from './limits.js';
export { newTraceId, newSpanId } from './ids.js';
export {
  W3CTraceContextPropagator,
  W3CBaggagePropagator,
  B3Propagator,
  CompositePropagator,
  TraceState,
  createPropagator,
  propagatorFromEnv,
  parseTraceparent,
  formatTraceparent,
} from './propagation/index.js';
export type { B3PropagatorOptions, PropagatorName, Traceparent } from './propagation/index.js';
