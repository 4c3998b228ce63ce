/**
 * Histogram: observations counted into cumulative buckets, plus their sum and count. Each bucket
 * may carry an exemplar (the latest sampled trace whose observation fell in it).
 */
import { DEFAULT_BUCKETS } from './buckets.js';
import { Exemplar, sampledTrace } from './exemplar.js';
import type { MetricDefinition, MetricHost } from './metric.js';
import { METRIC_DEFINITION_KEYS } from './metric.js';
import { optionKeys } from '../errors.js';
import { ObservedMetric, ObservedSeries } from './observed.js';
import { validateBuckets } from './validate.js';

/** Definition of a histogram. */
export interface HistogramDefinition extends MetricDefinition {
  /** Upper bounds, strictly ascending (default {@link DEFAULT_BUCKETS}, seconds). `+Inf` is added. */
  buckets?: readonly number[];
  /** Record exemplars from sampled traces (default: the registry's, true). */
  exemplars?: boolean;
}

/** Every key of {@link HistogramDefinition}. @internal */
export const HISTOGRAM_DEFINITION_KEYS = optionKeys<HistogramDefinition>()([...METRIC_DEFINITION_KEYS, 'buckets', 'exemplars']);

/** One series of a histogram; what `histogram.labels({...})` returns. */
export class HistogramChild extends ObservedSeries {
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf bucket. @internal */
  readonly counts: Float64Array;
  /** @internal */
  sum = 0;
  /** @internal */
  count = 0;
  /** Latest exemplar per bucket, allocated on the first sampled observation. @internal */
  exemplars: (Exemplar | undefined)[] | undefined = undefined;
  readonly #metric: Histogram;
  readonly #bounds: Float64Array;

  /** @internal */
  constructor(metric: Histogram, labelValues: readonly string[], text: string) {
    super(labelValues, text);
    this.#metric = metric;
    this.#bounds = metric.bounds;
    this.counts = new Float64Array(metric.bounds.length + 1);
  }

  /**
   * Records one observation. NaN is dropped and counted.
   * @example
   * latency.labels({ route: '/a' }).observe(0.042);
   */
  observe(v: number): void {
    if (!(v === v) || typeof v !== 'number') { // NaN or not a number
      this.#metric.invalidValue();
      return;
    }
    const b = this.#bounds;
    const n = b.length;
    let i = 0;
    if (n > 16) {
      // Binary search: first bound >= v.
      let hi = n;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (b[mid]! < v) i = mid + 1;
        else hi = mid;
      }
    } else {
      while (i < n && v > b[i]!) i++;
    }
    this.counts[i]!++;
    this.sum += v;
    this.count++;
    if (this.#metric.exemplars) {
      const t = sampledTrace();
      if (t !== undefined) {
        const ex = (this.exemplars ??= new Array<Exemplar | undefined>(n + 1).fill(undefined));
        const e = ex[i];
        if (e === undefined) ex[i] = new Exemplar(t, v);
        else e.update(t, v);
      }
    }
  }

  /** @internal */
  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.exemplars = undefined;
  }
}

/**
 * A distribution in buckets. Bucket bounds are in the metric's unit: seconds for durations.
 * @example
 * const latency = registry.histogram({
 *   name: 'http_request_duration_seconds', help: 'Request latency', labelNames: ['route'],
 *   buckets: exponentialBuckets(0.005, 2, 10),
 * });
 * latency.observe({ route: '/a' }, 0.12);
 */
export class Histogram extends ObservedMetric<HistogramChild> {
  readonly type = 'histogram' as const;
  /** Upper bounds without +Inf. */
  readonly buckets: readonly number[];
  /** @internal */
  readonly bounds: Float64Array;
  /** @internal */
  readonly exemplars: boolean;

  /** @internal use `registry.histogram(def)` */
  constructor(def: HistogramDefinition, host: MetricHost) {
    super(def, 'histogram', host);
    this.buckets = def.buckets === undefined ? DEFAULT_BUCKETS : validateBuckets(def.buckets);
    this.bounds = Float64Array.from(this.buckets);
    this.exemplars = def.exemplars ?? host.exemplars;
    this.init();
  }

  protected createSeries(labelValues: readonly string[], text: string): HistogramChild {
    return new HistogramChild(this, labelValues, text);
  }
}
