/**
 * The framework-neutral core of the server instrumentation: one `begin` when a request arrives
 * (request id, trace context, SERVER span, request context, in-flight gauge) and one completion
 * when its response closes (RED metrics, span end, one log line). The node:http, Express and
 * Fastify adapters only differ in where the route template comes from and how the context is
 * entered.
 */
import { channel } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span as ApiSpan, SpanOptions, TextMapGetter, TextMapPropagator, Tracer as ApiTracer } from '@opentelemetry/api';
import { Context, currentContext } from '../context/index.js';
import { storage } from '#internal/context';
import { HTTP_ERROR_CHANNEL } from '../diagnostics/channels.js';
import { report } from '../diagnostics/index.js';
import type { Logger } from '../log/index.js';
import type { Registry } from '../metrics/index.js';
import { Span } from '#internal/trace';
import { CREDENTIAL_HEADERS, type ResolvedServerOptions } from './options.js';
import { HeaderScanner } from './request-headers.js';
import { requestIdFrom } from './request-id.js';
import { ServerMetrics } from './server-metrics.js';
import { CompletionLine } from './completion-line.js';
import { HttpSpanAttributes } from './span-attributes.js';
import { KNOWN_METHODS } from './methods.js';

const handlerErrorChannel = channel(HTTP_ERROR_CHANNEL);

/** @opentelemetry/api SpanKind.SERVER and SpanStatusCode.ERROR, without a runtime import. */
const KIND_SERVER = 1;
const STATUS_ERROR = 2;
/** Shared by every server span (the tracer only reads it). */
const SERVER_SPAN: SpanOptions = Object.freeze({ kind: KIND_SERVER });

/** Label of every request whose route the framework did not match (404s, scans). */
export const UNMATCHED_ROUTE = 'unmatched';


/** Status code strings, made once. */
const STATUS_TEXT: string[] = [];
for (let i = 100; i < 600; i++) STATUS_TEXT[i] = String(i);

const STATE = Symbol('sightline.http.state');

const HEADER_GETTER: TextMapGetter<IncomingMessage['headers']> = {
  get: (carrier, key) => carrier[key],
  keys: (carrier) => Object.keys(carrier),
};

/** What the instrumentation needs from the other pillars. */
export interface ServerDeps {
  tracer: ApiTracer;
  logger: Logger;
  registry: Registry;
  propagator: TextMapPropagator;
}

/** One request in flight. @internal */
export class RequestState {
  readonly inst: ServerInstrumentation;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** performance.now() at arrival. */
  readonly start: number;
  /** Method as a bounded label (`_OTHER` for unknown ones). */
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  readonly ctx: Context;
  readonly span: ApiSpan;
  readonly userAgent: string | undefined;
  /** The span's attributes while they are still raw values (our own recording spans only). */
  readonly lazy: HttpSpanAttributes | undefined;
  /** Route template when known (node:http matcher, Fastify); else `routeOf` is asked at the end. */
  route: string | undefined;
  routeOf: ((st: RequestState) => string | undefined) | undefined = undefined;
  /** An error thrown by the app (framework hook or wrapped listener). */
  error: unknown = undefined;
  done = false;

  constructor(inst: ServerInstrumentation, req: IncomingMessage, res: ServerResponse, method: string, path: string, requestId: string, ctx: Context, span: ApiSpan, route: string | undefined, start: number, userAgent: string | undefined, lazy: HttpSpanAttributes | undefined) {
    this.inst = inst;
    this.req = req;
    this.res = res;
    this.method = method;
    this.path = path;
    this.requestId = requestId;
    this.ctx = ctx;
    this.span = span;
    this.route = route;
    this.start = start;
    this.userAgent = userAgent;
    this.lazy = lazy;
  }
}

/** The request state attached by `begin`, if the request is instrumented. @internal */
export function stateOf(req: IncomingMessage): RequestState | undefined {
  return (req as unknown as Record<symbol, RequestState | undefined>)[STATE];
}

/** The path of a request target without its query string (origin-form or absolute-form). */
export function pathOf(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  let start = 0;
  if (url.charCodeAt(0) !== 47) {
    // absolute-form (a proxy request): skip scheme://authority
    const s = url.indexOf('://');
    if (s !== -1) {
      const slash = url.indexOf('/', s + 3);
      if (slash === -1) return '/';
      start = slash;
    }
  }
  const q = url.indexOf('?', start);
  const h = url.indexOf('#', start);
  let end = url.length;
  if (q !== -1) end = q;
  if (h !== -1 && h < end) end = h;
  return start === 0 && end === url.length ? url : url.slice(start, end);
}

function errorTypeOf(e: unknown): string {
  const name = e instanceof Error ? e.constructor.name || e.name : typeof e;
  // A class name is bounded in practice; anything odd is folded so the label stays safe.
  return /^[A-Za-z_$][\w$.]{0,63}$/.test(name) ? name : '_OTHER';
}

/**
 * The server instrumentation shared by the adapters (`handler`, `express`, `fastify`).
 * @internal create it through `createHttpInstrumentation` or `sightline()`.
 */
export class ServerInstrumentation {
  readonly options: ResolvedServerOptions;
  readonly metrics: ServerMetrics;
  readonly #tracer: ApiTracer;
  /** @internal */
  readonly log: Logger;
  readonly #propagator: TextMapPropagator;
  readonly #headers: HeaderScanner;
  readonly #headerName: string;
  readonly #line: CompletionLine;
  #stopped = false;

  constructor(deps: ServerDeps, options: ResolvedServerOptions) {
    this.options = options;
    this.#tracer = deps.tracer;
    this.log = deps.logger;
    this.#propagator = deps.propagator;
    this.#headerName = options.requestIdHeader;
    this.#headers = new HeaderScanner(options.requestIdHeader, deps.propagator.fields());
    this.metrics = new ServerMetrics(deps.registry, options.durationBuckets);
    this.#line = new CompletionLine(deps.logger);
  }

  /** The response header that carries the request id (for adapters that set it themselves). */
  get requestIdHeader(): string {
    return this.#headerName;
  }

  /** Later requests pass through untouched (after `shutdown`). */
  stop(): void {
    this.#stopped = true;
  }

  excluded(path: string, req: IncomingMessage): boolean {
    const o = this.options;
    if (o.excludeExact.has(path)) return true;
    for (const re of o.excludePatterns) if (re.test(path)) return true;
    if (o.excludeFn !== undefined) {
      try {
        return o.excludeFn(path, req) === true;
      } catch {
        return false;
      }
    }
    return false;
  }

  /**
   * Starts instrumenting a request: returns its state (whose `ctx` the adapter must run the app
   * in), or undefined when the request is excluded. Never throws.
   */
  begin(req: IncomingMessage, res: ServerResponse, route: string | undefined, setIdHeader = true): RequestState | undefined {
    if (this.#stopped) return undefined;
    const start = performance.now();
    try {
      const path = pathOf(req.url);
      if (this.excluded(path, req)) return undefined;
      const rawMethod = req.method ?? 'GET';
      const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : '_OTHER';
      const h = this.#headers.scan(req);
      const requestId = requestIdFrom(h.requestId, this.options.trustRequestId);
      const host = h.host;
      const userAgent = h.userAgent;

      // W3C trace context (and baggage): only when the request carries one of the fields.
      let parent = currentContext();
      if (h.propagation) parent = parent.adopt(this.#propagator.extract(parent, req.headers, HEADER_GETTER));
      const span = this.#tracer.startSpan(route === undefined ? method : method + ' ' + route, SERVER_SPAN, parent);
      let lazy: HttpSpanAttributes | undefined;
      if (span.isRecording()) {
        lazy = new HttpSpanAttributes(req, rawMethod, method, path, route, host, userAgent);
        // Our spans keep the raw values until something reads the attributes; others get them now.
        if (span instanceof Span && span._lazy === undefined) span._lazy = lazy;
        else {
          lazy.fill(span);
          lazy = undefined;
        }
      }
      const ctx = parent.withRequest(requestId, span);
      const st = new RequestState(this, req, res, method, path, requestId, ctx, span, route, start, userAgent, lazy);
      (req as unknown as Record<symbol, RequestState>)[STATE] = st;
      if (setIdHeader) res.setHeader(this.#headerName, requestId);
      res.on('close', onClose);
      this.metrics.activeFor(method).inc();
      if (this.options.logStart) storage.run(ctx, logStart, st);
      return st;
    } catch (e) {
      reportOnce(e);
      return undefined;
    }
  }

  /** Runs the enrich hook (inside the request context). */
  enrich(st: RequestState): void {
    const hook = this.options.enrich;
    if (hook === undefined) return;
    try {
      hook(st.req, st.span);
    } catch (e) {
      reportOnce(e, 'the http enrich hook threw');
    }
  }

  /** Completion: runs inside the request context (for exemplars and log fields). */
  complete(st: RequestState): void {
    const res = st.res;
    const end = performance.now();
    const seconds = (end - st.start) / 1000;
    // end() was called: the app answered (writableFinished may lag, e.g. under light-my-request).
    const finished = res.writableEnded;
    const code = res.statusCode;
    let status: string;
    let errorType: string | undefined;
    if (!finished) {
      // The connection closed before the response was complete: the client went away, or a
      // timeout destroyed the socket. Not a server error, and counted apart from one.
      const err: (Error & { code?: string }) | null = st.req.errored ?? res.errored;
      errorType = err !== null && /TIMEOUT|TIMEDOUT/i.test(err.code ?? err.name) ? 'timeout' : 'aborted';
      status = errorType;
    } else {
      status = STATUS_TEXT[code] ?? '_OTHER';
      if (st.error !== undefined) errorType = errorTypeOf(st.error);
      else if (code >= 500) errorType = status;
    }
    let route = st.route;
    if (route === undefined && st.routeOf !== undefined) {
      try {
        route = st.routeOf(st);
      } catch {
        route = undefined;
      }
    }
    const routeLabel = route ?? UNMATCHED_ROUTE;
    this.metrics.activeFor(st.method).dec();
    this.metrics.record(st.method, routeLabel, status, seconds, errorType);

    const span = st.span;
    // Handler errors for the error-groups table of sightline/health (free without subscribers).
    if (st.error !== undefined && handlerErrorChannel.hasSubscribers) handlerErrorChannel.publish({ error: st.error, traceId: span.spanContext().traceId });
    if (span.isRecording()) {
      const lazy = st.lazy;
      if (lazy !== undefined && (span as Span)._lazy === lazy) {
        // Still raw: the end values join them (written in the same order as below when read).
        if (finished) lazy.statusCode = code;
        if (route !== undefined) lazy.endRoute = route;
        lazy.errorType = errorType;
      } else {
        if (finished) span.setAttribute('http.response.status_code', code);
        if (route !== undefined) span.setAttribute('http.route', route);
        if (errorType !== undefined) span.setAttribute('error.type', errorType);
      }
      if (route !== undefined && st.route === undefined) span.updateName(st.method + ' ' + route);
      if (st.error !== undefined) span.recordException(st.error as Error);
      if (errorType !== undefined) {
        const message = st.error instanceof Error ? st.error.message : !finished ? `request ${errorType}` : undefined;
        span.setStatus(message === undefined ? { code: STATUS_ERROR } : { code: STATUS_ERROR, message });
      }
    }
    // The same clock reading as the duration (a performance.now() value: end() adds the origin).
    span.end(end);

    if (this.options.logCompletion) this.#logCompletion(st, finished ? code : status, routeLabel, seconds, finished);
  }

  #logCompletion(st: RequestState, status: number | string, route: string, seconds: number, finished: boolean): void {
    const res = st.res;
    const len = res.getHeader('content-length');
    const bytes = typeof len === 'number' ? len : typeof len === 'string' ? Number(len) : bodyLength(res);
    const level = !finished ? 40 : typeof status === 'number' && status >= 500 ? 50 : typeof status === 'number' && status >= 400 ? 40 : 30;
    const msg = !finished ? 'request aborted' : level === 50 ? 'request failed' : 'request completed';
    const allow = this.options.logHeaders;
    if (allow.length === 0 && st.error === undefined) {
      // The common case: known keys, written by a serializer made for them.
      this.log.logJson(level, msg, this.#line.render(st.req.method, route, st.path, status, Math.round(seconds * 1e6) / 1e3, bytes, st.req.socket?.remoteAddress, st.userAgent));
      return;
    }
    const req = st.req;
    const fields: Record<string, unknown> = {
      method: req.method,
      route,
      path: st.path,
      status,
      duration_ms: Math.round(seconds * 1e6) / 1e3,
      bytes,
      client_address: req.socket?.remoteAddress,
      user_agent: st.userAgent,
    };
    if (allow.length > 0) {
      const h: Record<string, unknown> = {};
      for (const name of allow) {
        const v = req.headers[name];
        if (v !== undefined) h[name] = CREDENTIAL_HEADERS.includes(name) ? '[REDACTED]' : v;
      }
      fields['headers'] = h;
    }
    if (st.error !== undefined) fields['err'] = st.error;
    const log = this.log;
    if (level === 50) log.error(msg, fields);
    else if (level === 40) log.warn(msg, fields);
    else log.info(msg, fields);
  }
}

const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)\r\n/i;

/**
 * The body length Node wrote itself for a one-chunk `end(body)` (read from the rendered header);
 * undefined for chunked responses, whose length is not counted (that would cost a wrapper around
 * every write). The private reads are what keep that field without a wrapper: `bench/http-paths.bench.mjs`
 * measures them against the public alternative, `res.end` wrapped per response to measure the
 * body (docs/http.md, "What the private reads buy").
 */
function bodyLength(res: ServerResponse): number | undefined {
  // Node keeps the length it computed for end(body) (Node 18+); read the header only without it.
  // It is sent as Content-Length only with a body, unless removed, chunked or HTTP/1.0 (_storeHeader).
  const r = res as unknown as { _contentLength?: unknown; _hasBody?: boolean; _removedContLen?: boolean; useChunkedEncodingByDefault?: boolean };
  const computed = r._contentLength;
  if (typeof computed === 'number' && r._hasBody !== false && r._removedContLen !== true && r.useChunkedEncodingByDefault !== false && !res.hasHeader('transfer-encoding')) return computed;
  const header = (res as unknown as { _header?: unknown })._header;
  if (typeof header !== 'string') return undefined;
  const m = CONTENT_LENGTH.exec(header);
  return m === null ? undefined : Number(m[1]);
}

function logStart(st: RequestState): void {
  st.inst.log.info('request started', { method: st.req.method, path: st.path, client_address: st.req.socket?.remoteAddress, user_agent: st.userAgent });
}

function completeIn(st: RequestState): void {
  st.inst.complete(st);
}

function onClose(this: ServerResponse): void {
  const req = this.req as IncomingMessage | undefined;
  const st = req === undefined ? undefined : stateOf(req);
  if (st === undefined || st.done) return;
  st.done = true;
  try {
    storage.run(st.ctx, completeIn, st);
  } catch (e) {
    reportOnce(e);
  }
}

/** Counts every internal failure, one stderr line for the first; the request itself is never affected. */
export function reportOnce(e: unknown, what = 'the http instrumentation failed internally'): void {
  report('http', 'instrumentation_failed', `${what} (${e instanceof Error ? e.message : String(e)}); further failures are not printed`, { error: e });
}
