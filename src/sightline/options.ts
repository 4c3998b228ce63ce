/**
 * Options of `sightline()`.
 */
import type { LoggerOptions, Logger } from '../log/index.js';
import type { DefaultMetricsOptions, Registry, RegistryOptions } from '../metrics/index.js';
import type { OtlpExporterOptions } from '../otlp/index.js';
import type { TracerProviderOptions } from '../trace/index.js';
import type { HttpClientOptions, HttpServerOptions } from '../http/index.js';
import type { AdminOptions } from '../admin/index.js';
import type { ErrorGroupsOptions, HealthOptions, ShutdownOptions } from '../health/index.js';
import type { SloOptions } from '../slo/index.js';
import { optionKeys } from '../errors.js';
import { REGISTRY_OPTION_KEYS } from '#internal/metrics';
import { TRACER_PROVIDER_OPTION_KEYS } from '#internal/trace';
import { HEALTH_OPTION_KEYS } from '#internal/health';
import { SHUTDOWN_OPTION_KEYS } from '#internal/health';

/**
 * Health options of `sightline()`: the probes (served on the admin server), graceful shutdown on
 * SIGTERM/SIGINT driving `obs.shutdown()`, crash capture and the error-groups table.
 */
export interface SightlineHealthOptions extends Omit<HealthOptions, 'service' | 'version'> {
  /** Graceful shutdown (default on: SIGTERM and SIGINT); `false` leaves signals to the app. */
  shutdown?: false | Omit<ShutdownOptions, 'health' | 'logger'>;
  /** Crash capture (default on: record, flush, exit 1 like Node); `false` turns it off. */
  crash?: false | { exit?: boolean; flushTimeoutMs?: number };
  /** Size of the error-groups table. */
  errorGroups?: ErrorGroupsOptions;
}

/** Metrics options of `sightline()`. */
export interface SightlineMetricsOptions extends RegistryOptions {
  /** Use this registry instead of a new one. */
  registry?: Registry;
  /** Default runtime metrics (`collectDefaultMetrics`): on by default; `false` or its options. */
  defaultMetrics?: boolean | DefaultMetricsOptions;
  /** `sightline_*` self-metrics of the tracer and logger (default true). */
  selfMetrics?: boolean;
}

/** Tracing options of `sightline()`: the TracerProvider's, plus export and registration. */
export interface SightlineTraceOptions extends Omit<TracerProviderOptions, 'service' | 'serviceVersion' | 'environment'> {
  /**
   * OTLP span export. Default: on only when an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT,
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_TRACES_EXPORTER=otlp); `true` or options to force
   * it on, `false` to keep it off. OTEL_TRACES_EXPORTER=none turns the default off.
   */
  otlp?: boolean | OtlpExporterOptions;
  /** Register as the global @opentelemetry/api provider, context manager and propagator (default true). */
  register?: boolean;
}

/**
 * Options of `sightline()`. Everything is optional; OTEL_SERVICE_NAME, LOG_LEVEL, NODE_ENV and the
 * OTEL_* variables fill the gaps.
 */
export interface SightlineOptions {
  /** Service name on log lines and spans (default OTEL_SERVICE_NAME, else `unknown_service:node`). */
  service?: string;
  /** service.version */
  serviceVersion?: string;
  /** deployment.environment (default NODE_ENV) */
  environment?: string;
  /** Logger options, or a logger of your own. Default: JSON lines to stdout. */
  log?: LoggerOptions | Logger;
  /** Metrics options. */
  metrics?: SightlineMetricsOptions;
  /** Tracing options. */
  trace?: SightlineTraceOptions;
  /** Server instrumentation options (request id, excluded paths, routes, log lines). */
  http?: HttpServerOptions;
  /** Client instrumentation of fetch and http.request (default on); `false` turns it off. */
  client?: boolean | HttpClientOptions;
  /** Admin server (default `{ host: '127.0.0.1', port: 9464 }`); `false` turns it off. */
  admin?: false | AdminOptions;
  /** Probes, graceful shutdown, crash capture (see docs/health.md); `false` turns all three off. */
  health?: false | SightlineHealthOptions;
  /**
   * SLOs and error budgets (see docs/slo.md): `{ objectives: './slo.yaml' | [...], store, interval }`.
   * Off unless given; `GET /slo` on the admin server and `obs.slo.status()` report them.
   */
  slo?: SloOptions;
  /** Environment read for OTEL_* and friends (default process.env; for tests). */
  env?: NodeJS.ProcessEnv;
}

// The key lists of sightline()'s own option objects: any other key throws
// SL_ERR_CONFIG_UNKNOWN_OPTION (the pillars' objects are checked by the pillars, with their codes).
// Each list is checked against its type both ways at compile time (see optionKeys).

/** @internal */
export const SIGHTLINE_OPTION_KEYS = optionKeys<SightlineOptions>()([
  'service', 'serviceVersion', 'environment', 'log', 'metrics', 'trace', 'http', 'client', 'admin', 'health', 'slo', 'env',
]);

/** @internal */
export const SIGHTLINE_METRICS_OPTION_KEYS = optionKeys<SightlineMetricsOptions>()([...REGISTRY_OPTION_KEYS, 'registry', 'defaultMetrics', 'selfMetrics']);

const OWN_TRACE_KEYS = ['service', 'serviceVersion', 'environment'];
/** @internal */
export const SIGHTLINE_TRACE_OPTION_KEYS = optionKeys<SightlineTraceOptions>()([
  ...TRACER_PROVIDER_OPTION_KEYS.filter((k): k is Exclude<typeof k, 'service' | 'serviceVersion' | 'environment'> => !OWN_TRACE_KEYS.includes(k)),
  'otlp', 'register',
]);

/** @internal */
export const SIGHTLINE_HEALTH_OPTION_KEYS = optionKeys<SightlineHealthOptions>()([
  ...HEALTH_OPTION_KEYS.filter((k): k is Exclude<typeof k, 'service' | 'version'> => k !== 'service' && k !== 'version'),
  'shutdown', 'crash', 'errorGroups',
]);

/** @internal */
export const SIGHTLINE_SHUTDOWN_OPTION_KEYS = optionKeys<Exclude<SightlineHealthOptions['shutdown'], false | undefined>>()(
  SHUTDOWN_OPTION_KEYS.filter((k): k is Exclude<typeof k, 'health' | 'logger'> => k !== 'health' && k !== 'logger'),
);

/** @internal */
export const SIGHTLINE_CRASH_OPTION_KEYS = optionKeys<Exclude<SightlineHealthOptions['crash'], false | undefined>>()(['exit', 'flushTimeoutMs']);
