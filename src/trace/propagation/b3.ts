import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { UnknownOption } from '../errors.js';
import { contextWithSpan } from '#internal/context';
import { RemoteSpan } from './remote-span.js';
import { isSuppressed, spanContextOf } from './w3c-trace-context.js';
import { isValidSpanId, isValidTraceId } from './hex.js';

export const B3_SINGLE = 'b3';
export const B3_TRACE_ID = 'x-b3-traceid';
export const B3_SPAN_ID = 'x-b3-spanid';
export const B3_SAMPLED = 'x-b3-sampled';
export const B3_FLAGS = 'x-b3-flags';
export const B3_PARENT_SPAN_ID = 'x-b3-parentspanid';

/** Options of {@link B3Propagator}. */
export interface B3PropagatorOptions {
  /** Header layout written by `inject`: one `b3` header (default) or the `X-B3-*` set. Both are read. */
  injectEncoding?: 'single' | 'multi';
}

const B3_OPTION_KEYS = optionKeys<B3PropagatorOptions>()(['injectEncoding']);

function first(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
}

/** openzipkin/b3-propagation: 16 or 32 lowercase hex, not all zero; 64-bit ids are left-padded. */
function traceIdOf(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (s.length === 16) return isValidSpanId(s) ? `0000000000000000${s}` : undefined;
  return isValidTraceId(s) ? s : undefined;
}

function spanIdOf(s: string | undefined): string | undefined {
  return isValidSpanId(s) ? s : undefined;
}

/** Sampling state → W3C flags, or undefined when the value is not one B3 defines. */
function sampledOf(s: string | undefined): number | undefined {
  if (s === undefined) return 0; // deferred: no decision, treated as not sampled
  if (s === '1' || s === 'd' || s === 'true') return 1;
  if (s === '0' || s === 'false') return 0;
  return undefined;
}

function remote(context: Context, traceId: string, spanId: string, traceFlags: number): Context {
  const sc: SpanContext = { traceId, spanId, traceFlags, isRemote: true };
  // Validated above: the tracer and inject may trust the ids (see RemoteSpan).
  return contextWithSpan(context, new RemoteSpan(sc));
}

/**
 * Zipkin B3 propagator (openzipkin/b3-propagation), for meshes that speak it. Reads both the single
 * `b3` header and the `X-B3-*` headers (single wins); writes the layout chosen by `injectEncoding`.
 * Debug (`d` / `X-B3-Flags: 1`) maps to sampled. Malformed input is ignored, never thrown.
 * @example
 * new B3Propagator({ injectEncoding: 'multi' });
 */
export class B3Propagator implements TextMapPropagator {
  readonly #multi: boolean;

  constructor(options: B3PropagatorOptions = {}) {
    checkOptionKeys(options, B3_OPTION_KEYS, UnknownOption, 'new B3Propagator()');
    this.#multi = options.injectEncoding === 'multi';
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const sc = spanContextOf(context);
      if (sc === undefined || isSuppressed(context)) return;
      if (!isValidTraceId(sc.traceId) || !isValidSpanId(sc.spanId)) return;
      const sampled = (sc.traceFlags & 1) === 1 ? '1' : '0';
      if (this.#multi) {
        setter.set(carrier, B3_TRACE_ID, sc.traceId);
        setter.set(carrier, B3_SPAN_ID, sc.spanId);
        setter.set(carrier, B3_SAMPLED, sampled);
      } else {
        setter.set(carrier, B3_SINGLE, `${sc.traceId}-${sc.spanId}-${sampled}`);
      }
    } catch {
      // never break the caller's request
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const single = first(getter.get(carrier, B3_SINGLE));
      if (single !== undefined) return this.#extractSingle(context, single.trim());
      const traceId = traceIdOf(first(getter.get(carrier, B3_TRACE_ID)));
      const spanId = spanIdOf(first(getter.get(carrier, B3_SPAN_ID)));
      if (traceId === undefined || spanId === undefined) return context;
      const flags = first(getter.get(carrier, B3_FLAGS));
      const sampled = flags === '1' ? 1 : sampledOf(first(getter.get(carrier, B3_SAMPLED)));
      if (sampled === undefined) return context;
      const parent = first(getter.get(carrier, B3_PARENT_SPAN_ID));
      if (parent !== undefined && spanIdOf(parent) === undefined) return context;
      return remote(context, traceId, spanId, sampled);
    } catch {
      return context;
    }
  }

  // b3: {TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]; a lone sampling state carries no ids.
  #extractSingle(context: Context, value: string): Context {
    const parts = value.split('-');
    if (parts.length < 2 || parts.length > 4) return context;
    const traceId = traceIdOf(parts[0]);
    const spanId = spanIdOf(parts[1]);
    if (traceId === undefined || spanId === undefined) return context;
    const sampled = parts.length >= 3 ? sampledOf(parts[2]) : 0;
    if (sampled === undefined || parts[2] === 'true' || parts[2] === 'false') return context;
    if (parts.length === 4 && spanIdOf(parts[3]) === undefined) return context;
    return remote(context, traceId, spanId, sampled);
  }

  fields(): string[] {
    return this.#multi ? [B3_TRACE_ID, B3_SPAN_ID, B3_SAMPLED, B3_FLAGS, B3_PARENT_SPAN_ID] : [B3_SINGLE];
  }
}
