/**
 * Client instrumentation: outgoing `fetch` (undici) and `http.request`/`https.request`.
 *
 * fetch is observed entirely through undici's diagnostics channels (`undici:request:create` to
 * start the CLIENT span and add the propagation headers with `request.addHeader`,
 * `undici:request:headers` for the status, `undici:request:trailers` when the body is done,
 * `undici:request:error`). For node:http, Node 20's `http.client.request.start` channel fires
 * only once the headers are already written (from `ClientRequest._finish`), too late to inject
 * `traceparent`; so `http.request`/`http.get` (and https) are wrapped to start the span and set
 * the headers, and the channels `http.client.response.finish` and `http.client.request.error` end
 * it (with the request's `close` as a fallback for aborted requests).
 *
 * Calls made in a context carrying the SDK's suppress-tracing key (the OTLP exporter's own
 * requests) are not traced, measured or propagated.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import dc from 'node:diagnostics_channel';
import { syncBuiltinESMExports } from 'node:module';
import type { Span as ApiSpan, TextMapPropagator, TextMapSetter, Tracer as ApiTracer } from '@opentelemetry/api';
import { OTEL_SPAN_KEY, OTEL_SUPPRESS_TRACING_KEY, currentContext } from '../context/index.js';
import {
  HTTP_CLIENT_REQUEST_ERROR,
  HTTP_CLIENT_RESPONSE_FINISH,
  UNDICI_REQUEST_CREATE,
  UNDICI_REQUEST_ERROR,
  UNDICI_REQUEST_HEADERS,
  UNDICI_REQUEST_TRAILERS,
} from '../diagnostics/channels.js';
import { report } from '../diagnostics/index.js';
import type { Registry, Histogram } from '../metrics/index.js';
import { HTTP_DURATION_BUCKETS } from './server-metrics.js';
import { reportOnce } from './server.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidHttpOption, UnknownOption } from './errors.js';

const KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** Options of the client instrumentation. */
export interface HttpClientOptions {
  /** Instrument `fetch` (undici) — default true. */
  fetch?: boolean;
  /** Instrument `http.request`/`http.get`/`https.*` — default true. */
  http?: boolean;
  /** Buckets of `http_client_request_duration_seconds` (default as the server's). */
  durationBuckets?: readonly number[];
}

/** Every key of {@link HttpClientOptions}. @internal */
export const HTTP_CLIENT_OPTION_KEYS = optionKeys<HttpClientOptions>()(['fetch', 'http', 'durationBuckets']);

/** What the client instrumentation needs from the other pillars. */
export interface ClientDeps {
  tracer: ApiTracer;
  registry: Registry;
  propagator: TextMapPropagator;
}

interface CallState {
  inst: HttpClientInstrumentation;
  span: ApiSpan;
  start: number;
  method: string;
  address: string;
  port: string;
  status: number;
  ended: boolean;
}

/** The subset of undici's Request the channels hand out. */
interface UndiciRequest {
  method: string;
  origin: string | URL;
  path: string;
  headers: unknown;
  addHeader(name: string, value: string): unknown;
}

import { KNOWN_METHODS } from './methods.js';
const STATE = Symbol('sightline.http.client');

const undiciSetter: TextMapSetter<UndiciRequest> = {
  set: (req, key, value) => {
    req.addHeader(key, value);
  },
};
const nodeSetter: TextMapSetter<ClientRequest> = {
  set: (req, key, value) => {
    req.setHeader(key, value);
  },
};

function hasHeader(headers: unknown, name: string): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
    return false;
  }
  if (typeof headers === 'string') return headers.toLowerCase().includes(`${name}:`);
  return false;
}

/** The one instrumentation recording client calls in this process (channels are process-wide). */
let owner: HttpClientInstrumentation | undefined;

/**
 * Instruments outgoing HTTP calls of the whole process. Only one instance is active at a time
 * (the diagnostics channels and `http.request` are process-wide); enabling a second one while the
 * first is active is a no-op, reported once on stderr.
 * @example
 * const client = new HttpClientInstrumentation({ tracer, registry, propagator }).enable();
 * await fetch('http://inventory/items');   // CLIENT span, traceparent injected, duration recorded
 * client.disable();
 */
export class HttpClientInstrumentation {
  readonly duration: Histogram;
  readonly #tracer: ApiTracer;
  readonly #propagator: TextMapPropagator;
  readonly #fetch: boolean;
  readonly #http: boolean;
  #enabled = false;
  readonly #undici = new WeakMap<object, CallState>();
  #originals: { target: typeof http; request: typeof http.request; get: typeof http.get }[] = [];

  constructor(deps: ClientDeps, options: HttpClientOptions = {}, field = 'client') {
    if (typeof options !== 'object' || options === null) throw InvalidHttpOption(field, 'client options must be an object');
    checkOptionKeys(options, HTTP_CLIENT_OPTION_KEYS, UnknownOption, `${field} options`, field);
    for (const k of ['fetch', 'http'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') throw InvalidHttpOption(`${field}.${k}`, `${k} must be true or false`);
    }
    this.#tracer = deps.tracer;
    this.#propagator = deps.propagator;
    this.#fetch = options.fetch ?? true;
    this.#http = options.http ?? true;
    this.duration = deps.registry.histogram({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of outgoing HTTP requests (fetch and http.request).',
      labelNames: ['http_request_method', 'server_address', 'server_port', 'http_response_status_code', 'error_type'],
      buckets: options.durationBuckets ?? HTTP_DURATION_BUCKETS,
    });
  }

  /** Whether this instance is the one recording. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Starts observing outgoing calls. */
  enable(): this {
    if (this.#enabled) return this;
    if (owner !== undefined) {
      report('http', 'client_already_enabled', 'HTTP client instrumentation is already enabled by another instance in this process; this one stays off');
      return this;
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    owner = this;
    this.#enabled = true;
    if (this.#fetch) {
      dc.subscribe(UNDICI_REQUEST_CREATE, this.#onUndiciCreate);
      dc.subscribe(UNDICI_REQUEST_HEADERS, this.#onUndiciHeaders);
      dc.subscribe(UNDICI_REQUEST_TRAILERS, this.#onUndiciTrailers);
      dc.subscribe(UNDICI_REQUEST_ERROR, this.#onUndiciError);
    }
    if (this.#http) {
      dc.subscribe(HTTP_CLIENT_RESPONSE_FINISH, this.#onHttpFinish);
      dc.subscribe(HTTP_CLIENT_REQUEST_ERROR, this.#onHttpError);
      for (const mod of [http, https] as (typeof http)[]) this.#wrap(mod);
      syncBuiltinESMExports();
    }
    return this;
  }

  /** Stops observing; calls under way still end their spans. */
  disable(): void {
    if (!this.#enabled) return;
    this.#enabled = false;
    owner = undefined;
    if (this.#fetch) {
      dc.unsubscribe(UNDICI_REQUEST_CREATE, this.#onUndiciCreate);
      dc.unsubscribe(UNDICI_REQUEST_HEADERS, this.#onUndiciHeaders);
      dc.unsubscribe(UNDICI_REQUEST_TRAILERS, this.#onUndiciTrailers);
      dc.unsubscribe(UNDICI_REQUEST_ERROR, this.#onUndiciError);
    }
    if (this.#http) {
      dc.unsubscribe(HTTP_CLIENT_RESPONSE_FINISH, this.#onHttpFinish);
      dc.unsubscribe(HTTP_CLIENT_REQUEST_ERROR, this.#onHttpError);
      for (const o of this.#originals) {
        o.target.request = o.request;
        o.target.get = o.get;
      }
      this.#originals = [];
      syncBuiltinESMExports();
    }
  }

  #wrap(mod: typeof http): void {
    const request = mod.request;
    const get = mod.get;
    this.#originals.push({ target: mod, request, get });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const wrappedRequest = function (this: unknown, ...args: unknown[]): ClientRequest {
      const req = (request as (...a: unknown[]) => ClientRequest).apply(this, args);
      if (self.#enabled) self.#startNode(req);
      return req;
    };
    // http.get calls the module-internal request() and ends it at once (headers written): do
    // what it does on top of the wrapped request instead.
    const wrappedGet = function (this: unknown, ...args: unknown[]): ClientRequest {
      const req = wrappedRequest.apply(this, args);
      req.end();
      return req;
    };
    mod.request = wrappedRequest;
    mod.get = wrappedGet;
  }

  #start(method: string, address: string, port: string, scheme: string, full: string): { state: CallState; ctx: ReturnType<typeof currentContext> } | undefined {
    const ctx = currentContext();
    if (ctx.getValue(OTEL_SUPPRESS_TRACING_KEY) === true) return undefined;
    const m = KNOWN_METHODS.has(method) ? method : '_OTHER';
    const span = this.#tracer.startSpan(m, { kind: KIND_CLIENT }, ctx);
    if (span.isRecording()) {
      span.setAttribute('http.request.method', m);
      if (m !== method) span.setAttribute('http.request.method_original', method);
      span.setAttribute('server.address', address);
      if (port !== '') span.setAttribute('server.port', Number(port));
      span.setAttribute('url.scheme', scheme);
      span.setAttribute('url.full', full);
    }
    return { state: { inst: this, span, start: performance.now(), method: m, address, port, status: 0, ended: false }, ctx: ctx.setValue(OTEL_SPAN_KEY, span) };
  }

  #end(st: CallState, error: (Error & { code?: string }) | undefined, aborted: boolean): void {
    if (st.ended) return;
    st.ended = true;
    const seconds = (performance.now() - st.start) / 1000;
    let errorType = '';
    if (aborted) errorType = 'aborted';
    else if (error !== undefined) errorType = typeof error.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(error.code) ? error.code : error.name === 'AbortError' ? 'aborted' : '_OTHER';
    else if (st.status >= 500) errorType = String(st.status);
    this.duration.observe(
      { http_request_method: st.method, server_address: st.address, server_port: st.port, http_response_status_code: st.status === 0 ? '' : String(st.status), error_type: errorType },
      seconds,
    );
    const span = st.span;
    if (span.isRecording()) {
      if (st.status !== 0) span.setAttribute('http.response.status_code', st.status);
      if (errorType !== '') {
        span.setAttribute('error.type', errorType);
        if (error !== undefined) span.recordException(error);
        span.setStatus(error?.message === undefined ? { code: STATUS_ERROR } : { code: STATUS_ERROR, message: error.message });
      }
    }
    span.end();
  }

  // ---- fetch (undici) ----

  readonly #onUndiciCreate = (message: unknown): void => {
    try {
      const request = (message as { request: UndiciRequest }).request;
      let url: URL;
      try {
        url = new URL(String(request.origin));
      } catch {
        return;
      }
      const path = String(request.path ?? '/');
      const q = path.indexOf('?');
      const started = this.#start(String(request.method), url.hostname, url.port || (url.protocol === 'https:' ? '443' : '80'), url.protocol.slice(0, -1), url.origin + (q === -1 ? path : path.slice(0, q)));
      if (started === undefined) return;
      this.#undici.set(request, started.state);
      // A caller (or another instrumentation) that set its own traceparent keeps it.
      if (!hasHeader(request.headers, 'traceparent')) this.#propagator.inject(started.ctx, request, undiciSetter);
    } catch (e) {
      reportOnce(e);
    }
  };

  readonly #onUndiciHeaders = (message: unknown): void => {
    const m = message as { request: object; response: { statusCode: number } };
    const st = this.#undici.get(m.request);
    if (st !== undefined) st.status = m.response.statusCode;
  };

  readonly #onUndiciTrailers = (message: unknown): void => {
    const m = message as { request: object };
    const st = this.#undici.get(m.request);
    if (st !== undefined) this.#end(st, undefined, false);
  };

  readonly #onUndiciError = (message: unknown): void => {
    const m = message as { request: object; error: Error & { code?: string } };
    const st = this.#undici.get(m.request);
    if (st !== undefined) {
      const aborted = m.error?.name === 'AbortError' || m.error?.code === 'UND_ERR_ABORTED';
      this.#end(st, m.error, aborted);
    }
  };

  // ---- node:http ----

  #startNode(req: ClientRequest): void {
    try {
      if (req.headersSent) return;
      const host = req.host;
      const agent = req as unknown as { agent?: { defaultPort?: number }; protocol?: string };
      const scheme = agent.protocol === 'https:' ? 'https' : 'http';
      // ClientRequest keeps no port field; the Host header it built carries it (when not default).
      const hostHeader = req.getHeader('host');
      const m = typeof hostHeader === 'string' ? /:(\d+)$/.exec(hostHeader) : null;
      const port = m !== null ? m[1]! : String(agent.agent?.defaultPort ?? (scheme === 'https' ? 443 : 80));
      const path = req.path;
      const q = path.indexOf('?');
      const started = this.#start(req.method, host, port, scheme, `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${q === -1 ? path : path.slice(0, q)}`);
      if (started === undefined) return;
      (req as unknown as Record<symbol, CallState>)[STATE] = started.state;
      if (req.getHeader('traceparent') === undefined) this.#propagator.inject(started.ctx, req, nodeSetter);
      req.once('close', onNodeClose);
    } catch (e) {
      reportOnce(e);
    }
  }

  readonly #onHttpFinish = (message: unknown): void => {
    const m = message as { request: ClientRequest; response: IncomingMessage };
    const st = (m.request as unknown as Record<symbol, CallState | undefined>)[STATE];
    if (st === undefined) return;
    st.status = m.response.statusCode ?? 0;
    this.#end(st, undefined, false);
  };

  readonly #onHttpError = (message: unknown): void => {
    const m = message as { request: ClientRequest; error: Error & { code?: string } };
    const st = (m.request as unknown as Record<symbol, CallState | undefined>)[STATE];
    if (st !== undefined) this.#end(st, m.error, false);
  };

  /** @internal fallback end of a node:http call whose response never finished. */
  endAborted(req: ClientRequest): void {
    const st = (req as unknown as Record<symbol, CallState | undefined>)[STATE];
    if (st === undefined || st.ended) return;
    const res = (req as unknown as { res?: IncomingMessage | null }).res;
    if (res !== undefined && res !== null) {
      st.status = res.statusCode ?? 0;
      if (res.complete) {
        this.#end(st, undefined, false);
        return;
      }
    }
    this.#end(st, undefined, true);
  }
}

function onNodeClose(this: ClientRequest): void {
  // The channels fire before 'close' in the normal cases; give them one more turn.
  setImmediate(endLater, this);
}

function endLater(req: ClientRequest): void {
  (req as unknown as Record<symbol, CallState | undefined>)[STATE]?.inst.endAborted(req);
}
