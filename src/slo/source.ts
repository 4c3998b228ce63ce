/**
 * Reads an SLO's metric(s) from the registry on each tick and turns the cumulative values into
 * deltas per series, keyed by the series' label text. A value below the previous one (a reset),
 * or a series seen for the first time or again after it vanished, counts its whole value as the
 * delta, as Prometheus' `rate` does. A series removed and recreated between two reads (a new
 * series object under the same labels) is a reset too, even when its new value is not below the
 * old one — which a scraper could not tell. Nothing here runs on the request path: only the tick reads.
 */
import { report } from '../diagnostics/index.js';
import type { Registry } from '../metrics/index.js';
import type { AnyMetric } from '../metrics/exposition.js';
import type { SeriesBase } from '../metrics/metric.js';
import type { Counter } from '../metrics/counter.js';
import type { Histogram } from '../metrics/histogram.js';
import type { ResolvedMatcher, ResolvedSlo } from './types.js';

/** The deltas of one tick: bad and total events, and for latency SLOs the per-bucket counts. */
export interface Reading {
  bad: number;
  total: number;
  hist?: Float64Array;
}

/** Matchers bound to a metric's label positions. */
interface BoundMatcher {
  index: number;
  regex: RegExp;
}

function bind(matchers: readonly ResolvedMatcher[], labelNames: readonly string[]): BoundMatcher[] {
  return matchers.map((m) => ({ index: labelNames.indexOf(m.label), regex: m.regex }));
}

/** A label absent from the series matches as the empty string, as in PromQL. */
function matches(series: SeriesBase, ms: readonly BoundMatcher[]): boolean {
  for (const m of ms) {
    const v = m.index < 0 ? '' : (series.labelValues[m.index] ?? '');
    m.regex.lastIndex = 0;
    if (!m.regex.test(v)) return false;
  }
  return true;
}

interface CounterEntry {
  series: SeriesBase;
  value: number;
  seen: number;
  match: boolean;
  bad: boolean;
}

/**
 * Deltas of one counter's series that pass `match`, split into those that also pass `bad`.
 * Validated once per metric object; undefined while the metric is not registered or invalid.
 */
class CounterReader {
  readonly #slo: ResolvedSlo;
  readonly #metric: string;
  readonly #match: readonly ResolvedMatcher[];
  readonly #bad: readonly ResolvedMatcher[] | undefined;
  #bound: { metric: AnyMetric; ok: boolean; match: BoundMatcher[]; bad: BoundMatcher[] } | undefined;
  #prev = new Map<string, CounterEntry>();
  #gen = 0;

  constructor(slo: ResolvedSlo, metric: string, match: readonly ResolvedMatcher[], bad?: readonly ResolvedMatcher[]) {
    this.#slo = slo;
    this.#metric = metric;
    this.#match = match;
    this.#bad = bad;
  }

  read(registry: Registry): { matched: number; bad: number } | undefined {
    const metric = registry.get(this.#metric);
    if (metric === undefined) return undefined;
    if (this.#bound?.metric !== metric) {
      this.#prev = new Map();
      const ok = metric.type === 'counter';
      if (!ok) {
        report('slo', 'bad_metric', `SLO ${this.#slo.id}: metric ${this.#metric} is a ${metric.type}, not a counter; the SLO shows no data`, { key: `slo:bad_metric:${this.#slo.id}:${this.#metric}` });
      }
      this.#bound = { metric, ok, match: bind(this.#match, metric.labelNames), bad: bind(this.#bad ?? [], metric.labelNames) };
    }
    const b = this.#bound;
    if (!b.ok) return undefined;
    const gen = ++this.#gen;
    let matched = 0;
    let bad = 0;
    for (const s of (metric as Counter).series()) {
      const value = s.value;
      let e = this.#prev.get(s.labelText);
      let delta: number;
      if (e === undefined) {
        const m = matches(s, b.match);
        e = { series: s, value, seen: gen, match: m, bad: m && this.#bad !== undefined && matches(s, b.bad) };
        this.#prev.set(s.labelText, e);
        delta = value;
      } else if (e.series !== s) {
        // The same labels on a new series object: removed (or reset) and recreated since the last read.
        e.series = s;
        e.value = value;
        e.seen = gen;
        delta = value;
      } else {
        delta = value >= e.value ? value - e.value : value;
        e.value = value;
        e.seen = gen;
      }
      if (!e.match || delta === 0) continue;
      matched += delta;
      if (e.bad) bad += delta;
    }
    for (const [k, e] of this.#prev) if (e.seen !== gen) this.#prev.delete(k);
    return { matched, bad };
  }
}

interface HistEntry {
  series: SeriesBase;
  /** Cumulative counts per bucket (the last is the total). */
  cumulative: Float64Array;
  seen: number;
  match: boolean;
}

/** Deltas of one histogram's series that pass `match`: total, good (buckets ≤ threshold) and per bucket. */
class HistogramReader {
  readonly #slo: ResolvedSlo;
  readonly #metric: string;
  readonly #match: readonly ResolvedMatcher[];
  readonly #threshold: number;
  #bound: { metric: AnyMetric; ok: boolean; match: BoundMatcher[]; goodBuckets: number; bounds: readonly number[] } | undefined;
  #prev = new Map<string, HistEntry>();
  #gen = 0;

  constructor(slo: ResolvedSlo, metric: string, match: readonly ResolvedMatcher[], threshold: number) {
    this.#slo = slo;
    this.#metric = metric;
    this.#match = match;
    this.#threshold = threshold;
  }

  /** The histogram's bucket bounds (without `+Inf`) once validated. */
  bounds(registry: Registry): readonly number[] | undefined {
    const m = registry.get(this.#metric);
    if (m === undefined) return undefined;
    this.#bind(m);
    return this.#bound?.ok === true ? this.#bound.bounds : undefined;
  }

  #bind(metric: AnyMetric): void {
    if (this.#bound?.metric === metric) return;
    this.#prev = new Map();
    let ok = metric.type === 'histogram';
    let bounds: readonly number[] = [];
    let goodBuckets = 0;
    if (!ok) {
      report('slo', 'bad_metric', `SLO ${this.#slo.id}: metric ${this.#metric} is a ${metric.type}, not a histogram; the SLO shows no data`, { key: `slo:bad_metric:${this.#slo.id}:${this.#metric}` });
    } else {
      bounds = (metric as Histogram).buckets;
      const t = this.#threshold;
      const at = bounds.findIndex((b) => b === t || Math.abs(b - t) <= 1e-12 * Math.max(Math.abs(b), Math.abs(t)));
      if (at < 0) {
        ok = false;
        report('slo', 'bad_metric', `SLO ${this.#slo.id}: threshold ${t} is not a bucket bound of histogram ${this.#metric} [${bounds.join(', ')}]; the SLO shows no data`, { key: `slo:bad_metric:${this.#slo.id}:${this.#metric}` });
      }
      goodBuckets = at + 1;
    }
    this.#bound = { metric, ok, match: bind(this.#match, metric.labelNames), goodBuckets, bounds };
  }

  read(registry: Registry): Reading | undefined {
    const metric = registry.get(this.#metric);
    if (metric === undefined) return undefined;
    this.#bind(metric);
    const b = this.#bound!;
    if (!b.ok) return undefined;
    const width = b.bounds.length + 1;
    const hist = new Float64Array(width);
    const gen = ++this.#gen;
    let total = 0;
    let good = 0;
    const cum = new Float64Array(width);
    for (const s of (metric as Histogram).series()) {
      const counts = s.counts;
      let acc = 0;
      for (let i = 0; i < width; i++) {
        acc += counts[i] ?? 0;
        cum[i] = acc;
      }
      let e = this.#prev.get(s.labelText);
      let reset = false;
      if (e === undefined) {
        e = { series: s, cumulative: new Float64Array(width), seen: gen, match: matches(s, b.match) };
        this.#prev.set(s.labelText, e);
        reset = true;
      } else if (e.series !== s) {
        e.series = s;
        e.seen = gen;
        reset = true;
      } else {
        e.seen = gen;
        for (let i = 0; i < width; i++) if (cum[i]! < e.cumulative[i]!) reset = true;
      }
      if (e.match) {
        let before = 0;
        for (let i = 0; i < width; i++) {
          const d = reset ? cum[i]! : cum[i]! - e.cumulative[i]!;
          hist[i]! += d - before;
          before = d;
        }
        const dGood = b.goodBuckets > 0 ? (reset ? cum[b.goodBuckets - 1]! : cum[b.goodBuckets - 1]! - e.cumulative[b.goodBuckets - 1]!) : 0;
        const dTotal = reset ? cum[width - 1]! : cum[width - 1]! - e.cumulative[width - 1]!;
        good += dGood;
        total += dTotal;
      }
      e.cumulative.set(cum);
    }
    for (const [k, e] of this.#prev) if (e.seen !== gen) this.#prev.delete(k);
    return { bad: total - good, total, hist };
  }
}

/** The sample source of one SLO: its metric(s) read into per-tick deltas. */
export class SliSource {
  readonly #slo: ResolvedSlo;
  readonly #read: (registry: Registry) => Reading | undefined;
  readonly #hist: HistogramReader | undefined;

  constructor(slo: ResolvedSlo) {
    this.#slo = slo;
    const sli = slo.sli;
    switch (sli.kind) {
      case 'availability': {
        const r = new CounterReader(slo, sli.metric, sli.match, sli.bad);
        this.#read = (reg) => {
          const x = r.read(reg);
          return x === undefined ? undefined : { bad: x.bad, total: x.matched };
        };
        break;
      }
      case 'latency': {
        const r = new HistogramReader(slo, sli.metric, sli.match, sli.threshold);
        this.#hist = r;
        this.#read = (reg) => r.read(reg);
        break;
      }
      case 'events': {
        const good = new CounterReader(slo, sli.good.metric, sli.good.match);
        const total = new CounterReader(slo, sli.total.metric, sli.total.match);
        this.#read = (reg) => {
          const g = good.read(reg);
          const t = total.read(reg);
          if (g === undefined || t === undefined) return undefined;
          return { bad: t.matched - g.matched, total: t.matched };
        };
        break;
      }
    }
  }

  get slo(): ResolvedSlo {
    return this.#slo;
  }

  /** The deltas since the previous read; undefined while the metric is absent or unusable. */
  read(registry: Registry): Reading | undefined {
    return this.#read(registry);
  }

  /** Latency SLOs: the histogram's bucket bounds (without `+Inf`), once the metric is registered and valid. */
  bounds(registry: Registry): readonly number[] | undefined {
    return this.#hist?.bounds(registry);
  }
}
