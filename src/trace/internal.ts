/**
 * What other pillars need of the tracer beyond `sightline/trace`: the Span class and its lazy
 * attributes (HTTP builds a span's attributes only if it is kept), the id validators, the
 * resource builder and the provider's option keys. Reached as `#internal/trace`, never exported.
 */
export { Span } from './span.js';
export type { LazyAttributes } from './span.js';
export { isValidSpanId, isValidTraceId } from './propagation/hex.js';
export { TRACER_PROVIDER_OPTION_KEYS } from './provider.js';
export { InMemorySpanExporter } from './memory-span-exporter.js';
