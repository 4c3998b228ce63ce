import { trace } from '@opentelemetry/api';
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import { TraceState } from './trace-state.js';
import { isValidSpanId, isValidTraceId } from './hex.js';

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

/** One header value: the only one, or undefined when repeated with different values. */
function single(value: string | string[] | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const first = value[0];
  // Several different traceparent headers: we cannot know which is right, so none is.
  for (let i = 1; i < value.length; i++) if (value[i] !== first) return undefined;
  return first;
}

/**
 * W3C Trace Context Level 2 propagator (`traceparent` + `tracestate`), implementing the
 * `@opentelemetry/api` TextMapPropagator. Malformed input is ignored (the context is returned
 * unchanged) and never throws.
 * @example
 * import { propagation } from '@opentelemetry/api';
 * propagation.setGlobalPropagator(new W3CTraceContextPropagator());
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const sc = spanContextOf(context);
      if (sc === undefined || isSuppressed(context)) return;
      if (!isValidTraceId(sc.traceId) || !isValidSpanId(sc.spanId)) return;
      setter.set(carrier, TRACEPARENT, formatTraceparent(sc.traceId, sc.spanId, sc.traceFlags));
      const ts = sc.traceState;
      if (ts !== undefined) {
        const value = ts.serialize();
        if (value.length > 0) setter.set(carrier, TRACESTATE, value);
      }
    } catch {
      // A throwing setter or span is the caller's bug; propagation must not break the request.
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const tp = parseTraceparent(single(getter.get(carrier, TRACEPARENT)));
      // §3.2: an invalid traceparent means tracestate is not parsed either.
      if (tp === undefined) return context;
      const spanContext: SpanContext = {
        traceId: tp.traceId,
        spanId: tp.spanId,
        traceFlags: tp.traceFlags,
        isRemote: true,
      };
      const rawState = getter.get(carrier, TRACESTATE);
      if (rawState !== undefined) {
        const ts = TraceState.parse(rawState);
        if (ts !== undefined && ts.size > 0) spanContext.traceState = ts;
      }
      return trace.setSpanContext(context, spanContext);
    } catch {
      return context;
    }
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
