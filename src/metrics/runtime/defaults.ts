/**
 * The default process and Node.js runtime metrics, under prom-client's names so existing Grafana
 * dashboards keep working. Values are read at scrape time by registry collectors; only the GC
 * observer and the event-loop delay histogram run continuously (both are cheap, and both would
 * lose information if sampled only at scrape time).
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Counter } from '../counter.js';
import type { Gauge } from '../gauge.js';
import type { Registry } from '../registry.js';
import { Platform } from '../system/platform.js';
import { SeriesSync, setCounter } from '../system/series-sync.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { UnknownOption } from '../errors.js';
import { InvalidRuntimeOption } from './errors.js';
import { DEFAULT_GC_BUCKETS, observeGc } from './gc.js';

/** Options of {@link collectDefaultMetrics}. */
export interface DefaultMetricsOptions {
  /** Prepended to every metric name (default none: prom-client's names as they are). */
  prefix?: string;
  /** Buckets of `nodejs_gc_duration_seconds` (default prom-client's 1 ms … 5 s). */
  gcDurationBuckets?: readonly number[];
  /** Sampling resolution of the event-loop delay histogram in ms (default 10, as prom-client). */
  eventLoopMonitoringPrecision?: number;
  /** Names (without prefix) of default metrics not to define, e.g. `['nodejs_gc_duration_seconds']`. */
  exclude?: readonly string[];
  /**
   * Also define prom-client's `nodejs_active_handles_total`, `nodejs_active_requests_total` and
   * `nodejs_active_resources_total` (the counts of the `{type}` gauges' lists, exposed as TYPE
   * `untyped`), which Grafana dashboard 11159 queries by name. Default false: see
   * docs/metrics-runtime.md for why.
   */
  activeTotals?: boolean;
}

/** Every key of {@link DefaultMetricsOptions}. */
export const DEFAULT_METRICS_OPTION_KEYS = optionKeys<DefaultMetricsOptions>()(['prefix', 'gcDurationBuckets', 'eventLoopMonitoringPrecision', 'exclude', 'activeTotals']);

/** What {@link collectDefaultMetrics} returns. */
export interface DefaultMetricsHandle {
  /** The names of the metrics defined (with prefix). */
  readonly names: readonly string[];
  /** Disconnects the GC observer and the event-loop histogram, and removes the metrics. */
  stop(): void;
}

const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const handles = new WeakMap<Registry, DefaultMetricsHandle>();

interface Ctx {
  registry: Registry;
  prefix: string;
  exclude: ReadonlySet<string>;
  names: string[];
  stops: (() => void)[];
  platform: Platform;
}

function gauge(ctx: Ctx, name: string, help: string, extra: { labelNames?: string[]; aggregate?: 'sum' | 'max' | 'min' | 'first' | 'omit' } = {}): Gauge | undefined {
  if (ctx.exclude.has(name)) return undefined;
  const g = ctx.registry.gauge({ name: ctx.prefix + name, help, ...extra });
  ctx.names.push(g.name);
  return g;
}

function counter(ctx: Ctx, name: string, help: string): Counter | undefined {
  if (ctx.exclude.has(name)) return undefined;
  // A scrape may itself run inside a sampled request: its trace is no exemplar of CPU time.
  const c = ctx.registry.counter({ name: ctx.prefix + name, help, exemplars: false });
  ctx.names.push(c.name);
  return c;
}

function collector(ctx: Ctx, name: string, fn: () => void | Promise<void>): void {
  ctx.stops.push(ctx.registry.registerCollector(fn, { name: ctx.prefix + name }));
}

function processMetrics(ctx: Ctx): void {
  const user = counter(ctx, 'process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.');
  const system = counter(ctx, 'process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.');
  const total = counter(ctx, 'process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.');
  collector(ctx, 'process_cpu', () => {
    const u = process.cpuUsage();
    if (user !== undefined) setCounter(user, undefined, u.user / 1e6);
    if (system !== undefined) setCounter(system, undefined, u.system / 1e6);
    if (total !== undefined) setCounter(total, undefined, (u.user + u.system) / 1e6);
  });

  // performance.timeOrigin is when this process started, in ms since the epoch.
  gauge(ctx, 'process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', { aggregate: 'omit' })
    ?.set(performance.timeOrigin / 1000);

  const linux = ctx.platform.hasSelfStatus();
  const rss = gauge(ctx, 'process_resident_memory_bytes', 'Resident memory size in bytes.');
  const vsz = linux ? gauge(ctx, 'process_virtual_memory_bytes', 'Virtual memory size in bytes.') : undefined;
  const heap = linux ? gauge(ctx, 'process_heap_bytes', 'Process heap size in bytes.') : undefined;
  const threads = linux ? gauge(ctx, 'process_threads', 'Number of OS threads in the process.') : undefined;
  collector(ctx, 'process_memory', async () => {
    const status = linux ? await ctx.platform.selfStatus() : undefined;
    // Outside Linux (or with /proc hidden) libuv still knows the resident set size.
    rss?.set(status?.get('VmRSS') ?? process.memoryUsage.rss());
    const v = status?.get('VmSize');
    if (v !== undefined) vsz?.set(v);
    const d = status?.get('VmData');
    if (d !== undefined) heap?.set(d);
    const t = status?.get('Threads');
    if (t !== undefined) threads?.set(t);
  });

  if (ctx.platform.hasSelfFds()) {
    const open = gauge(ctx, 'process_open_fds', 'Number of open file descriptors.');
    const max = gauge(ctx, 'process_max_fds', 'Maximum number of open file descriptors.', { aggregate: 'max' });
    collector(ctx, 'process_fds', async () => {
      const [o, m] = await Promise.all([open === undefined ? undefined : ctx.platform.openFds(), max === undefined ? undefined : ctx.platform.maxFds()]);
      if (o !== undefined) open?.set(o);
      if (m !== undefined) max?.set(m);
    });
  }
}

function heapMetrics(ctx: Ctx): void {
  const total = gauge(ctx, 'nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.');
  const used = gauge(ctx, 'nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.');
  const external = gauge(ctx, 'nodejs_external_memory_bytes', 'Node.js external memory size in bytes.');
  collector(ctx, 'nodejs_heap', () => {
    const m = process.memoryUsage();
    total?.set(m.heapTotal);
    used?.set(m.heapUsed);
    external?.set(m.external);
  });

  const spaces = (['total', 'used', 'available'] as const).map((kind) => {
    const g = gauge(ctx, `nodejs_heap_space_size_${kind}_bytes`, `Process heap space size ${kind} from Node.js in bytes.`, { labelNames: ['space'] });
    return g === undefined ? undefined : new SeriesSync(g);
  });
  collector(ctx, 'nodejs_heap_space', () => {
    const stats = getHeapSpaceStatistics();
    // prom-client's label: the V8 space name without its `_space` suffix (`new`, `old`, …).
    const space = (s: { space_name: string }): string => s.space_name.replace(/_space$/, '');
    spaces[0]?.update(stats.map((s) => [{ space: space(s) }, s.space_size] as const));
    spaces[1]?.update(stats.map((s) => [{ space: space(s) }, s.space_used_size] as const));
    spaces[2]?.update(stats.map((s) => [{ space: space(s) }, s.space_available_size] as const));
  });
}

function countBy(items: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of items) out.set(t, (out.get(t) ?? 0) + 1);
  return out;
}

/** prom-client's `_total` gauge of a list's length, exposed untyped (a gauge may not end in `_total`). */
function untypedTotal(ctx: Ctx, on: boolean, name: string, help: string): Gauge | undefined {
  if (!on || ctx.exclude.has(name)) return undefined;
  const g = ctx.registry.untypedGauge({ name: ctx.prefix + name, help });
  ctx.names.push(g.name);
  return g;
}

function activeResourceMetrics(ctx: Ctx, totals: boolean): void {
  const resources = gauge(ctx, 'nodejs_active_resources', 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.', { labelNames: ['type'] });
  const resourcesTotal = untypedTotal(ctx, totals, 'nodejs_active_resources_total', 'Total number of active resources.');
  const p = process as unknown as { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };
  // The per-kind split exists only through these undocumented functions (what prom-client
  // uses); getActiveResourcesInfo() mixes handles, requests and timers in one list.
  const hasHandles = typeof p._getActiveHandles === 'function';
  const hasRequests = typeof p._getActiveRequests === 'function';
  const handles = hasHandles
    ? gauge(ctx, 'nodejs_active_handles', 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.', { labelNames: ['type'] })
    : undefined;
  const handlesTotal = untypedTotal(ctx, totals && hasHandles, 'nodejs_active_handles_total', 'Total number of active handles.');
  const requests = hasRequests
    ? gauge(ctx, 'nodejs_active_requests', 'Number of active libuv requests grouped by request type. Every request type is C++ class name.', { labelNames: ['type'] })
    : undefined;
  const requestsTotal = untypedTotal(ctx, totals && hasRequests, 'nodejs_active_requests_total', 'Total number of active requests.');
  const syncs = [resources, handles, requests].map((g) => (g === undefined ? undefined : new SeriesSync(g)));
  const byClass = (list: unknown[]): Map<string, number> =>
    countBy(list.map((x) => (x as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'unknown'));
  collector(ctx, 'nodejs_active', () => {
    // One call per list and scrape: the totals are the lengths of the lists the {type} gauges count.
    if (resources !== undefined || resourcesTotal !== undefined) {
      const list = process.getActiveResourcesInfo();
      syncs[0]?.update([...countBy(list)].map(([type, n]) => [{ type }, n] as const));
      resourcesTotal?.set(list.length);
    }
    if (p._getActiveHandles !== undefined && (handles !== undefined || handlesTotal !== undefined)) {
      const list = p._getActiveHandles();
      syncs[1]?.update([...byClass(list)].map(([type, n]) => [{ type }, n] as const));
      handlesTotal?.set(list.length);
    }
    if (p._getActiveRequests !== undefined && (requests !== undefined || requestsTotal !== undefined)) {
      const list = p._getActiveRequests();
      syncs[2]?.update([...byClass(list)].map(([type, n]) => [{ type }, n] as const));
      requestsTotal?.set(list.length);
    }
  });
}

function eventLoopMetrics(ctx: Ctx, resolution: number): void {
  const lag = gauge(ctx, 'nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', { aggregate: 'max' });
  if (lag !== undefined) {
    // prom-client's measure: how long a callback queued at scrape time waits to run.
    collector(ctx, 'nodejs_eventloop_lag', () => new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      setImmediate(() => {
        lag.set(Number(process.hrtime.bigint() - t0) / 1e9);
        resolve();
      });
    }));
  }

  const stats = [
    ['min', 'The minimum recorded event loop delay.', 'min'],
    ['max', 'The maximum recorded event loop delay.', 'max'],
    ['mean', 'The mean of the recorded event loop delays.', 'max'],
    ['stddev', 'The standard deviation of the recorded event loop delays.', 'max'],
    ['p50', 'The 50th percentile of the recorded event loop delays.', 'max'],
    ['p90', 'The 90th percentile of the recorded event loop delays.', 'max'],
    ['p99', 'The 99th percentile of the recorded event loop delays.', 'max'],
  ] as const;
  const gauges = stats.map(([s, help, aggregate]) => gauge(ctx, `nodejs_eventloop_lag_${s}_seconds`, help, { aggregate }));
  if (gauges.some((g) => g !== undefined)) {
    const h: IntervalHistogram = monitorEventLoopDelay({ resolution });
    h.enable();
    ctx.stops.push(() => h.disable());
    collector(ctx, 'nodejs_eventloop_delay', () => {
      // Nothing recorded yet (a scrape within the first resolution period): keep the gauges as
      // they are rather than report the histogram's empty-state sentinels.
      if (h.count === 0) return;
      const values = [h.min, h.max, h.mean, h.stddev, h.percentile(50), h.percentile(90), h.percentile(99)];
      gauges.forEach((g, i) => g?.set((values[i] ?? 0) / 1e9));
      // Each scrape reports the delays since the previous one (prom-client's semantics).
      h.reset();
    });
  }

  const utilization = gauge(ctx, 'nodejs_eventloop_utilization_ratio', 'Fraction of time the event loop was busy since the previous scrape (0-1).', { aggregate: 'max' });
  const active = counter(ctx, 'nodejs_eventloop_active_seconds_total', 'Time the event loop has spent busy (not waiting for events) in seconds.');
  if (utilization !== undefined || active !== undefined) {
    let previous: EventLoopUtilization = performance.eventLoopUtilization();
    collector(ctx, 'nodejs_eventloop_utilization', () => {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, previous);
      previous = now;
      if (delta.idle + delta.active > 0) utilization?.set(delta.utilization);
      if (active !== undefined) setCounter(active, undefined, now.active / 1000);
    });
  }
}

function versionMetric(ctx: Ctx): void {
  const g = gauge(ctx, 'nodejs_version_info', 'Node.js version info.', { labelNames: ['version', 'major', 'minor', 'patch'], aggregate: 'first' });
  const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
  g?.labels({ version: process.version, major, minor, patch }).set(1);
}

function gcMetric(ctx: Ctx, buckets: readonly number[]): void {
  if (ctx.exclude.has('nodejs_gc_duration_seconds')) return;
  const h = ctx.registry.histogram({
    name: ctx.prefix + 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets,
    // A GC pause is not caused by the request whose context happens to be active.
    exemplars: false,
  });
  ctx.names.push(h.name);
  ctx.stops.push(observeGc(h));
}

function validate(options: DefaultMetricsOptions): { prefix: string; resolution: number; buckets: readonly number[]; exclude: Set<string>; totals: boolean } {
  if (typeof options !== 'object' || options === null) throw InvalidRuntimeOption(undefined, 'options must be an object');
  checkOptionKeys(options, DEFAULT_METRICS_OPTION_KEYS, UnknownOption, 'collectDefaultMetrics()');
  if (options.activeTotals !== undefined && typeof options.activeTotals !== 'boolean') {
    throw InvalidRuntimeOption('activeTotals', 'activeTotals must be true or false');
  }
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !PREFIX.test(prefix))) {
    throw InvalidRuntimeOption('prefix', `prefix "${String(prefix)}" must match [a-zA-Z_:][a-zA-Z0-9_:]*`);
  }
  const resolution = options.eventLoopMonitoringPrecision ?? 10;
  if (typeof resolution !== 'number' || !Number.isInteger(resolution) || resolution < 1) {
    throw InvalidRuntimeOption('eventLoopMonitoringPrecision', 'eventLoopMonitoringPrecision must be an integer number of milliseconds >= 1');
  }
  const exclude = options.exclude ?? [];
  if (!Array.isArray(exclude) || exclude.some((x) => typeof x !== 'string')) {
    throw InvalidRuntimeOption('exclude', 'exclude must be an array of metric names');
  }
  return { prefix, resolution, buckets: options.gcDurationBuckets ?? DEFAULT_GC_BUCKETS, exclude: new Set<string>(exclude as readonly string[]), totals: options.activeTotals === true };
}

/**
 * Defines the default process and Node.js metrics on `registry` (prom-client's names): CPU,
 * memory, file descriptors, threads, start time, heap and heap spaces, event-loop lag, delay
 * percentiles and utilization, GC durations by kind, active handles/requests/resources and the
 * Node.js version. Calling it again on the same registry returns the first handle.
 * @example
 * import { Registry, collectDefaultMetrics } from 'sightline/metrics';
 * const registry = new Registry();
 * const runtime = collectDefaultMetrics(registry);
 * // … at shutdown
 * runtime.stop();
 */
export function collectDefaultMetrics(registry: Registry, options: DefaultMetricsOptions = {}): DefaultMetricsHandle {
  const existing = handles.get(registry);
  if (existing !== undefined) return existing;
  const { prefix, resolution, buckets, exclude, totals } = validate(options);
  const ctx: Ctx = { registry, prefix, exclude, names: [], stops: [], platform: new Platform() };
  const stop = (): void => {
    for (const s of ctx.stops.splice(0)) s();
    for (const n of ctx.names) registry.unregister(n);
    handles.delete(registry);
  };
  try {
    // First, so that its synchronous count runs before the other collectors start their own
    // file reads (collectors start in registration order), which would otherwise be counted.
    activeResourceMetrics(ctx, totals);
    processMetrics(ctx);
    heapMetrics(ctx);
    eventLoopMetrics(ctx, resolution);
    gcMetric(ctx, buckets);
    versionMetric(ctx);
  } catch (e) {
    // A conflicting metric of the same name (or bad buckets): leave nothing half-installed.
    stop();
    throw e;
  }
  const handle: DefaultMetricsHandle = { names: Object.freeze([...ctx.names]), stop };
  handles.set(registry, handle);
  return handle;
}
