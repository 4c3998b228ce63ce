/**
 * A Pushgateway client for batch jobs: `push` (PUT: replace the whole group), `pushAdd` (POST:
 * replace only the metric families being pushed) and `delete` (DELETE the group), following the
 * Pushgateway README, "API". The group is fixed when the client is created, so every mistake in
 * it is a coded error at creation; the calls themselves never throw or reject: they resolve with a
 * `PushResult` saying whether the gateway accepted the request.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkOptionKeys, createError, optionKeys } from '../errors.js';
import { UnknownOption } from './errors.js';
import type { Renderable } from './registry.js';

/** The push URL is not an absolute http(s) URL. */
export const PushInvalidUrl = createError('SL_ERR_METRICS_PUSH_URL',
  (value: string) => `pushgateway url "${value}" is not an absolute http:// or https:// URL without query or fragment: pass e.g. "http://127.0.0.1:9091"`);
/** The job name is missing or empty. */
export const PushInvalidJob = createError('SL_ERR_METRICS_PUSH_JOB',
  () => 'job must be a non-empty string: the Pushgateway rejects an empty job name');
/** A grouping key label is invalid. */
export const PushInvalidGroupingKey = createError('SL_ERR_METRICS_PUSH_GROUPING_KEY',
  (why: string) => `invalid grouping key: ${why}`);
/** Another push option is invalid. */
export const PushInvalidOption = createError('SL_ERR_METRICS_PUSH_OPTION',
  (why: string) => `invalid pushgateway option: ${why}`);

/** Anything that renders the text exposition format 0.0.4: a `Registry` or a cluster aggregator. */
type TextRenderable = Renderable;

/** Options of {@link Pushgateway}. */
export interface PushgatewayOptions {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:9091` (a path prefix is kept). User info in
   * the URL is sent as HTTP basic authentication. */
  url: string;
  /** The `job` label of the group. */
  job: string;
  /** Further labels of the group (e.g. `{ instance: 'db-1' }`). Values may be any string,
   * including empty and ones containing `/`: they are base64-encoded as the gateway requires. */
  groupingKey?: Record<string, string>;
  /** The registry `push` and `pushAdd` send when called without one. */
  registry?: TextRenderable;
  /** Deadline of one request, connection included. Default 5000 ms. */
  timeoutMs?: number;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
}

const PUSHGATEWAY_OPTION_KEYS = optionKeys<PushgatewayOptions>()(['url', 'job', 'groupingKey', 'registry', 'timeoutMs', 'headers']);

/** The outcome of one push or delete. `ok` is true when the gateway answered 2xx. */
export interface PushResult {
  ok: boolean;
  /** The HTTP status, or undefined when no response arrived (connection refused, timeout). */
  status: number | undefined;
  /** Why it failed: the gateway's explanation (its body) or the network error. */
  error: string | undefined;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A lone UTF-16 surrogate cannot be encoded as UTF-8, so it cannot be a label value.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const MAX_ERROR_BODY = 1024;

/**
 * One path segment pair `name/value` of the grouping key (Pushgateway README, "URL"): a value that
 * contains `/` or is empty must be base64url-encoded with `@base64` appended to the name (an empty
 * value as a single `=`); `.` and `..` are encoded the same way because an HTTP router would
 * collapse them as path segments. Anything else is percent-encoded.
 */
export function encodeGroupingPair(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/') || value === '.' || value === '..') {
    return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  }
  return `${name}/${encodeURIComponent(value)}`;
}

/** The URL path of a group: `/metrics/job/<job>{/<label>/<value>}`. */
export function groupingPath(job: string, groupingKey: Record<string, string> = {}): string {
  let path = '/metrics/' + encodeGroupingPair('job', job);
  for (const [name, value] of Object.entries(groupingKey)) path += '/' + encodeGroupingPair(name, value);
  return path;
}

function validate(options: PushgatewayOptions): URL {
  if (typeof options !== 'object' || options === null) throw PushInvalidOption(undefined, 'options must be an object');
  checkOptionKeys(options, PUSHGATEWAY_OPTION_KEYS, UnknownOption, 'new Pushgateway()');
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw PushInvalidUrl('url', String(options.url));
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw PushInvalidUrl('url', String(options.url));
  }
  if (typeof options.job !== 'string' || options.job === '') throw PushInvalidJob('job');
  if (LONE_SURROGATE.test(options.job)) throw PushInvalidJob('job');
  const key = options.groupingKey ?? {};
  if (typeof key !== 'object' || key === null || Array.isArray(key)) {
    throw PushInvalidGroupingKey('groupingKey', 'it must be an object of label names to string values');
  }
  for (const [name, value] of Object.entries(key)) {
    const field = `groupingKey.${name}`;
    if (!LABEL_NAME.test(name)) throw PushInvalidGroupingKey(field, `"${name}" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
    if (name.startsWith('__')) throw PushInvalidGroupingKey(field, 'label names starting with "__" are reserved');
    if (name === 'job') throw PushInvalidGroupingKey(field, 'pass the job as the `job` option, not in the grouping key');
    if (typeof value !== 'string') throw PushInvalidGroupingKey(field, 'label values must be strings');
    if (LONE_SURROGATE.test(value)) throw PushInvalidGroupingKey(field, 'the value contains a lone UTF-16 surrogate');
  }
  const timeout = options.timeoutMs;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) {
    throw PushInvalidOption('timeoutMs', 'timeoutMs must be a positive number of milliseconds');
  }
  if (options.registry !== undefined && typeof options.registry?.render !== 'function') {
    throw PushInvalidOption('registry', 'registry must be a Registry');
  }
  if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null)) {
    throw PushInvalidOption('headers', 'headers must be an object of header names to string values');
  }
  return url;
}

/**
 * A client for one Pushgateway group (job plus grouping key).
 * @example
 * const gw = new Pushgateway({ url: 'http://pushgateway:9091', job: 'nightly_backup',
 *   groupingKey: { instance: 'db-1' }, registry });
 * const r = await gw.push();           // PUT: the group now holds exactly this registry
 * if (!r.ok) console.error(`push failed: ${r.status} ${r.error}`);
 */
export class Pushgateway {
  /** The group's URL path, e.g. `/metrics/job/nightly_backup/instance/db-1`. */
  readonly path: string;
  readonly #url: URL;
  readonly #registry: TextRenderable | undefined;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(options: PushgatewayOptions) {
    const base = validate(options);
    this.path = groupingPath(options.job, options.groupingKey);
    const prefix = base.pathname.replace(/\/+$/, '');
    this.#url = new URL(base.href);
    this.#url.pathname = prefix + this.path;
    this.#registry = options.registry;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#headers = { ...options.headers };
  }

  /** PUT the registry: every metric of the group is replaced by the ones pushed. */
  push(registry?: TextRenderable): Promise<PushResult> {
    return this.#send('PUT', registry);
  }

  /** POST the registry: only metric families with the same names as the pushed ones are replaced. */
  pushAdd(registry?: TextRenderable): Promise<PushResult> {
    return this.#send('POST', registry);
  }

  /** DELETE the group and all its metrics. */
  delete(): Promise<PushResult> {
    return this.#request('DELETE', undefined);
  }

  async #send(method: 'PUT' | 'POST', registry: TextRenderable | undefined): Promise<PushResult> {
    const source = registry ?? this.#registry;
    if (source === undefined) {
      return { ok: false, status: undefined, error: 'no registry: pass one to the call or to the client' };
    }
    let body: string;
    try {
      body = await source.render('text');
    } catch (e) {
      return { ok: false, status: undefined, error: `rendering the registry failed: ${(e as Error).message}` };
    }
    return this.#request(method, body);
  }

  #request(method: string, body: string | undefined): Promise<PushResult> {
    const url = this.#url;
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const headers: Record<string, string | number> = { ...this.#headers };
    if (payload !== undefined) {
      headers['content-type'] = CONTENT_TYPE;
      headers['content-length'] = payload.length;
    }
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PushResult>((resolve) => {
      const fail = (e: Error): void => {
        const why = signal.aborted ? `no answer within ${this.#timeoutMs} ms` : e.message;
        resolve({ ok: false, status: undefined, error: why });
      };
      const req = send(url, {
        method,
        headers,
        signal,
        auth: url.username === '' ? undefined : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
      }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('error', fail);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY).trim();
          resolve({ ok, status, error: ok ? undefined : text || `HTTP ${status}` });
        });
      });
      req.on('error', fail);
      req.end(payload);
    });
  }
}
