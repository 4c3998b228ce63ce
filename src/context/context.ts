import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request context: one AsyncLocalStorage store shared by every pillar.
 *
 * A `Context` is immutable in its keyed values (the OpenTelemetry `Context` contract: `setValue`
 * returns a new context), so the tracer's ContextManager runs on this same store. The per-request
 * part that a handler may enrich after the request started (request id, user id, bound fields)
 * lives in a mutable `Scope` shared by every context derived within that request; changing it
 * bumps `scope.version`, which is how the logger knows to re-serialize its cached fields.
 */

/** `Symbol.for` keys of @opentelemetry/api (createContextKey uses Symbol.for). */
export const OTEL_SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
export const OTEL_SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** Trace identity as carried in the context. */
export interface TraceIds {
  traceId: string;
  spanId: string;
  /** W3C trace flags: bit 0 sampled, bit 1 random. */
  traceFlags: number;
}

interface SpanLike {
  spanContext(): TraceIds;
}

/** The mutable, request-wide part of a context. */
export class Scope {
  requestId: string | undefined;
  userId: string | undefined;
  /** Explicit trace ids for code that propagates without a tracer; a span in the context wins. */
  trace: TraceIds | undefined;
  fields: Record<string, unknown> | undefined;
  /** Incremented on every change so serializations cached against this scope can be invalidated. */
  version = 0;
  /** Opaque per-scope caches owned by pillars (the logger keeps its serialized fields here). */
  cache: unknown = undefined;

  constructor(init?: ContextInit, parent?: Scope) {
    this.requestId = init?.requestId ?? parent?.requestId;
    this.userId = init?.userId ?? parent?.userId;
    this.trace = init?.trace ?? parent?.trace;
    const parentFields = parent?.fields;
    const ownFields = init?.fields;
    this.fields = parentFields === undefined ? (ownFields === undefined ? undefined : { ...ownFields })
      : ownFields === undefined ? { ...parentFields } : { ...parentFields, ...ownFields };
  }
}

/** What a new context may be started with. */
export interface ContextInit {
  requestId?: string;
  userId?: string;
  trace?: TraceIds;
  /** Fields bound to every log line written inside the context. */
  fields?: Record<string, unknown>;
}

const EMPTY_SCOPE = new Scope();
Object.freeze(EMPTY_SCOPE);

/** The OpenTelemetry `Context` interface, as implemented by contexts made elsewhere. */
export interface ForeignContext {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): ForeignContext;
  deleteValue(key: symbol): ForeignContext;
}

/** Marks a key deleted in a context that extends a foreign one. */
const DELETED: unknown = Symbol('sightline.deleted');
/** The span slot of a context that does not set the span itself. */
const NOT_SET: unknown = Symbol('sightline.notSet');

/**
 * Keyed values of a context, as a persistent list: each `setValue` pushes one small frame onto its
 * parent's list (newest first) instead of copying a Map, so deriving a context costs one object
 * whatever it holds. Past MAX_FRAMES frames the list is flattened into a Map once (then shared by
 * every descendant), which keeps lookups short and bounds what overwritten values are retained.
 */
class Frame {
  constructor(
    readonly key: symbol,
    readonly value: unknown,
    readonly next: Values,
    readonly depth: number,
  ) {}
}
type Values = Frame | ReadonlyMap<symbol, unknown> | undefined;
const MAX_FRAMES = 8;

/** The value of `key` in `values` (undefined when absent or set to undefined, like Map#get). */
function lookup(values: Values, key: symbol): unknown {
  let v = values;
  while (v instanceof Frame) {
    if (v.key === key) return v.value;
    v = v.next;
  }
  return v?.get(key);
}

function push(values: Values, key: symbol, value: unknown): Values {
  const depth = values instanceof Frame ? values.depth : 0;
  if (depth < MAX_FRAMES) return new Frame(key, value, values, depth + 1);
  const frames: Frame[] = [];
  let v = values;
  while (v instanceof Frame) {
    frames.push(v);
    v = v.next;
  }
  const map = new Map(v);
  // oldest first, so that newer frames overwrite older ones
  for (let i = frames.length - 1; i >= 0; i--) map.set(frames[i]!.key, frames[i]!.value);
  map.set(key, value);
  return map;
}

/**
 * One immutable context. Implements the `Context` interface of @opentelemetry/api
 * (`getValue`/`setValue`/`deleteValue`), so it can be handed to OpenTelemetry code as is.
 */
export class Context {
  /** @internal */
  readonly scope: Scope;
  readonly #values: Values;
  /**
   * A context made by other code (e.g. @opentelemetry/api's own `ROOT_CONTEXT.setValue(…)`) that
   * this one extends: keys not set here are read from it. Deleted keys are shadowed by DELETED.
   */
  readonly #base: ForeignContext | undefined;
  /**
   * The span (OTEL_SPAN_KEY) has its own slot: making a span active is the hot operation, and
   * this way it shares the (persistent, never mutated) value list instead of adding a frame.
   * NOT_SET: not set here (read the base); DELETED: deleted here.
   */
  readonly #span: unknown;

  /** @internal use `ROOT_CONTEXT` or `runInContext` */
  constructor(scope: Scope, values?: Values, base?: ForeignContext, span: unknown = NOT_SET) {
    this.scope = scope;
    this.#values = values;
    this.#base = base;
    this.#span = span;
  }

  /**
   * @internal this context if it is one of ours, else ours wrapping `ctx` (keeping this
   * context's scope, so a request's id and fields survive an OpenTelemetry-made context).
   */
  adopt(ctx: ForeignContext): Context {
    return ctx instanceof Context ? ctx : new Context(this.scope, undefined, ctx);
  }

  getValue(key: symbol): unknown {
    if (key === OTEL_SPAN_KEY) {
      const span = this.#span;
      if (span !== NOT_SET) return span === DELETED ? undefined : span;
      return this.#base?.getValue(key);
    }
    const v = lookup(this.#values, key);
    if (v !== undefined) return v === DELETED ? undefined : v;
    return this.#base?.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    if (key === OTEL_SPAN_KEY) return new Context(this.scope, this.#values, this.#base, value);
    return new Context(this.scope, push(this.#values, key, value), this.#base, this.#span);
  }

  deleteValue(key: symbol): Context {
    if (this.getValue(key) === undefined) return this;
    if (key === OTEL_SPAN_KEY) return new Context(this.scope, this.#values, this.#base, this.#base === undefined ? NOT_SET : DELETED);
    // Shadowed by a frame: DELETED hides the foreign base's value; undefined reads as absent.
    return new Context(this.scope, push(this.#values, key, this.#base !== undefined ? DELETED : undefined), this.#base, this.#span);
  }

  /** A child context with its own scope (new request id, fields…), keeping keyed values. */
  withScope(init: ContextInit): Context {
    return new Context(new Scope(init, this.scope === EMPTY_SCOPE ? undefined : this.scope), this.#values, this.#base, this.#span);
  }

  /**
   * @internal `withScope({ requestId }).setValue(OTEL_SPAN_KEY, span)` in one step: the request
   * context the HTTP instrumentation makes per request (one Scope and one Context, no init object).
   */
  withRequest(requestId: string, span: unknown): Context {
    const scope = new Scope(undefined, this.scope === EMPTY_SCOPE ? undefined : this.scope);
    scope.requestId = requestId;
    return new Context(scope, this.#values, this.#base, span);
  }

  get requestId(): string | undefined {
    return this.scope.requestId;
  }

  get userId(): string | undefined {
    return this.scope.userId;
  }

  get fields(): Readonly<Record<string, unknown>> | undefined {
    return this.scope.fields;
  }

  /** Trace ids of the active span, else those set explicitly on the scope. */
  get traceIds(): TraceIds | undefined {
    const span = this.getValue(OTEL_SPAN_KEY) as SpanLike | undefined;
    if (span !== undefined) {
      try {
        return span.spanContext();
      } catch {
        return this.scope.trace;
      }
    }
    return this.scope.trace;
  }

  /** @internal the span stored under the OpenTelemetry span key, if any (cheap identity check). */
  get span(): unknown {
    return this.getValue(OTEL_SPAN_KEY);
  }
}

/** The empty context: no request, no span. */
export const ROOT_CONTEXT = new Context(EMPTY_SCOPE);

/** The single store (reached through `#internal/context`, not exported). Pillars read it directly on hot paths. */
export const storage = new AsyncLocalStorage<Context>();

/**
 * `ctx.setValue(OTEL_SPAN_KEY, span)` for propagators' `extract`, without copying. One
 * of our contexts sets its span slot; a context made elsewhere (e.g. @opentelemetry/api's
 * `ROOT_CONTEXT`, whose `setValue` copies a Map and allocates three closures) is wrapped once, with
 * the active request's scope: what the context manager's `with` would make of it anyway.
 */
export function contextWithSpan(ctx: ForeignContext, span: unknown): Context {
  if (ctx instanceof Context) return ctx.setValue(OTEL_SPAN_KEY, span);
  return new Context((storage.getStore() ?? ROOT_CONTEXT).scope, undefined, ctx, span);
}

/** The active context, or `ROOT_CONTEXT` outside any. */
export function currentContext(): Context {
  return storage.getStore() ?? ROOT_CONTEXT;
}

/**
 * Runs `fn` in a new request context derived from the active one.
 * @example
 * runInContext({ requestId: 'req-1', fields: { tenant: 'acme' } }, () => log.info('hello'));
 */
export function runInContext<T>(init: ContextInit, fn: () => T): T {
  return storage.run(currentContext().withScope(init), fn);
}

/** Runs `fn` with exactly `ctx` active (what a ContextManager's `with` does). */
export function withContext<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, thisArg?: unknown, ...args: A): R {
  return storage.run(ctx, () => fn.apply(thisArg, args));
}

/**
 * Adds fields to the active request's scope: every later log line in this request carries them.
 * Outside any request context it does nothing and returns false.
 * @example
 * addContextFields({ tenant: 'acme', plan: 'pro' });
 */
export function addContextFields(fields: Record<string, unknown>): boolean {
  const scope = storage.getStore()?.scope;
  if (scope === undefined || scope === EMPTY_SCOPE) return false;
  scope.fields = scope.fields === undefined ? { ...fields } : { ...scope.fields, ...fields };
  scope.version++;
  return true;
}

/** Sets the user id of the active request. Returns false outside any request context. */
export function setContextUser(userId: string): boolean {
  const scope = storage.getStore()?.scope;
  if (scope === undefined || scope === EMPTY_SCOPE) return false;
  scope.userId = userId;
  scope.version++;
  return true;
}

/** Sets the request id of the active request. Returns false outside any request context. */
export function setContextRequestId(requestId: string): boolean {
  const scope = storage.getStore()?.scope;
  if (scope === undefined || scope === EMPTY_SCOPE) return false;
  scope.requestId = requestId;
  scope.version++;
  return true;
}
