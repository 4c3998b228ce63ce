import type { Context, SpanContext, TraceState as ApiTraceState, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { contextWithSpan } from '#internal/context';
import { Span } from '../span.js';
import { NonRecordingSpan } from '../non-recording-span.js';
import { KNOWN_FLAGS, formatTraceparent, traceparentFlags, trimOws } from './traceparent.js';
import { isValidSpanId, isValidTraceId } from './hex.js';
import { LazyTraceStateSpanContext, RemoteSpan } from './remote-span.js';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

interface SpanLike {
  spanContext(): SpanContext;
}

/** The span context stored in `context`, if any (what `trace.getSpanContext` does, without the indirection). */
export function spanContextOf(context: Context): SpanContext | undefined {
  const span = context.getValue(SPAN_KEY) as SpanLike | undefined;
  return span === undefined ? undefined : span.spanContext();
}

/** True when an SDK exporter or instrumentation asked not to trace (and so not to propagate). */
export function isSuppressed(context: Context): boolean {
  return context.getValue(SUPPRESS_TRACING_KEY) === true;
}

/**
 * The one `traceparent` in a header read that is not a plain 55-character value: a field repeated
 * on the wire arrives joined with `,` (node:http, fetch's Headers) or as an array (other carriers).
 * Identical repeats count as one header; repeats that differ give undefined, since no one can tell
 * which is right (the W3C test suite expects a new trace then).
 */
function single(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.indexOf(',') === -1) return value;
    return same(value.split(','));
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const parts: unknown[] = [];
  for (const v of value as unknown[]) {
    if (typeof v !== 'string') return undefined;
    for (const p of v.split(',')) parts.push(p);
  }
  return same(parts);
}

/** The common value of `parts` (OWS trimmed), or undefined when any differs. */
function same(parts: readonly unknown[]): string | undefined {
  const first = parts[0];
  if (typeof first !== 'string') return undefined;
  const v = trimOws(first);
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (typeof p !== 'string' || trimOws(p) !== v) return undefined;
  }
  return v;
}

/**
 * Sets `traceparent` (and `tracestate`) for `span`. Spans whose ids are valid by construction (the
 * tracer's, drawn from crypto randomness and never all zero; remote parents whose header we
 * validated) are formatted directly; any other span context is validated first (Trace Context
 * §3.2: an invalid one is not propagated).
 */
function injectSpan(span: SpanLike, carrier: unknown, setter: TextMapSetter): void {
  let ts: ApiTraceState | undefined;
  if (span instanceof Span) {
    setter.set(carrier, TRACEPARENT, formatTraceparent(span.traceId, span.spanId, span.traceFlags));
    ts = span._traceStateObj;
  } else if (span instanceof RemoteSpan) {
    setter.set(carrier, TRACEPARENT, formatTraceparent(span._traceId, span._spanId, span._flags));
    ts = span._sc.traceState;
  } else if (span instanceof NonRecordingSpan && span._tb !== undefined) {
    setter.set(carrier, TRACEPARENT, formatTraceparent(span.traceId, span.spanId, span.traceFlags));
    ts = span.traceState;
  } else {
    const sc = span.spanContext();
    const traceId = sc.traceId;
    const spanId = sc.spanId;
    if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return;
    setter.set(carrier, TRACEPARENT, formatTraceparent(traceId, spanId, sc.traceFlags));
    ts = sc.traceState;
  }
  if (ts !== undefined) {
    const value = ts.serialize();
    if (value.length > 0) setter.set(carrier, TRACESTATE, value);
  }
}

/**
 * W3C Trace Context Level 2 propagator (`traceparent` + `tracestate`), implementing the
 * `@opentelemetry/api` TextMapPropagator. Malformed input is ignored (the context is returned
 * unchanged) and never throws.
 *
 * Cost notes: `extract` validates the header in one pass of `charCodeAt` (no regex, no split),
 * builds a plain four-field span context, and sets the remote span into the context's span slot
 * without copying it; `tracestate` is kept raw and parsed only when read.
 * @example
 * import { propagation } from '@opentelemetry/api';
 * propagation.setGlobalPropagator(new W3CTraceContextPropagator());
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const span = context.getValue(SPAN_KEY) as SpanLike | undefined;
      if (span === undefined || span === null || context.getValue(SUPPRESS_TRACING_KEY) === true) return;
      injectSpan(span, carrier, setter);
    } catch {
      // A throwing setter or span is the caller's bug; propagation must not break the request.
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const raw = getter.get(carrier, TRACEPARENT);
      let h = typeof raw === 'string' && raw.length === 55 ? raw : single(raw);
      if (h === undefined) return context;
      if (h.length !== 55) h = trimOws(h);
      const flags = traceparentFlags(h);
      // §3.2: an invalid traceparent means tracestate is not parsed either.
      if (flags < 0) return context;
      const traceId = h.slice(3, 35);
      const spanId = h.slice(36, 52);
      const rawState = getter.get(carrier, TRACESTATE);
      const sc: SpanContext =
        rawState === undefined || rawState === '' || (Array.isArray(rawState) && rawState.length === 0)
          ? { traceId, spanId, traceFlags: flags & KNOWN_FLAGS, isRemote: true }
          : new LazyTraceStateSpanContext(traceId, spanId, flags, rawState);
      return contextWithSpan(context, new RemoteSpan(sc));
    } catch {
      return context;
    }
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
