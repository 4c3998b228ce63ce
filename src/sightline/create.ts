/**
 * `sightline(options)`: one call wires the logger, the metrics registry, the tracer, the HTTP
 * instrumentation and the admin server together, and `shutdown()` takes them down in order.
 */
import { envList, envString } from '../env.js';
import { createLogger, type Logger } from '../log/index.js';
import { Logger as LoggerClass } from '#internal/log';
import { Registry, collectDefaultMetrics, metricsHandler, type DefaultMetricsHandle } from '../metrics/index.js';
import { OtlpLogDestination, OtlpSpanExporter } from '../otlp/index.js';
import { TracerProvider, propagatorFromEnv, type SpanExporter, type Tracer, type RecentTraces } from '../trace/index.js';
import { createHttpInstrumentation, HttpClientInstrumentation, type HttpInstrumentation } from '../http/index.js';
import type { ExpressErrorMiddleware, ExpressMiddleware, FastifyPlugin } from '../http/index.js';
import { AdminServer, type AdminHandler } from '../admin/index.js';
import { createSlo, type Slo } from '../slo/index.js';
import { createHealth, createShutdown, installCrashCapture, ErrorGroups, HEALTH_CONTENT_TYPE } from '../health/index.js';
import type { CrashCapture, GracefulShutdown, Health, ProbeResponse } from '../health/index.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOptionKeys, withinOption } from '../errors.js';
import { DEFAULT_METRICS_OPTION_KEYS, UnknownOption as UnknownMetricsOption } from '#internal/metrics';
import { InvalidConfig, UnknownConfigOption } from './errors.js';
import {
  SIGHTLINE_CRASH_OPTION_KEYS, SIGHTLINE_HEALTH_OPTION_KEYS, SIGHTLINE_METRICS_OPTION_KEYS, SIGHTLINE_OPTION_KEYS,
  SIGHTLINE_SHUTDOWN_OPTION_KEYS, SIGHTLINE_TRACE_OPTION_KEYS,
} from './options.js';
import type { SightlineOptions } from './options.js';
import { registerSelfMetrics } from './self-metrics.js';

/** What `sightline()` returns. */
export interface Sightline {
  /** The service name in use. */
  readonly service: string;
  /** The logger: JSON lines carrying trace_id, span_id and request_id of the active request. */
  readonly log: Logger;
  /** The metrics registry (RED metrics, runtime metrics and yours). */
  readonly metrics: Registry;
  /** A tracer named after the service (`tracer.span(name, fn)`). */
  readonly tracer: Tracer;
  /** Same as `tracer` (reads well: `obs.trace.span(...)`). */
  readonly trace: Tracer;
  /** The tracer provider (registered globally unless `trace.register: false`). */
  readonly traceProvider: TracerProvider;
  /** Recent, slowest and errored traces kept in memory. */
  readonly recentTraces: RecentTraces;
  /** The admin server, or undefined with `admin: false`. */
  readonly admin: AdminServer | undefined;
  /** The HTTP server instrumentation. */
  readonly http: HttpInstrumentation;
  /** The client instrumentation (fetch, http.request), or undefined with `client: false`. */
  readonly client: HttpClientInstrumentation | undefined;
  /** Express middleware: `app.use(obs.express())` before the routes. */
  express(): ExpressMiddleware;
  /** Express error middleware recording thrown errors on the span: `app.use(obs.expressErrors())` after the routes. */
  expressErrors(): ExpressErrorMiddleware;
  /** Fastify plugin: `await app.register(obs.fastify)`. */
  readonly fastify: FastifyPlugin;
  /** Wraps a node:http request listener: `http.createServer(obs.handler((req, res) => …))`. */
  handler<L extends (req: IncomingMessage, res: ServerResponse) => unknown>(listener: L): L;
  /** Probes (on the admin server; mount on your server with `health.handle(req, res)`), or undefined with `health: false`. */
  readonly health: Health | undefined;
  /** Errors logged with `log.error(msg, err)`, thrown in HTTP handlers or uncaught, grouped by fingerprint. */
  readonly errorGroups: ErrorGroups;
  /** SLOs, error budgets and burn rates (`status()`), or undefined without the `slo` option. */
  readonly slo: Slo | undefined;
  /** The graceful shutdown manager (SIGTERM/SIGINT); add your servers with `graceful.addServer(server)`. */
  readonly graceful: GracefulShutdown | undefined;
  /** Says the app has started (migrations done): readiness may pass, startup passes once its checks do. */
  started(): void;
  /** Stops the admin server and the instrumentation, flushes spans and logs, stops collectors. Idempotent. */
  shutdown(): Promise<void>;
}

function object<T>(v: T | undefined, field: string): T | undefined {
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) throw InvalidConfig(field, `${field} must be an object`);
  return v;
}

/** `object()`, then its keys against `keys` (SL_ERR_CONFIG_UNKNOWN_OPTION at `field.key`). */
function known<T>(v: T | undefined, field: string, keys: readonly string[]): T | undefined {
  const o = object(v, field);
  if (o !== undefined) checkOptionKeys(o as object, keys, UnknownConfigOption, `sightline() ${field}`, field);
  return o;
}

/**
 * A probe answered without the admin token: the status code the kubelet needs and the overall
 * status, never the checks' details (their outputs may name hosts or errors). @internal
 */
function bareProbe(probe: () => ProbeResponse): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': '0' }).end();
      return;
    }
    const r = probe();
    const text = JSON.stringify({ status: r.body.status });
    res.writeHead(r.statusCode, { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}

/** A route a component serves on the admin server. */
interface AdminRoute {
  path: string;
  handler: AdminHandler;
  /** Answered without the admin token (unless `admin.protectProbes`). */
  probe?: boolean;
}

/** One pillar's part of `sightline()`: started in declared order, stopped in reverse. @internal */
interface Component {
  readonly name: string;
  /** Side effects (listeners, timers, global registration); runs after every option is validated. */
  start?(): void;
  /** Routes for the admin server. */
  routes?(): AdminRoute[];
  /** Undoes `start`; awaited, in reverse declared order, by `shutdown()`. */
  stop?(): void | Promise<void>;
}

/** The three probes: the full health+json answer with the token, the bare status without it. */
function probeRoutes(health: Health): AdminRoute[] {
  const answers: [string, () => ProbeResponse][] = [
    [health.paths.live, () => health.liveness()],
    [health.paths.ready, () => health.readiness()],
    [health.paths.startup, () => health.startup()],
  ];
  return answers.map(([path, answer]) => {
    const bare = bareProbe(answer);
    const handler: AdminHandler = (req, res, access) => {
      if (access.authenticated) health.handle(req, res);
      else bare(req, res);
    };
    return { path, handler, probe: true };
  });
}

/** Whether spans go to OTLP: explicit option, else only when an endpoint is configured. */
function wantsOtlp(option: unknown, env: NodeJS.ProcessEnv): boolean {
  if (option === false) return false;
  if (option !== undefined) return true;
  const list = envList(env, 'OTEL_TRACES_EXPORTER')?.map((s) => s.toLowerCase());
  if (list !== undefined) {
    if (list.includes('none')) return false;
    if (list.includes('otlp')) return true;
  }
  return envString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || envString(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined;
}

/**
 * Wires logs, metrics, traces, HTTP instrumentation and the admin server from one configuration.
 * @example
 * import { sightline } from 'sightline';
 * const obs = sightline({ service: 'checkout' });
 * app.use(obs.express());
 * obs.log.info('order placed', { orderId });
 * process.on('SIGTERM', () => void obs.shutdown());
 */
export function sightline(options: SightlineOptions = {}): Sightline {
  if (typeof options !== 'object' || options === null) throw InvalidConfig(undefined, 'sightline(options) takes an object');
  checkOptionKeys(options, SIGHTLINE_OPTION_KEYS, UnknownConfigOption, 'sightline()');
  const env = options.env ?? process.env;
  if (options.service !== undefined && (typeof options.service !== 'string' || options.service === '')) throw InvalidConfig('service', 'service must be a non-empty string');
  const service = options.service ?? envString(env, 'OTEL_SERVICE_NAME') ?? 'unknown_service:node';

  // Logs
  const logOpt = object(options.log, 'log');
  const log = logOpt instanceof LoggerClass ? logOpt : withinOption('log', () => createLogger({ service, env, ...logOpt }));

  // Metrics
  const m = known(options.metrics, 'metrics', SIGHTLINE_METRICS_OPTION_KEYS) ?? {};
  const { registry: givenRegistry, defaultMetrics, selfMetrics, ...registryOptions } = m;
  if (givenRegistry !== undefined && !(givenRegistry instanceof Registry)) throw InvalidConfig('metrics.registry', 'metrics.registry must be a Registry');
  if (defaultMetrics !== undefined && typeof defaultMetrics !== 'boolean') {
    // Checked here, before any side effect; collectDefaultMetrics runs last.
    const d = object(defaultMetrics, 'metrics.defaultMetrics');
    if (d !== undefined) checkOptionKeys(d, DEFAULT_METRICS_OPTION_KEYS, UnknownMetricsOption, 'collectDefaultMetrics()', 'metrics.defaultMetrics');
  }
  if (selfMetrics !== undefined && typeof selfMetrics !== 'boolean') throw InvalidConfig('metrics.selfMetrics', 'selfMetrics must be true or false');
  const registry = givenRegistry ?? withinOption('metrics', () => new Registry(registryOptions));

  // Traces
  const t = known(options.trace, 'trace', SIGHTLINE_TRACE_OPTION_KEYS) ?? {};
  const { otlp, register, exporters, ...providerOptions } = t;
  if (register !== undefined && typeof register !== 'boolean') throw InvalidConfig('trace.register', 'register must be true or false');
  if (otlp !== undefined && typeof otlp !== 'boolean') object(otlp, 'trace.otlp');
  const allExporters: SpanExporter[] = [...(exporters ?? [])];
  if (wantsOtlp(otlp, env)) allExporters.push(withinOption('trace.otlp', () => new OtlpSpanExporter({ env, ...(typeof otlp === 'object' ? otlp : {}) })));
  const provider = withinOption('trace', () => new TracerProvider({
    service,
    serviceVersion: options.serviceVersion,
    environment: options.environment,
    env,
    recentTraces: true,
    ...providerOptions,
    exporters: allExporters,
  }));
  const propagator = propagatorFromEnv(env);
  const tracer = provider.getTracer(service);
  const httpTracer = provider.getTracer('sightline/http');

  // Health: probes, error groups (pure objects), then the signal and crash listeners.
  const h = options.health === false ? undefined : known(options.health, 'health', SIGHTLINE_HEALTH_OPTION_KEYS) ?? {};
  const { shutdown: shutdownOpt, crash: crashOpt, errorGroups: groupsOpt, ...healthOptions } = h ?? {};
  if (shutdownOpt !== undefined && shutdownOpt !== false) known(shutdownOpt, 'health.shutdown', SIGHTLINE_SHUTDOWN_OPTION_KEYS);
  if (crashOpt !== undefined && crashOpt !== false) known(crashOpt, 'health.crash', SIGHTLINE_CRASH_OPTION_KEYS);
  const health = h === undefined ? undefined : withinOption('health', () => createHealth({ service, version: options.serviceVersion, ...healthOptions }));
  const errorGroups = withinOption('health.errorGroups', () => new ErrorGroups(groupsOpt));
  let graceful: GracefulShutdown | undefined;
  if (health !== undefined && shutdownOpt !== false) {
    // The manager owns the exit: drain, then the flush hook runs obs.shutdown(), then exit 0.
    graceful = withinOption('health.shutdown', () => createShutdown({ env, ...shutdownOpt, health, logger: log }));
    graceful.onFlush('sightline', () => shutdown());
  }

  // HTTP
  const http = withinOption('http', () => createHttpInstrumentation({ tracer: httpTracer, logger: log, registry, propagator, ...object(options.http, 'http') }));
  let client: HttpClientInstrumentation | undefined;
  if (options.client !== false) {
    if (options.client !== undefined && options.client !== true) object(options.client, 'client');
    client = new HttpClientInstrumentation({ tracer: httpTracer, registry, propagator }, options.client === true || options.client === undefined ? {} : options.client);
  }
  // SLOs read the registry's RED metrics (defined just above by the HTTP instrumentation).
  const slo = options.slo === undefined ? undefined : createSlo(options.slo, { registry, service, logger: log });
  let admin: AdminServer | undefined;
  if (options.admin !== false) {
    const adminOptions = object(options.admin, 'admin') ?? {};
    admin = withinOption('admin', () => new AdminServer(adminOptions));
  }

  // Each pillar's part of the whole, in declared order: `start` runs in this order once every
  // option above has been validated (a throw leaves nothing behind), `routes` go to the admin
  // server, `stop` runs in reverse order. A new pillar is one more entry here.
  let runtime: DefaultMetricsHandle | undefined;
  let unregisterSelf: (() => void) | undefined;
  let stopGroups: (() => void) | undefined;
  let crash: CrashCapture | undefined;
  const components: Component[] = [
    { name: 'log', stop: () => log.flush() },
    {
      name: 'metrics',
      start: () => {
        if (defaultMetrics !== false) runtime = withinOption('metrics.defaultMetrics', () => collectDefaultMetrics(registry, typeof defaultMetrics === 'object' ? defaultMetrics : {}));
        // OTLP log destinations given without a resource describe the same service as the spans.
        const otlpLogs = log.core.dests.filter((d): d is OtlpLogDestination => d instanceof OtlpLogDestination);
        for (const d of otlpLogs) d.useDefaultResource(provider.resource);
        const otlpSpans = allExporters.filter((e): e is OtlpSpanExporter => e instanceof OtlpSpanExporter);
        const otlpStats = () => [...otlpSpans.map((e) => e.stats()), ...otlpLogs.map((d) => d.stats().otlp)];
        if (selfMetrics !== false) unregisterSelf = registerSelfMetrics(registry, provider, log, otlpStats);
      },
      routes: () => [{ path: '/metrics', handler: metricsHandler(registry) }],
      stop: () => {
        runtime?.stop();
        unregisterSelf?.();
      },
    },
    {
      name: 'errors',
      start: () => {
        stopGroups = errorGroups.capture();
        if (health !== undefined && crashOpt !== false) {
          crash = withinOption('health.crash', () => installCrashCapture({ logger: log, registry, errorGroups, ...crashOpt, flushers: [() => provider.forceFlush()] }));
        }
      },
      stop: () => {
        stopGroups?.();
        crash?.uninstall();
      },
    },
    {
      name: 'trace',
      start: () => {
        if (register !== false) provider.register({ propagator });
      },
      stop: () => provider.shutdown(),
    },
    {
      name: 'http',
      start: () => client?.enable(),
      stop: () => {
        http.stop();
        client?.disable();
      },
    },
    {
      name: 'slo',
      start: () => slo?.start(),
      routes: () => (slo === undefined ? [] : [{ path: '/slo', handler: (req, res) => slo.handler(req, res) }]),
      // The last tick and the store's save, before the logs are flushed.
      stop: () => slo?.stop(),
    },
    {
      name: 'admin',
      start: () => {
        if (admin === undefined) return;
        for (const r of components.flatMap((c) => c.routes?.() ?? [])) admin.route(r.path, r.handler, r.probe === true ? { probe: true } : undefined);
        admin.listen();
        const server = admin;
        // One line at start saying where the admin server listens (a failure to bind is reported on stderr by the server).
        void server.ready().then((address) => {
          if (address === undefined || down !== undefined) return;
          log.info('admin server listening', { url: server.url(), routes: server.routes(), protected: server.options.token !== undefined });
        });
      },
      stop: () => admin?.close(),
    },
    {
      name: 'health',
      // With a token, the probes still answer without it (the kubelet seldom holds secrets), with
      // the status only: the checks' outputs need the token.
      routes: () => (health === undefined ? [] : probeRoutes(health)),
      stop: () => {
        health?.markShuttingDown();
        health?.close();
        graceful?.dispose();
      },
    },
  ];
  for (const c of components) c.start?.();

  let down: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    down ??= (async () => {
      for (const c of [...components].reverse()) await c.stop?.();
    })();
    return down;
  };

  const recentTraces = provider.recentTraces as RecentTraces;
  return {
    service,
    log,
    metrics: registry,
    tracer,
    trace: tracer,
    traceProvider: provider,
    recentTraces,
    admin,
    http,
    client,
    express: () => http.express(),
    expressErrors: () => http.expressErrors(),
    fastify: http.fastify,
    handler: (listener) => http.handler(listener),
    health,
    errorGroups,
    slo,
    graceful,
    started: () => health?.markStarted(),
    shutdown,
  };
}
