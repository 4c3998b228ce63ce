import type {
  Context as ApiContext,
  Span as ApiSpan,
  SpanContext,
  SpanOptions,
  Tracer as ApiTracer,
  TraceState,
} from '@opentelemetry/api';
import { Context, OTEL_SPAN_KEY, OTEL_SUPPRESS_TRACING_KEY, ROOT_CONTEXT } from '../context/index.js';
import { storage } from '#internal/context';
import { now, toEpochMs } from './clock.js';
import { idPool, reserveId, traceIdOf, type TraceIdRef } from './ids.js';
import { INVALID_SPAN, NonRecordingSpan } from './non-recording-span.js';
import { isValidSpanId, isValidTraceId } from './propagation/hex.js';
import { RemoteSpan } from './propagation/remote-span.js';
import type { BuiltinSampler } from './sampler.js';
import { Span, type SpanOwner } from './span.js';
import type { ScopeData } from './span-record.js';

/** What a tracer needs from its provider (not part of the API). */
export interface TracerOwner extends SpanOwner {
  readonly sampler: import('@opentelemetry/api').Sampler;
  readonly fastSampler: boolean;
  readonly counters: { started: number; notSampled: number };
  readonly isShutdown: boolean;
  startSpan(span: Span, parentContext: ApiContext): void;
  readonly hasStartHooks: boolean;
}

/** A function run in a span by `Tracer.span`: it gets the span, returns anything (or a promise). */
export type SpanFunction<T> = (span: ApiSpan) => T;

/** Scratch trace id reference reused by every startSpan (sampling is synchronous). */
const TID: TraceIdRef = { str: undefined, buf: Buffer.alloc(0), off: 0 };

function current(): Context {
  return storage.getStore() ?? ROOT_CONTEXT;
}

function fail(span: ApiSpan, error: unknown): void {
  span.recordException(error as never);
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
  span.setStatus(message === undefined ? { code: 2 } : { code: 2, message });
}

/**
 * A tracer: implements the @opentelemetry/api `Tracer`, plus `span()` and `wrap()` that run code
 * in an active span, end it, and mark it as an error when the code throws or its promise rejects.
 * @example
 * const tracer = provider.getTracer('checkout');
 * const total = await tracer.span('price cart', async (span) => {
 *   span.setAttribute('cart.items', items.length);
 *   return price(items);
 * });
 */
export class Tracer implements ApiTracer {
  /** The instrumentation scope recorded on every span of this tracer. */
  readonly scope: ScopeData;
  readonly #owner: TracerOwner;

  /** @internal use `TracerProvider.getTracer` */
  constructor(owner: TracerOwner, scope: ScopeData) {
    this.#owner = owner;
    this.scope = scope;
  }

  startSpan(name: string, options?: SpanOptions, context?: ApiContext): ApiSpan {
    const owner = this.#owner;
    const ctx = context ?? current();
    if (ctx.getValue(OTEL_SUPPRESS_TRACING_KEY) === true || owner.isShutdown) return INVALID_SPAN;

    // The trace id: a hex string, or a pool slice (tb, to) when new or inherited unencoded.
    const tid = TID;
    tid.str = undefined;
    let parentSpanId: string | undefined;
    let pb: Buffer | undefined;
    let po = 0;
    let parentFlags = -1;
    let parentRemote = false;
    let traceState: TraceState | undefined;
    const parent = options?.root === true ? undefined : ctx.getValue(OTEL_SPAN_KEY);
    if (parent !== undefined) {
      if (parent instanceof Span || (parent instanceof NonRecordingSpan && parent._tb !== undefined)) {
        // Ours, with ids drawn by the tracer (valid by construction): copy them without encoding.
        tid.str = parent._traceId;
        if (tid.str === undefined) {
          tid.buf = parent._tb as Buffer;
          tid.off = parent._to;
        }
        parentSpanId = parent._spanId;
        if (parentSpanId === undefined) {
          pb = parent._sb;
          po = parent._so;
        }
        parentFlags = parent.traceFlags;
        parentRemote = parent instanceof NonRecordingSpan && parent.isRemote;
        traceState = parent instanceof Span ? parent._traceStateObj : parent.traceState;
      } else if (parent instanceof RemoteSpan) {
        // A remote parent extracted by our propagators: its header was validated then.
        tid.str = parent._traceId;
        parentSpanId = parent._spanId;
        parentFlags = parent._flags;
        parentRemote = true;
        traceState = parent._sc.traceState;
      } else {
        // A span from elsewhere (another propagator's remote context, another SDK's span): validate.
        let sc: SpanContext | undefined;
        try {
          sc = (parent as ApiSpan).spanContext();
        } catch {
          sc = undefined;
        }
        if (sc !== undefined && sc !== null && isValidTraceId(sc.traceId) && isValidSpanId(sc.spanId)) {
          tid.str = sc.traceId;
          parentSpanId = sc.spanId;
          parentFlags = typeof sc.traceFlags === 'number' ? sc.traceFlags & 0xff : 0;
          parentRemote = sc.isRemote === true;
          traceState = sc.traceState;
        }
      }
    }
    if (parentFlags < 0) {
      tid.off = reserveId(16);
      tid.buf = idPool.buf;
    }
    const kind = options?.kind ?? 0;

    let decision: number;
    let samplerAttributes: Readonly<Record<string, unknown>> | undefined;
    if (owner.fastSampler) {
      decision = (owner.sampler as BuiltinSampler).decide(tid, parentFlags, parentRemote);
    } else {
      try {
        // Custom samplers get the hex id; keep it so it is encoded once.
        tid.str = traceIdOf(tid);
        const r = owner.sampler.shouldSample(ctx, tid.str, name, kind, options?.attributes ?? {}, options?.links ?? []);
        decision = r.decision;
        samplerAttributes = r.attributes;
        if (r.traceState !== undefined) traceState = r.traceState;
      } catch {
        decision = 0;
      }
    }
    const traceId = tid.str;
    const tb = traceId === undefined ? tid.buf : undefined;
    // W3C Level 2: a new trace sets the random flag (bit 1); children keep the parent's.
    const flags = (parentFlags < 0 ? 2 : parentFlags & 2) | (decision === 2 ? 1 : 0);
    if (decision !== 1 && decision !== 2) {
      owner.counters.notSampled++;
      // Its span id is drawn only if someone reads it (see NonRecordingSpan.spanId).
      return new NonRecordingSpan(traceId, undefined, flags, traceState, false, tb, tid.off);
    }
    const so = reserveId(8);
    const sb = idPool.buf;
    const startTime = options?.startTime === undefined ? now() : toEpochMs(options.startTime);
    const span = new Span({
      owner,
      scope: this.scope,
      name: String(name),
      kind,
      traceId,
      traceIdBuf: tb,
      traceIdOff: tid.off,
      spanIdBuf: sb,
      spanIdOff: so,
      parentSpanId,
      parentIdBuf: pb,
      parentIdOff: po,
      localRoot: parentFlags < 0 || parentRemote,
      traceFlags: flags,
      traceState,
      startTime,
    });
    if (options !== undefined) {
      if (options.attributes !== undefined) span.setAttributes(options.attributes);
      if (options.links !== undefined) span.addLinks(options.links);
    }
    if (samplerAttributes !== undefined) span.setAttributes(samplerAttributes as Parameters<Span["setAttributes"]>[0]);
    owner.counters.started++;
    if (owner.hasStartHooks) owner.startSpan(span, ctx);
    return span;
  }

  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, options: SpanOptions, context: ApiContext, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, a: F | SpanOptions, b?: F | ApiContext, c?: F): ReturnType<F> {
    let options: SpanOptions | undefined;
    let context: ApiContext | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else {
      options = a;
      context = b;
      fn = c as F;
    }
    const parent = context === undefined ? current() : current().adopt(context);
    const span = this.startSpan(name, options, parent);
    return storage.run(parent.setValue(OTEL_SPAN_KEY, span), fn, span) as ReturnType<F>;
  }

  /**
   * Runs `fn` in a new active span and ends it when `fn` returns or its promise settles. A throw
   * or a rejection is recorded as an `exception` event, sets status ERROR, and is rethrown.
   * @example
   * const user = await tracer.span('load user', { attributes: { 'user.id': id } }, () => db.get(id));
   */
  span<T>(name: string, fn: SpanFunction<T>): T;
  span<T>(name: string, options: SpanOptions, fn: SpanFunction<T>): T;
  span<T>(name: string, a: SpanOptions | SpanFunction<T>, b?: SpanFunction<T>): T {
    return typeof a === 'function' ? this.run(name, undefined, a, undefined, undefined) : this.run(name, a, b as SpanFunction<T>, undefined, undefined);
  }

  /**
   * Wraps `fn` so that every call runs in its own span (see `span`), with `this` and arguments
   * passed through.
   * @example
   * const charge = tracer.wrap('charge card', async (amount: number) => gateway.charge(amount));
   */
  wrap<A extends unknown[], R>(name: string, fn: (...args: A) => R, options?: SpanOptions): (...args: A) => R {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tracer = this;
    return function (this: unknown, ...args: A): R {
      return tracer.run(name, options, fn as unknown as SpanFunction<R>, this, args);
    };
  }

  /** @internal with `args` set, calls fn(...args) instead of fn(span). */
  run<T>(name: string, options: SpanOptions | undefined, fn: SpanFunction<T>, thisArg: unknown, args: unknown[] | undefined): T {
    const parent = current();
    const span = this.startSpan(name, options, parent);
    let result: T;
    try {
      result = storage.run(parent.setValue(OTEL_SPAN_KEY, span), () => (args === undefined ? fn(span) : (fn as (...a: unknown[]) => T).apply(thisArg, args)));
    } catch (error) {
      fail(span, error);
      span.end();
      throw error;
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      return (result as unknown as PromiseLike<unknown>).then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          fail(span, error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  }
}

/**
 * The active span (recording or not), or undefined outside any.
 * @example
 * activeSpan()?.setAttribute('order.id', id);
 */
export function activeSpan(): ApiSpan | undefined {
  return current().getValue(OTEL_SPAN_KEY) as ApiSpan | undefined;
}
