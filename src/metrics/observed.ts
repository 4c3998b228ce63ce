/**
 * What histograms and summaries share: series that take observations, and the metric-level
 * `observe` / `startTimer` / `labels` that route to them.
 */
import type { Labels } from './metric.js';
import { Metric, SeriesBase } from './metric.js';

/** A series that takes observations (a histogram or summary child). */
export abstract class ObservedSeries extends SeriesBase {
  /** Records one observation. */
  abstract observe(v: number): void;

  /**
   * Starts a timer; the returned function observes the elapsed seconds and returns them.
   * @example
   * const end = latency.labels({ route: '/a' }).startTimer(); await work(); end();
   */
  startTimer(): () => number {
    const t0 = process.hrtime.bigint();
    return () => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      this.observe(s);
      return s;
    };
  }
}

/** A metric whose series take observations: Histogram and Summary. */
export abstract class ObservedMetric<S extends ObservedSeries> extends Metric<S> {
  /** Observes `v` on the series without labels, or on the series of `labels`. */
  observe(v: number): void;
  observe(labels: Labels, v: number): void;
  observe(a: number | Labels, b?: number): void {
    if (typeof a === 'object') this.lookup(a).observe(b as number);
    else this.plain().observe(a);
  }

  /** Starts a timer that observes the elapsed seconds when called. */
  startTimer(labels?: Labels): () => number {
    return (labels === undefined ? this.plain() : this.lookup(labels)).startTimer();
  }

  /** The bound child of one label set, cached. */
  labels(labels: Labels): S {
    return this.lookup(labels);
  }
}
