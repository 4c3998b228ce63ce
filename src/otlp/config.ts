import { InvalidEndpoint, InvalidOption, UnsupportedProtocol } from './errors.js';
import { PROTOCOLS } from './protocol.js';
import type { OtlpProtocol } from './protocol.js';
import { report } from '../diagnostics/index.js';
import { envString } from '../env.js';
import { optionKeys } from '../errors.js';

/** The signals OTLP/HTTP knows; each has its own path `/v1/<signal>`. */
export type OtlpSignal = 'traces' | 'logs';

/** Options shared by the OTLP span exporter and log destination. */
export interface OtlpExporterOptions {
  /**
   * Full URL the requests go to, used as is. Default: OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT (as is),
   * else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/<signal>`, else `http://localhost:4318/v1/<signal>`.
   */
  url?: string;
  /** Extra request headers, merged over OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS. */
  headers?: Record<string, string>;
  /** Time budget of one export, retries included (ms). Default OTEL_EXPORTER_OTLP_TIMEOUT or 10000. */
  timeoutMillis?: number;
  /**
   * `http/protobuf` (the spec's default) or `http/json`. Default OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL,
   * else OTEL_EXPORTER_OTLP_PROTOCOL, else `http/protobuf`. Any other value (`grpc` too) throws
   * `SL_ERR_OTLP_UNSUPPORTED_PROTOCOL` at construction, from the option or the variable.
   */
  protocol?: OtlpProtocol;
  /** `gzip` (default) or `none`. Default OTEL_EXPORTER_OTLP_COMPRESSION or gzip. */
  compression?: 'gzip' | 'none';
  /** First retry delay when the collector gave no Retry-After (ms, default 1000); doubles each retry, ±20% jitter. */
  initialBackoffMillis?: number;
  /** Upper bound of one backoff delay (ms, default 5000). */
  maxBackoffMillis?: number;
  /** Batches the exporter may hold, in flight and waiting (default 4); more are dropped and counted. */
  maxQueuedBatches?: number;
  /** Environment to read (default `process.env`); tests pass their own. */
  env?: Record<string, string | undefined>;
}

/** Every key of {@link OtlpExporterOptions}: any other throws SL_ERR_OTLP_UNKNOWN_OPTION. @internal */
export const OTLP_EXPORTER_OPTION_KEYS = optionKeys<OtlpExporterOptions>()([
  'url', 'headers', 'timeoutMillis', 'compression', 'initialBackoffMillis', 'maxBackoffMillis', 'maxQueuedBatches', 'env', 'protocol',
]);

/** Resolved configuration of one sender. */
export interface OtlpSenderConfig {
  readonly url: URL;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly compression: 'gzip' | 'none';
  readonly initialBackoffMillis: number;
  readonly maxBackoffMillis: number;
}

function httpUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** OTEL_EXPORTER_OTLP_HEADERS: `k=v,k2=v2`, keys and values percent-decoded; bad entries skipped. */
export function parseHeaderList(raw: string, variable: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    let key: string | undefined;
    let value: string | undefined;
    if (eq > 0) {
      try {
        key = decodeURIComponent(part.slice(0, eq).trim());
        value = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        key = undefined;
      }
    }
    if (key === undefined || value === undefined || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key) || /[\r\n\0]/.test(value)) {
      report('otlp', 'bad_env', `${variable}: malformed entry ignored (use key=value, comma-separated, percent-encoded)`, { key: `${variable}:${part}` });
      continue;
    }
    out[key.toLowerCase()] = value;
  }
  return out;
}

function positive(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw InvalidOption(field, value, 'a positive number');
  return value;
}

function envPositive(env: Record<string, string | undefined>, names: string[], fallback: number): number {
  for (const name of names) {
    const raw = envString(env, name);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n > 0) return n;
    report('otlp', 'bad_env', `${name}="${raw}" is not a positive number of milliseconds; ignored`, { key: `${name}=${raw}` });
  }
  return fallback;
}

function isProtocol(v: unknown): v is OtlpProtocol {
  return (PROTOCOLS as readonly unknown[]).includes(v);
}

/**
 * The protocol: option, else the per-signal variable, else OTEL_EXPORTER_OTLP_PROTOCOL, else
 * http/protobuf. Unlike other variables, a value we cannot honour throws: the collector would
 * otherwise get a protocol it was not configured for, and nothing would say why.
 */
function resolveProtocol(env: Record<string, string | undefined>, S: string, option: unknown, field: string): OtlpProtocol {
  if (option !== undefined) {
    if (!isProtocol(option)) throw UnsupportedProtocol(field, typeof option === 'string' ? option : (JSON.stringify(option) ?? typeof option));
    return option;
  }
  for (const name of [`OTEL_EXPORTER_OTLP_${S}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const raw = envString(env, name);
    if (raw === undefined) continue;
    const v = raw.toLowerCase();
    if (!isProtocol(v)) throw UnsupportedProtocol(name, raw);
    return v;
  }
  return 'http/protobuf';
}

/** Resolves options and OTEL_EXPORTER_OTLP_* variables for one signal (spec: exporter.md, "Configuration"). */
export function resolveConfig(signal: OtlpSignal, options: OtlpExporterOptions = {}, fieldPrefix = ''): OtlpSenderConfig {
  const env = options.env ?? process.env;
  const S = signal.toUpperCase();
  let url: URL | undefined;
  if (options.url !== undefined) {
    url = httpUrl(options.url);
    if (url === undefined) throw InvalidEndpoint(`${fieldPrefix}url`, String(options.url));
  } else {
    const perSignal = envString(env, `OTEL_EXPORTER_OTLP_${S}_ENDPOINT`);
    if (perSignal !== undefined) {
      url = httpUrl(perSignal);
      if (url === undefined) report('otlp', 'bad_env', `OTEL_EXPORTER_OTLP_${S}_ENDPOINT="${perSignal}" is not an http(s) URL; ignored`, { key: `endpoint:${perSignal}` });
    }
    const base = url === undefined ? envString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') : undefined;
    if (base !== undefined) {
      url = httpUrl(`${base.replace(/\/+$/, '')}/v1/${signal}`);
      if (url === undefined) report('otlp', 'bad_env', `OTEL_EXPORTER_OTLP_ENDPOINT="${base}" is not an http(s) URL; ignored`, { key: `endpoint:${base}` });
    }
    url ??= new URL(`http://localhost:4318/v1/${signal}`);
  }
  const headers: Record<string, string> = {};
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', `OTEL_EXPORTER_OTLP_${S}_HEADERS`]) {
    const raw = envString(env, name);
    if (raw !== undefined) Object.assign(headers, parseHeaderList(raw, name));
  }
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  const timeoutMillis = options.timeoutMillis !== undefined
    ? positive(options.timeoutMillis, `${fieldPrefix}timeoutMillis`, 10_000)
    : envPositive(env, [`OTEL_EXPORTER_OTLP_${S}_TIMEOUT`, 'OTEL_EXPORTER_OTLP_TIMEOUT'], 10_000);
  let compression = options.compression;
  if (compression !== undefined && compression !== 'gzip' && compression !== 'none') {
    throw InvalidOption(`${fieldPrefix}compression`, compression, '"gzip" or "none"');
  }
  if (compression === undefined) {
    for (const name of [`OTEL_EXPORTER_OTLP_${S}_COMPRESSION`, 'OTEL_EXPORTER_OTLP_COMPRESSION']) {
      const raw = envString(env, name)?.toLowerCase();
      if (raw === undefined) continue;
      if (raw === 'gzip' || raw === 'none') {
        compression = raw;
        break;
      }
      report('otlp', 'bad_env', `${name}="${raw}" is not gzip or none; ignored`, { key: `${name}=${raw}` });
    }
  }
  const protocol = resolveProtocol(env, S, options.protocol, `${fieldPrefix}protocol`);
  return {
    url,
    protocol,
    headers,
    timeoutMillis,
    compression: compression ?? 'gzip',
    initialBackoffMillis: positive(options.initialBackoffMillis, `${fieldPrefix}initialBackoffMillis`, 1000),
    maxBackoffMillis: positive(options.maxBackoffMillis, `${fieldPrefix}maxBackoffMillis`, 5000),
  };
}
