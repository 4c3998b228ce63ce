/**
 * Options of the server instrumentation, their defaults and their validation.
 */
import type { IncomingMessage } from 'node:http';
import type { Span as ApiSpan } from '@opentelemetry/api';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidHttpOption, UnknownOption } from './errors.js';
import { routeMatcher, type RouteMatcher } from './route-matcher.js';
import { HTTP_DURATION_BUCKETS } from './server-metrics.js';

/** Paths never instrumented unless `exclude` says otherwise: the scrape and the probes. */
export const DEFAULT_EXCLUDE: readonly string[] = Object.freeze(['/metrics', '/health/live', '/health/ready', '/health/startup', '/healthz', '/livez', '/readyz']);

/** Header values never logged, even when allow-listed. */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-csrf-token']);

/** Called once per request inside its context, before the app's code: add user or tenant ids here. */
export type EnrichHook = (req: IncomingMessage, span: ApiSpan) => void;

/** Options of the HTTP server instrumentation (`sightline({ http })` or `createHttpInstrumentation`). */
export interface HttpServerOptions {
  /** Header carrying the request id, read and returned (default `x-request-id`). */
  requestIdHeader?: string;
  /** Reuse a well-formed incoming request id (default true); false always makes a new one. */
  trustRequestId?: boolean;
  /**
   * Paths not instrumented at all (no span, metrics or log): exact paths, RegExps, or a function
   * of the path. Default {@link DEFAULT_EXCLUDE}. The query string is not part of the path.
   */
  exclude?: readonly (string | RegExp)[] | ((path: string, req: IncomingMessage) => boolean);
  /** node:http only: the route template of a path (a function, or a list for `routeMatcher`). */
  routes?: RouteMatcher | readonly string[];
  /** Log a line when a request starts (default false). */
  logStart?: boolean;
  /** Log one line when a request completes (default true). */
  logCompletion?: boolean;
  /** Request headers copied into the completion line (lower-case names); credentials are redacted. */
  logHeaders?: readonly string[];
  /** Add user or tenant ids to the context (`setContextUser`, `addContextFields`) or span attributes. */
  enrich?: EnrichHook;
  /** Buckets of `http_server_request_duration_seconds` (default the OpenTelemetry advice, 5 ms … 10 s). */
  durationBuckets?: readonly number[];
}

/** Every key of {@link HttpServerOptions}: any other throws SL_ERR_HTTP_UNKNOWN_OPTION. @internal */
export const HTTP_SERVER_OPTION_KEYS = optionKeys<HttpServerOptions>()([
  'requestIdHeader', 'trustRequestId', 'exclude', 'routes', 'logStart', 'logCompletion', 'logHeaders', 'enrich', 'durationBuckets',
]);

/** Options after validation. @internal */
export interface ResolvedServerOptions {
  requestIdHeader: string;
  trustRequestId: boolean;
  excludeExact: ReadonlySet<string>;
  excludePatterns: readonly RegExp[];
  excludeFn: ((path: string, req: IncomingMessage) => boolean) | undefined;
  routes: RouteMatcher | undefined;
  logStart: boolean;
  logCompletion: boolean;
  logHeaders: readonly string[];
  enrich: EnrichHook | undefined;
  durationBuckets: readonly number[];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

function bool(v: unknown, field: string, d: boolean): boolean {
  if (v === undefined) return d;
  if (typeof v !== 'boolean') throw InvalidHttpOption(field, `${field} must be true or false`);
  return v;
}

/** Validates options; throws SL_ERR_HTTP_* naming the field. @internal */
export function resolveServerOptions(o: HttpServerOptions = {}, prefix = 'http'): ResolvedServerOptions {
  if (typeof o !== 'object' || o === null) throw InvalidHttpOption(prefix, 'http options must be an object');
  checkOptionKeys(o, HTTP_SERVER_OPTION_KEYS, UnknownOption, `${prefix} options`, prefix);
  const header = o.requestIdHeader ?? 'x-request-id';
  if (typeof header !== 'string' || !TOKEN.test(header.toLowerCase())) {
    throw InvalidHttpOption(`${prefix}.requestIdHeader`, 'requestIdHeader must be a header name such as x-request-id');
  }
  const excludeExact = new Set<string>();
  const excludePatterns: RegExp[] = [];
  let excludeFn: ResolvedServerOptions['excludeFn'];
  const ex = o.exclude ?? DEFAULT_EXCLUDE;
  if (typeof ex === 'function') excludeFn = ex;
  else if (Array.isArray(ex)) {
    ex.forEach((e: unknown, i) => {
      if (typeof e === 'string') excludeExact.add(e);
      else if (e instanceof RegExp) excludePatterns.push(e);
      else throw InvalidHttpOption(`${prefix}.exclude[${i}]`, 'exclude entries must be paths (strings) or RegExps');
    });
  } else throw InvalidHttpOption(`${prefix}.exclude`, 'exclude must be an array of paths/RegExps or a function (path, req) => boolean');
  let routes: RouteMatcher | undefined;
  if (o.routes !== undefined) {
    if (typeof o.routes === 'function') routes = o.routes;
    else if (Array.isArray(o.routes)) routes = routeMatcher(o.routes);
    else throw InvalidHttpOption(`${prefix}.routes`, 'routes must be a list of templates (/users/:id) or a function (path, method) => template | undefined');
  }
  const logHeaders = o.logHeaders ?? [];
  if (!Array.isArray(logHeaders) || logHeaders.some((h) => typeof h !== 'string' || !TOKEN.test(h.toLowerCase()))) {
    throw InvalidHttpOption(`${prefix}.logHeaders`, 'logHeaders must be a list of header names');
  }
  if (o.enrich !== undefined && typeof o.enrich !== 'function') throw InvalidHttpOption(`${prefix}.enrich`, 'enrich must be a function (req, span) => void');
  const buckets = o.durationBuckets ?? HTTP_DURATION_BUCKETS;
  if (!Array.isArray(buckets)) throw InvalidHttpOption(`${prefix}.durationBuckets`, 'durationBuckets must be an array of seconds');
  return {
    requestIdHeader: header.toLowerCase(),
    trustRequestId: bool(o.trustRequestId, `${prefix}.trustRequestId`, true),
    excludeExact,
    excludePatterns,
    excludeFn,
    routes,
    logStart: bool(o.logStart, `${prefix}.logStart`, false),
    logCompletion: bool(o.logCompletion, `${prefix}.logCompletion`, true),
    logHeaders: (logHeaders as readonly string[]).map((h) => h.toLowerCase()),
    enrich: o.enrich,
    durationBuckets: buckets,
  };
}
