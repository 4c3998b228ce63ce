/**
 * Summary: client-side quantiles over a sliding time window, plus the (all-time) sum and count.
 */
import { InvalidPercentiles } from './errors.js';
import type { MetricDefinition, MetricHost } from './metric.js';
import { METRIC_DEFINITION_KEYS } from './metric.js';
import { optionKeys } from '../errors.js';
import { ObservedMetric, ObservedSeries } from './observed.js';
import type { QuantileTarget } from './quantiles.js';
import { defaultEpsilon, QuantileWindow } from './quantiles.js';
import { positiveInteger, positiveNumber } from './validate.js';

/** Percentiles reported when none are given (prom-client's defaults). */
export const DEFAULT_PERCENTILES: readonly number[] = Object.freeze([0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]);

/** Definition of a summary. */
export interface SummaryDefinition extends MetricDefinition {
  /** Quantiles to report, each in (0, 1)... inclusive bounds allowed (default {@link DEFAULT_PERCENTILES}). */
  percentiles?: readonly number[];
  /**
   * Allowed rank error per percentile, as a fraction of the observation count (same length as
   * `percentiles`). Default: min(0.01, φ/10, (1−φ)/10), i.e. 1% at the median, 0.1% at p99.
   */
  percentileErrors?: readonly number[];
  /** Length of the sliding window in seconds (default 600). */
  maxAgeSeconds?: number;
  /** Number of sub-windows the window rotates through (default 5). */
  ageBuckets?: number;
}

/** Every key of {@link SummaryDefinition}. @internal */
export const SUMMARY_DEFINITION_KEYS = optionKeys<SummaryDefinition>()([...METRIC_DEFINITION_KEYS, 'percentiles', 'percentileErrors', 'maxAgeSeconds', 'ageBuckets']);

/** One series of a summary; what `summary.labels({...})` returns. */
export class SummaryChild extends ObservedSeries {
  /** @internal */
  sum = 0;
  /** @internal */
  count = 0;
  /** Quantile values fixed from outside (the cluster primary's merged view). @internal */
  fixed: number[] | undefined = undefined;
  readonly #metric: Summary;
  readonly #window: QuantileWindow;

  /** @internal */
  constructor(metric: Summary, labelValues: readonly string[], text: string) {
    super(labelValues, text);
    this.#metric = metric;
    this.#window = new QuantileWindow(metric.targets, metric.maxAgeSeconds * 1000, metric.ageBuckets, metric.now);
  }

  /**
   * Records one observation. NaN is dropped and counted.
   * @example
   * payload.labels({ kind: 'json' }).observe(1234);
   */
  observe(v: number): void {
    if (!(v === v) || typeof v !== 'number') {
      this.#metric.invalidValue();
      return;
    }
    this.sum += v;
    this.count++;
    this.#window.observe(v);
  }

  /** Current quantile values over the window, in the order of `percentiles` (NaN when empty). */
  quantiles(): number[] {
    return this.fixed ?? this.#window.query(this.#metric.percentiles);
  }

  /** @internal */
  clear(): void {
    this.sum = 0;
    this.count = 0;
    this.fixed = undefined;
    this.#window.reset();
  }
}

/**
 * Quantiles over a sliding window (CKMS targeted quantiles, one digest per series and sub-window).
 * Prefer histograms when you need to aggregate across instances: quantiles cannot be summed.
 * @example
 * const size = registry.summary({ name: 'response_size_bytes', help: 'Response sizes',
 *   percentiles: [0.5, 0.9, 0.99], maxAgeSeconds: 300, ageBuckets: 5 });
 * size.observe(512);
 */
export class Summary extends ObservedMetric<SummaryChild> {
  readonly type = 'summary' as const;
  readonly percentiles: readonly number[];
  readonly maxAgeSeconds: number;
  readonly ageBuckets: number;
  /** @internal */
  readonly targets: readonly QuantileTarget[];
  /** @internal clock, replaceable in tests of the window */
  readonly now: () => number;

  /** @internal use `registry.summary(def)` */
  constructor(def: SummaryDefinition, host: MetricHost, now: () => number = Date.now) {
    super(def, 'summary', host);
    const ps = def.percentiles ?? DEFAULT_PERCENTILES;
    if (!Array.isArray(ps) || ps.length === 0) throw InvalidPercentiles('percentiles', 'percentiles must be a non-empty array');
    const errs = def.percentileErrors;
    if (errs !== undefined && (!Array.isArray(errs) || errs.length !== ps.length)) {
      throw InvalidPercentiles('percentileErrors', 'percentileErrors must have one entry per percentile');
    }
    const seen = new Set<number>();
    this.targets = Object.freeze(ps.map((q: unknown, i): QuantileTarget => {
      if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw InvalidPercentiles(`percentiles[${i}]`, `${String(q)} is not between 0 and 1`);
      if (seen.has(q)) throw InvalidPercentiles(`percentiles[${i}]`, `${q} is listed twice`);
      seen.add(q);
      const e: unknown = errs?.[i] ?? defaultEpsilon(q);
      if (typeof e !== 'number' || !(e > 0 && e < 0.5)) throw InvalidPercentiles(`percentileErrors[${i}]`, `${String(e)} is not in (0, 0.5)`);
      // φ = 0 or 1 would divide by zero in the invariant; the exact minimum/maximum are kept anyway.
      return { q: Math.min(Math.max(q, 1e-9), 1 - 1e-9), epsilon: e };
    }));
    this.percentiles = Object.freeze([...(ps as readonly number[])]);
    this.maxAgeSeconds = positiveNumber(def.maxAgeSeconds, 'maxAgeSeconds', 600);
    this.ageBuckets = positiveInteger(def.ageBuckets, 'ageBuckets', 5);
    this.now = now;
    this.init();
  }

  protected createSeries(labelValues: readonly string[], text: string): SummaryChild {
    return new SummaryChild(this, labelValues, text);
  }
}
