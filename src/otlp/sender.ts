import http from 'node:http';
import https from 'node:https';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { ROOT_CONTEXT, OTEL_SUPPRESS_TRACING_KEY } from '../context/index.js';
import { storage } from '#internal/context';
import type { OtlpSenderConfig } from './config.js';
import type { OtlpCounters } from './stats.js';
import { USER_AGENT } from './user-agent.js';
import { contentTypeOf } from './protocol.js';
import { rejectedInProtobufResponse } from './protobuf.js';

const gzipAsync = promisify(gzip);

/** What became of one payload. */
export interface SendOutcome {
  readonly ok: boolean;
  /** Items the collector refused in a `partialSuccess` answer. */
  readonly rejected: number;
  readonly status?: number;
  readonly error?: Error;
  /** Why a payload that was not delivered failed (set when `ok` is false). */
  readonly reason?: 'export_failed' | 'rejected' | 'timeout';
}

interface Attempt {
  status?: number;
  retryAfter?: string | undefined;
  body?: Buffer;
  contentType?: string | undefined;
  error?: Error;
  /** True for a refused or dropped connection (retryable). */
  network?: boolean;
  /** True when the attempt was cut at the export deadline. */
  timedOut?: boolean;
}

/** Why a failed attempt ends the export: a 4xx answer is a refusal, no answer in time a timeout. */
/** The reason of a failed answer: a 4xx other than 429 is the collector refusing the data. */
function failureReason(status: number): 'export_failed' | 'rejected' {
  return status >= 400 && status < 500 && status !== 429 ? 'rejected' : 'export_failed';
}

/** OTLP/HTTP §Failures: only these statuses are retryable. */
const RETRYABLE = new Set([429, 502, 503, 504]);
/** Connection errors treated as "dropped connection" (retryable). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

/** The export requests run in a context flagged with the SDK's suppress-tracing key: never traced. */
const SUPPRESSED = ROOT_CONTEXT.setValue(OTEL_SUPPRESS_TRACING_KEY, true);

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); ms to wait, or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How many items a `partialSuccess` answer (JSON or protobuf, by its content type) says were refused. */
function rejectedCount(body: Buffer | undefined, contentType: string | undefined): number {
  if (body === undefined || body.length === 0) return 0;
  if (contentType?.toLowerCase().startsWith('application/x-protobuf') === true) return rejectedInProtobufResponse(body);
  try {
    const ps = (JSON.parse(body.toString('utf8')) as { partialSuccess?: Record<string, unknown> }).partialSuccess;
    if (ps === undefined || ps === null) return 0;
    const n = Number(ps['rejectedSpans'] ?? ps['rejectedLogRecords'] ?? ps['rejectedDataPoints'] ?? 0);
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0; // protobuf or garbage: nothing we can count
  }
}

function sleep(ms: number): Promise<void> {
  // Kept referenced: an export under way (bounded by its timeout) may hold the process, so that
  // `await exporter.shutdown()` at exit really delivers.
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * POSTs OTLP payloads with the spec's retry rules: retry only on 429/502/503/504 or a refused or
 * dropped connection, honouring Retry-After, else exponential backoff with ±20% jitter, all within
 * the export timeout. Uses node:http directly in a suppressed-tracing context, so the exporter's
 * own requests are never traced, by our tracer or by OpenTelemetry's http instrumentation.
 */
export class OtlpHttpSender {
  readonly #config: OtlpSenderConfig;
  readonly #stats: OtlpCounters;
  readonly #agent: http.Agent;
  readonly #transport: typeof http | typeof https;

  constructor(config: OtlpSenderConfig, stats: OtlpCounters) {
    this.#config = config;
    this.#stats = stats;
    const secure = config.url.protocol === 'https:';
    this.#transport = secure ? https : http;
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 2 }) : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  get config(): OtlpSenderConfig {
    return this.#config;
  }

  /** Sends one payload, encoded for the configured protocol. Never rejects. */
  async send(payload: string | Buffer): Promise<SendOutcome> {
    const deadline = Date.now() + this.#config.timeoutMillis;
    let body: Buffer;
    try {
      body = this.#config.compression === 'gzip' ? await gzipAsync(payload) : typeof payload === 'string' ? Buffer.from(payload) : payload;
    } catch (e) {
      return { ok: false, rejected: 0, error: e as Error, reason: 'export_failed' };
    }
    let retry = 0;
    // Out of time, the reason is `timeout` only when the collector never answered and the last
    // attempt hung; after an answer (a 503, say) or with a refused connection it is an export
    // failure — whichever of the deadline's exits is taken.
    let answered = false;
    const outOfTime = (last: Attempt | undefined): 'timeout' | 'export_failed' => (!answered && (last === undefined || last.timedOut === true) ? 'timeout' : 'export_failed');
    let last: Attempt | undefined;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { ok: false, rejected: 0, error: new Error('OTLP export timed out'), reason: outOfTime(last) };
      if (retry > 0) this.#stats.retries++;
      this.#stats.requests++;
      const a = await this.#attempt(body, remaining);
      last = a;
      const code = a.status !== undefined ? String(a.status) : a.timedOut === true ? 'timeout' : 'network';
      this.#stats.responses[code] = (this.#stats.responses[code] ?? 0) + 1;
      if (a.status !== undefined && a.status >= 200 && a.status < 300) {
        return { ok: true, rejected: rejectedCount(a.body, a.contentType), status: a.status };
      }
      this.#stats.failedRequests++;
      if (a.status !== undefined) answered = true;
      const error = a.error ?? new Error(`OTLP collector answered HTTP ${a.status}`);
      const status = a.status === undefined ? {} : { status: a.status };
      const retryable = a.network === true || (a.status !== undefined && RETRYABLE.has(a.status));
      if (!retryable) return { ok: false, rejected: 0, ...status, error, reason: a.status !== undefined ? failureReason(a.status) : outOfTime(a) };
      const backoff = Math.min(this.#config.maxBackoffMillis, this.#config.initialBackoffMillis * 2 ** retry);
      const delay = parseRetryAfter(a.retryAfter) ?? backoff * (0.8 + Math.random() * 0.4);
      // Within the export timeout: a wait that would outlast it is not worth starting.
      if (Date.now() + delay >= deadline) return { ok: false, rejected: 0, ...status, error, reason: outOfTime(a) };
      await sleep(delay);
      retry++;
    }
  }

  #attempt(body: Buffer, timeoutMillis: number): Promise<Attempt> {
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      const done = (a: Attempt): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(a);
      };
      const headers: Record<string, string | number> = {
        'user-agent': USER_AGENT,
        ...this.#config.headers,
        'content-type': contentTypeOf(this.#config.protocol),
        'content-length': body.length,
      };
      if (this.#config.compression === 'gzip') headers['content-encoding'] = 'gzip';
      let req: http.ClientRequest;
      try {
        req = storage.run(SUPPRESSED, () => this.#transport.request(this.#config.url, { method: 'POST', headers, agent: this.#agent }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            // An answer is small; do not let a broken collector fill our memory.
            if (size < 64 * 1024) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => done({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks), contentType: res.headers['content-type'] }));
          res.on('error', (e) => done({ error: e, network: true }));
        }));
      } catch (e) {
        resolve({ error: e as Error });
        return;
      }
      // One timer for the whole attempt (connect + answer): a hanging collector is cut at the deadline.
      const timer = setTimeout(() => {
        done({ error: new Error('OTLP export timed out'), timedOut: true });
        req.destroy();
      }, timeoutMillis);
      req.on('error', (e: NodeJS.ErrnoException) => done({ error: e, network: e.code !== undefined && NETWORK_CODES.has(e.code) }));
      req.end(body);
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}
