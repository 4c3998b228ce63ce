/**
 * Setting absolute values read from the system on metrics that are meant to be recorded
 * incrementally. Counters only have `inc`, so a cumulative kernel counter is applied as the
 * difference to the series' current value; labelled series whose source vanished (an unmounted
 * file system, a removed interface) are removed rather than left at their last value. Removing
 * (instead of `reset()`) keeps a render already in progress from losing series mid-iteration.
 */
import type { Counter } from '../counter.js';
import type { Gauge } from '../gauge.js';
import type { Labels } from '../metric.js';

/**
 * Sets a counter series to the cumulative value `v`. A drop (the source restarted: a re-created
 * interface, a new cgroup) starts the series over at `v`, which Prometheus' `rate()` reads as a
 * counter reset.
 */
export function setCounter(counter: Counter, labels: Labels | undefined, v: number): void {
  if (!Number.isFinite(v) || v < 0) return;
  const current = labels === undefined ? counter.get() : counter.get(labels);
  const d = v - current;
  if (d > 0) {
    if (labels === undefined) counter.inc(d);
    else counter.labels(labels).inc(d);
  } else if (d < 0) {
    if (labels === undefined) {
      counter.reset();
      counter.inc(v);
    } else {
      counter.remove(labels);
      counter.labels(labels).inc(v);
    }
  }
}

/** Keeps a labelled metric's series equal to the entries of the latest read. */
export class SeriesSync {
  readonly #metric: Counter | Gauge;
  #previous = new Map<string, Labels>();

  constructor(metric: Counter | Gauge) {
    this.#metric = metric;
  }

  #key(labels: Labels): string {
    // JSON quoting keeps the value sets ["a,b"] and ["a","b"] apart.
    return JSON.stringify(this.#metric.labelNames.map((n) => String(labels[n])));
  }

  /** Sets every entry, and removes the series of the previous read that are not in this one. */
  update(entries: Iterable<readonly [Labels, number]>): void {
    const next = new Map<string, Labels>();
    const m = this.#metric;
    for (const [labels, v] of entries) {
      next.set(this.#key(labels), labels);
      if (m.type === 'counter') setCounter(m, labels, v);
      else m.labels(labels).set(v);
    }
    for (const [k, labels] of this.#previous) if (!next.has(k)) m.remove(labels);
    this.#previous = next;
  }
}
