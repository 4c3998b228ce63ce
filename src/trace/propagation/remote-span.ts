import type { Span as ApiSpan, SpanContext, TraceState as ApiTraceState } from '@opentelemetry/api';
import { InertSpan } from '../inert-span.js';
import { TraceState } from './trace-state.js';

/**
 * The span context of an extracted `traceparent` that came with a `tracestate` header. The header
 * is kept raw and parsed on the first read of `traceState` (Trace Context §3.3 rules: a malformed
 * or empty header reads as undefined), so a request whose trace state is never forwarded or
 * inspected never pays for parsing it. Without a `tracestate` header the propagator uses a plain
 * object literal instead (one hidden class, four fields).
 * @internal
 */
export class LazyTraceStateSpanContext implements SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote = true;
  #raw: unknown;
  #state: ApiTraceState | undefined = undefined;

  constructor(traceId: string, spanId: string, traceFlags: number, rawTraceState: unknown) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = traceFlags;
    this.#raw = rawTraceState;
  }

  get traceState(): ApiTraceState | undefined {
    const raw = this.#raw;
    if (raw !== undefined) {
      this.#raw = undefined;
      const ts = typeof raw === 'string' || Array.isArray(raw) ? TraceState.parse(raw as string | string[]) : undefined;
      // §3.3.1.1: a malformed header is discarded whole; an empty one carries nothing.
      this.#state = ts !== undefined && ts.size > 0 ? ts : undefined;
    }
    return this.#state;
  }

  /** SpanContext's `traceState` is a writable field in the API; assigning replaces the lazy value. */
  set traceState(value: ApiTraceState | undefined) {
    this.#raw = undefined;
    this.#state = value;
  }
}

/**
 * The span standing for a remote parent in an extracted context: not recording, it only carries
 * the span context (what @opentelemetry/api's `trace.wrapSpanContext` makes, as a class of ours so
 * the tracer and the propagators recognise it). Its ids and flags are copied into fields of its own
 * when it is made from a header we validated, so `trusted` code (the tracer, `inject`) may use them
 * without validating again, whatever is later done to the object `spanContext()` returns.
 * @internal
 */
export class RemoteSpan extends InertSpan implements ApiSpan {
  /** @internal */ readonly _sc: SpanContext;
  /** @internal validated lowercase-hex ids and normalised flags */
  readonly _traceId: string;
  /** @internal */ readonly _spanId: string;
  /** @internal */ readonly _flags: number;

  constructor(sc: SpanContext) {
    super();
    this._sc = sc;
    this._traceId = sc.traceId;
    this._spanId = sc.spanId;
    this._flags = sc.traceFlags;
  }

  spanContext(): SpanContext {
    return this._sc;
  }
}
