/**
 * Gauge: a value that goes up and down, set directly or collected by a callback at scrape time.
 */
import type { CollectHook, CollectOptions, Labels, MetricDefinition, MetricHost } from './metric.js';
import { collectHook, Metric, METRIC_DEFINITION_KEYS, SeriesBase } from './metric.js';
import { optionKeys } from '../errors.js';

/** Definition of a gauge. */
export interface GaugeDefinition extends MetricDefinition, CollectOptions<Gauge> {}

/** Every key of {@link GaugeDefinition}. @internal */
export const GAUGE_DEFINITION_KEYS = optionKeys<GaugeDefinition>()([...METRIC_DEFINITION_KEYS, 'collect', 'collectTimeoutMs']);

/** One series of a gauge; what `gauge.labels({...})` returns. */
export class GaugeChild extends SeriesBase {
  /** @internal */
  value = 0;
  readonly #metric: Gauge;

  /** @internal */
  constructor(metric: Gauge, labelValues: readonly string[], text: string) {
    super(labelValues, text);
    this.#metric = metric;
  }

  /** Sets the value. NaN is accepted (it is a valid sample); non-numbers are dropped and counted. */
  set(v: number): void {
    if (typeof v === 'number') this.value = v;
    else this.#metric.invalidValue();
  }

  /** Adds `n` (default 1). */
  inc(n = 1): void {
    if (typeof n === 'number') this.value += n;
    else this.#metric.invalidValue();
  }

  /** Subtracts `n` (default 1). */
  dec(n = 1): void {
    if (typeof n === 'number') this.value -= n;
    else this.#metric.invalidValue();
  }

  /** Sets the value to the current time in seconds since the epoch. */
  setToCurrentTime(): void {
    this.value = Date.now() / 1000;
  }

  /**
   * Starts a timer; the returned function sets the gauge to the elapsed seconds and returns them.
   * @example
   * const end = lastRun.startTimer(); await job(); end();
   */
  startTimer(): () => number {
    const t0 = process.hrtime.bigint();
    return () => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      this.value = s;
      return s;
    };
  }

  /** Current value. */
  get(): number {
    return this.value;
  }

  /** @internal */
  clear(): void {
    this.value = 0;
  }
}

/**
 * A value that goes up and down.
 * @example
 * const inFlight = registry.gauge({ name: 'http_in_flight_requests', help: 'Requests being served' });
 * inFlight.inc(); … inFlight.dec();
 * registry.gauge({ name: 'app_uptime_seconds', help: 'Uptime', collect: (g) => g.set(process.uptime()) });
 */
export class Gauge extends Metric<GaugeChild> {
  readonly type = 'gauge' as const;
  /**
   * Exposed as TYPE `untyped` (0.0.4) / `unknown` (OpenMetrics) rather than `gauge`: only for
   * prom-client's `_total`-named gauges, which no linter accepts as gauges. @internal
   */
  readonly untyped: boolean;
  /** @internal */
  readonly collectHook: CollectHook | undefined;

  /** @internal use `registry.gauge(def)` */
  constructor(def: GaugeDefinition, host: MetricHost, untyped = false) {
    super(def, untyped ? 'untyped' : 'gauge', host);
    this.untyped = untyped;
    this.collectHook = collectHook(this, def);
    this.init();
  }

  protected createSeries(labelValues: readonly string[], text: string): GaugeChild {
    return new GaugeChild(this, labelValues, text);
  }

  /** Sets the value of the series without labels, or of `labels`. */
  set(v: number): void;
  set(labels: Labels, v: number): void;
  set(a: number | Labels, b?: number): void {
    if (typeof a === 'object') this.lookup(a).set(b as number);
    else this.plain().set(a);
  }

  /** Adds `n` (default 1). */
  inc(n?: number): void;
  inc(labels: Labels, n?: number): void;
  inc(a?: number | Labels, b?: number): void {
    if (typeof a === 'object') this.lookup(a).inc(b);
    else this.plain().inc(a);
  }

  /** Subtracts `n` (default 1). */
  dec(n?: number): void;
  dec(labels: Labels, n?: number): void;
  dec(a?: number | Labels, b?: number): void {
    if (typeof a === 'object') this.lookup(a).dec(b);
    else this.plain().dec(a);
  }

  /** Sets the series without labels (or of `labels`) to the current time in seconds. */
  setToCurrentTime(labels?: Labels): void {
    (labels === undefined ? this.plain() : this.lookup(labels)).setToCurrentTime();
  }

  /** Starts a timer that sets the gauge to the elapsed seconds when called. */
  startTimer(labels?: Labels): () => number {
    return (labels === undefined ? this.plain() : this.lookup(labels)).startTimer();
  }

  /** The bound child of one label set, cached. */
  labels(labels: Labels): GaugeChild {
    return this.lookup(labels);
  }

  /** Value of the series without labels, or of `labels`. */
  get(labels?: Labels): number {
    return (labels === undefined ? this.plain() : this.lookup(labels)).value;
  }
}
