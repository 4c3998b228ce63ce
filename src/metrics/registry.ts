/**
 * The registry: defines metrics (idempotently), runs scrape-time collectors with timeouts, renders
 * the exposition without blocking the event loop, and keeps its own `sightline_metrics_*` counters.
 */
import { checkOptionKeys, optionKeys } from '../errors.js';
import { Counter, COUNTER_DEFINITION_KEYS } from './counter.js';
import type { CounterDefinition } from './counter.js';
import { InvalidFormat, InvalidOption, MetricConflict, UnknownOption } from './errors.js';
import type { AnyMetric, ExpositionFormat } from './exposition.js';
import { counterNames, TEXT_CONTENT_TYPE } from './exposition.js';
import { Gauge, GAUGE_DEFINITION_KEYS } from './gauge.js';
import type { GaugeDefinition } from './gauge.js';
import { Histogram, HISTOGRAM_DEFINITION_KEYS } from './histogram.js';
import type { HistogramDefinition } from './histogram.js';
import type { CollectHook, MetricHost } from './metric.js';
import { renderChunks, renderToString } from './render.js';
import { Summary, SUMMARY_DEFINITION_KEYS } from './summary.js';
import type { SummaryDefinition } from './summary.js';
import { positiveInteger, positiveNumber } from './validate.js';

/** Options of a registry. */
export interface RegistryOptions {
  /** Default cardinality cap of each metric (default 2,000 series). */
  maxSeries?: number;
  /** Default timeout of collect callbacks, in ms (default 1,000). */
  collectTimeoutMs?: number;
  /** Record exemplars from sampled traces on counters and histograms (default true). */
  exemplars?: boolean;
  /**
   * Called once per distinct warning (series cap reached, invalid labels…). Default: one line on
   * stderr through `process.emitWarning` with type `SightlineWarning`.
   */
  onWarning?: (code: string, message: string) => void;
}

/** Every key of {@link RegistryOptions}. */
export const REGISTRY_OPTION_KEYS = optionKeys<RegistryOptions>()(['maxSeries', 'collectTimeoutMs', 'exemplars', 'onWarning']);

/** Options of {@link Registry.registerCollector}. */
export interface CollectorOptions {
  /** Name used in the self-metrics' `metric` label (default `collector`). */
  name?: string;
  /** Longest wait for the callback in ms (default: the registry's). */
  timeoutMs?: number;
}

const COLLECTOR_OPTION_KEYS = optionKeys<CollectorOptions>()(['name', 'timeoutMs']);

/** Throws SL_ERR_METRICS_UNKNOWN_OPTION for a definition key the metric type does not have. */
function checkDefinition(def: unknown, keys: readonly string[], where: string): void {
  if (typeof def === 'object' && def !== null) checkOptionKeys(def, keys, UnknownOption, where);
}

/** Anything that renders an exposition: a Registry, or the cluster aggregator. */
export interface Renderable {
  render(format?: ExpositionFormat): Promise<string>;
  /** The same exposition as UTF-8 chunks; when present, the handler streams it. */
  stream?(format?: ExpositionFormat): AsyncIterable<Buffer>;
}

const SELF_HELP = {
  overflow: ['sightline_metrics_series_overflow_total', 'Updates routed to the overflow series because the metric reached its series cap'],
  invalid_labels: ['sightline_metrics_invalid_labels_total', 'Updates dropped because their label set did not match the metric\'s label names'],
  invalid_values: ['sightline_metrics_invalid_values_total', 'Values dropped because they were invalid (NaN, negative counter increment, non-number)'],
  collect_timeouts: ['sightline_metrics_collect_timeouts_total', 'Scrape-time collect callbacks that did not finish within their timeout'],
  collect_errors: ['sightline_metrics_collect_errors_total', 'Scrape-time collect callbacks that threw or rejected'],
} as const;

type SelfKind = keyof typeof SELF_HELP;

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The sample names a family claims (two families must not share one). */
function claimedNames(m: AnyMetric): string[] {
  switch (m.type) {
    case 'counter': {
      const { family, sample } = counterNames(m.name);
      return [family, sample, `${family}_created`];
    }
    case 'gauge': return [m.name];
    case 'histogram': return [m.name, `${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`, `${m.name}_created`];
    case 'summary': return [m.name, `${m.name}_count`, `${m.name}_sum`, `${m.name}_created`];
  }
}

/**
 * A set of metrics and the way to render them.
 * @example
 * import { Registry, metricsHandler } from 'sightline/metrics';
 * const registry = new Registry();
 * const hits = registry.counter({ name: 'hits_total', help: 'Hits', labelNames: ['route'] });
 * hits.labels({ route: '/' }).inc();
 * http.createServer(metricsHandler(registry)).listen(9464);
 */
export class Registry implements Renderable {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #claimed = new Map<string, string>();
  readonly #collectors = new Set<CollectHook>();
  readonly #self = new Map<SelfKind, Counter>();
  readonly #warned = new Set<string>();
  readonly #onWarning: (code: string, message: string) => void;
  /** @internal */
  readonly host: MetricHost;

  constructor(options: RegistryOptions = {}) {
    if (typeof options !== 'object' || options === null) throw InvalidOption(undefined, 'registry options must be an object');
    checkOptionKeys(options, REGISTRY_OPTION_KEYS, UnknownOption, 'new Registry()');
    const defaultMaxSeries = positiveInteger(options.maxSeries, 'maxSeries', 2000);
    const defaultCollectTimeoutMs = positiveNumber(options.collectTimeoutMs, 'collectTimeoutMs', 1000);
    if (options.onWarning !== undefined && typeof options.onWarning !== 'function') throw InvalidOption('onWarning', 'onWarning must be a function');
    this.#onWarning = options.onWarning ?? ((code, message) => process.emitWarning(message, { type: 'SightlineWarning', code }));
    this.host = {
      defaultMaxSeries,
      defaultCollectTimeoutMs,
      exemplars: options.exemplars ?? true,
      count: (kind, metric) => this.countSelf(kind, metric),
      warn: (code, message) => this.#warn(code, message),
    };
  }

  #warn(code: string, message: string): void {
    const key = `${code}\u0000${message}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    try {
      this.#onWarning(code, message);
    } catch {
      // A failing warning sink must not break recording.
    }
  }

  /** Increments a self-metric (created on first use so an idle registry renders only user metrics). @internal */
  countSelf(kind: SelfKind, metric: string): void {
    let c = this.#self.get(kind);
    if (c === undefined) {
      const [name, help] = SELF_HELP[kind];
      c = this.counter({ name, help, labelNames: ['metric'], maxSeries: 10_000, exemplars: false });
      this.#self.set(kind, c);
    }
    // Self-metrics never report their own overflow (no recursion): past the cap they share one series.
    if (metric.startsWith('sightline_metrics_')) return;
    c.labels({ metric }).inc();
  }

  #define<M extends AnyMetric>(make: () => M, compare: (existing: M, made: M) => string | undefined): M {
    const m = make();
    const existing = this.#metrics.get(m.name);
    if (existing !== undefined) {
      if (existing.type !== m.type) throw MetricConflict('name', m.name, `it is a ${existing.type}, not a ${m.type}`);
      const why = existing.help !== m.help ? 'different help'
        : !sameList(existing.labelNames, m.labelNames) ? `label names [${existing.labelNames.join(', ')}]`
        : compare(existing as M, m);
      if (why !== undefined) throw MetricConflict('name', m.name, why);
      return existing as M;
    }
    const names = claimedNames(m);
    for (const n of names) {
      const owner = this.#claimed.get(n);
      if (owner !== undefined) throw MetricConflict('name', m.name, `its sample name ${n} is used by metric ${owner}`);
    }
    for (const n of names) this.#claimed.set(n, m.name);
    this.#metrics.set(m.name, m);
    const hook = (m as { collectHook?: CollectHook | undefined }).collectHook;
    if (hook !== undefined) this.#collectors.add(hook);
    return m;
  }

  /**
   * Defines (or returns the identical existing) counter.
   * @example
   * const orders = registry.counter({ name: 'orders_total', help: 'Orders placed', labelNames: ['country'] });
   */
  counter(def: CounterDefinition): Counter {
    checkDefinition(def, COUNTER_DEFINITION_KEYS, 'registry.counter()');
    return this.#define(() => new Counter(def, this.host), () => undefined);
  }

  /**
   * Defines (or returns the identical existing) gauge.
   * @example
   * registry.gauge({ name: 'queue_depth', help: 'Jobs waiting', collect: (g) => g.set(queue.length) });
   */
  gauge(def: GaugeDefinition): Gauge {
    checkDefinition(def, GAUGE_DEFINITION_KEYS, 'registry.gauge()');
    return this.#define(() => new Gauge(def, this.host), () => undefined);
  }

  /**
   * A gauge exposed with TYPE `untyped` (0.0.4) / `unknown` (OpenMetrics), which may keep a
   * `_total` name: only for prom-client's `nodejs_active_*_total`, which dashboards query by name.
   * @internal
   */
  untypedGauge(def: GaugeDefinition): Gauge {
    return this.#define(() => new Gauge(def, this.host, true), (e) => (e.untyped ? undefined : 'it is a gauge, not an untyped metric'));
  }

  /**
   * Defines (or returns the identical existing) histogram.
   * @example
   * registry.histogram({ name: 'job_duration_seconds', help: 'Job durations', buckets: linearBuckets(1, 1, 10) });
   */
  histogram(def: HistogramDefinition): Histogram {
    checkDefinition(def, HISTOGRAM_DEFINITION_KEYS, 'registry.histogram()');
    return this.#define(() => new Histogram(def, this.host),
      (e, m) => (sameList(e.buckets, m.buckets) ? undefined : `buckets [${e.buckets.join(', ')}]`));
  }

  /**
   * Defines (or returns the identical existing) summary.
   * @example
   * registry.summary({ name: 'payload_bytes', help: 'Payload sizes', percentiles: [0.5, 0.99] });
   */
  summary(def: SummaryDefinition): Summary {
    checkDefinition(def, SUMMARY_DEFINITION_KEYS, 'registry.summary()');
    return this.#define(() => new Summary(def, this.host), (e, m) => {
      if (!sameList(e.percentiles, m.percentiles)) return `percentiles [${e.percentiles.join(', ')}]`;
      if (e.maxAgeSeconds !== m.maxAgeSeconds || e.ageBuckets !== m.ageBuckets) return `window ${e.maxAgeSeconds}s/${e.ageBuckets}`;
      return undefined;
    });
  }

  /** The metric of that name, if defined. */
  get(name: string): AnyMetric | undefined {
    return this.#metrics.get(name);
  }

  /** Every metric, in definition order (prom-client's name for it). */
  getMetricsAsArray(): AnyMetric[] {
    return [...this.#metrics.values()];
  }

  /**
   * The content type of {@link Registry.metrics}' text: `text/plain; version=0.0.4; charset=utf-8`
   * (prom-client's `register.contentType`).
   */
  readonly contentType: string = TEXT_CONTENT_TYPE;

  /**
   * The text exposition 0.0.4, as prom-client's `register.metrics()` returns it: the same as
   * `render('text')`. Serve it with {@link Registry.contentType}.
   * @example
   * res.setHeader('content-type', registry.contentType);
   * res.end(await registry.metrics());
   */
  metrics(): Promise<string> {
    return this.render('text');
  }

  /**
   * Removes a metric (and its collect callback). Returns whether it existed.
   * @example
   * registry.unregister('legacy_total');
   */
  unregister(name: string): boolean {
    const m = this.#metrics.get(name);
    if (m === undefined) return false;
    this.#metrics.delete(name);
    for (const n of claimedNames(m)) this.#claimed.delete(n);
    const hook = (m as { collectHook?: CollectHook | undefined }).collectHook;
    if (hook !== undefined) this.#collectors.delete(hook);
    for (const [k, c] of this.#self) if (c === m) this.#self.delete(k);
    return true;
  }

  /** Resets every metric's values (labelled series are dropped). */
  resetAll(): void {
    for (const m of this.#metrics.values()) m.reset();
  }

  /**
   * Registers a callback run at each scrape before rendering, for a group of metrics filled
   * together (e.g. several gauges from one /proc read). Sync or async; bounded by a timeout, after
   * which the previous values are rendered and `sightline_metrics_collect_timeouts_total{metric=<name>}`
   * counts it. Returns a function that unregisters it.
   * @example
   * const heap = registry.gauge({ name: 'heap_bytes', help: 'Heap', labelNames: ['kind'] });
   * registry.registerCollector(() => {
   *   const m = process.memoryUsage();
   *   heap.labels({ kind: 'used' }).set(m.heapUsed);
   *   heap.labels({ kind: 'total' }).set(m.heapTotal);
   * }, { name: 'heap' });
   */
  registerCollector(fn: () => void | Promise<void>, options: CollectorOptions = {}): () => void {
    if (typeof fn !== 'function') throw InvalidOption('collector', 'a collector must be a function');
    checkOptionKeys(options, COLLECTOR_OPTION_KEYS, UnknownOption, 'registry.registerCollector()');
    const hook: CollectHook = {
      name: options.name ?? 'collector',
      timeoutMs: positiveNumber(options.timeoutMs, 'timeoutMs', this.host.defaultCollectTimeoutMs),
      run: fn,
    };
    this.#collectors.add(hook);
    return () => {
      this.#collectors.delete(hook);
    };
  }

  /**
   * Runs every collect callback concurrently, each bounded by its timeout. Never rejects.
   * @internal exposed for the cluster worker, which collects before snapshotting
   */
  async collect(): Promise<void> {
    if (this.#collectors.size === 0) return;
    await Promise.all([...this.#collectors].map((h) => this.#runHook(h)));
  }

  #runHook(h: CollectHook): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (kind?: SelfKind): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (kind !== undefined) this.countSelf(kind, h.name);
        resolve();
      };
      const timer = setTimeout(() => finish('collect_timeouts'), h.timeoutMs);
      try {
        const r = h.run();
        if (r !== undefined && typeof r.then === 'function') {
          r.then(() => finish(), () => finish('collect_errors'));
        } else {
          finish();
        }
      } catch {
        finish('collect_errors');
      }
    });
  }

  /**
   * Renders every metric in `format` ('text' = Prometheus 0.0.4, the default; 'openmetrics' =
   * OpenMetrics 1.0.0). Runs collect callbacks first. Yields to the event loop every 4 ms of work, so
   * a scrape of tens of thousands of series never blocks requests for long. Text is returned as its
   * UTF-8 round trip (a lone surrogate in a label value or HELP comes back as U+FFFD).
   * @example
   * const body = await registry.render('openmetrics');
   */
  async render(format: ExpositionFormat = 'text'): Promise<string> {
    if (format !== 'text' && format !== 'openmetrics') throw InvalidFormat('format', String(format));
    await this.collect();
    return renderToString(this.getMetricsAsArray(), format === 'openmetrics');
  }

  /**
   * The exposition of {@link Registry.render} as Buffer chunks (~64 KiB each, UTF-8), rendered as
   * they are pulled: nothing holds the whole body, and a slow reader pauses the rendering. Runs
   * collect callbacks first. Their concatenation equals `Buffer.from(await render(format))`.
   * @example
   * import { pipeline } from 'node:stream/promises';
   * res.writeHead(200, { 'content-type': TEXT_CONTENT_TYPE });
   * await pipeline(registry.stream('text'), res);
   */
  stream(format: ExpositionFormat = 'text'): AsyncIterable<Buffer> {
    if (format !== 'text' && format !== 'openmetrics') throw InvalidFormat('format', String(format));
    return this.#stream(format === 'openmetrics');
  }

  async *#stream(om: boolean): AsyncGenerator<Buffer, void, undefined> {
    await this.collect();
    yield* renderChunks(this.getMetricsAsArray(), om);
  }
}
