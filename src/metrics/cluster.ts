/**
 * node:cluster aggregation. Workers answer the primary's scrape requests over the cluster IPC
 * channel with a snapshot of their registry; the primary merges the snapshots per metric with a
 * rule (sum, max, min, first, omit) and renders one exposition. A worker that does not answer
 * within the timeout is left out of that scrape and counted in
 * `sightline_metrics_cluster_worker_timeouts_total`.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { Counter, CounterChild } from './counter.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidFormat, InvalidOption, UnknownOption } from './errors.js';
import { Exemplar } from './exemplar.js';
import type { AnyMetric, ExpositionFormat } from './exposition.js';
import type { GaugeChild } from './gauge.js';
import type { HistogramChild } from './histogram.js';
import type { AggregationRule } from './metric.js';
import type { Renderable } from './registry.js';
import { Registry } from './registry.js';
import { renderChunks, renderToString } from './render.js';
import type { SummaryChild } from './summary.js';
import { positiveNumber } from './validate.js';

const REQUEST = 'sightline:metrics:request';
const RESPONSE = 'sightline:metrics:snapshot';

/** JSON carries no NaN or infinities: those travel as strings. */
type Num = number | string;
const enc = (n: number): Num => (Number.isFinite(n) ? n : String(n));
const dec = (n: Num | undefined): number => (typeof n === 'number' ? n : Number(n));

interface ExemplarSnapshot { t: string; s: string; v: Num; ts: number }
interface SeriesSnapshot {
  /** label values */
  l: string[];
  /** overflow series */
  o?: 1;
  v?: Num;
  /** histogram: per-bucket counts (not cumulative), +Inf last */
  c?: number[];
  sum?: Num;
  n?: number;
  /** summary quantile values */
  q?: Num[];
  /** exemplar (counter) or per-bucket exemplars (histogram) */
  e?: ExemplarSnapshot | Array<ExemplarSnapshot | null>;
}
/** One metric of a worker, as sent to the primary (not part of the API). */
export interface FamilySnapshot {
  name: string;
  type: AnyMetric['type'];
  help: string;
  labelNames: string[];
  aggregate?: AggregationRule;
  /** A gauge exposed as untyped (see Gauge.untyped). */
  untyped?: true;
  buckets?: number[];
  percentiles?: number[];
  series: SeriesSnapshot[];
}

function exSnap(e: Exemplar | undefined): ExemplarSnapshot | null {
  return e === undefined ? null : { t: e.traceId, s: e.spanId, v: enc(e.value), ts: e.timestampMs };
}
function exFrom(e: ExemplarSnapshot | null | undefined): Exemplar | undefined {
  if (e === null || e === undefined) return undefined;
  const x = new Exemplar({ traceId: e.t, spanId: e.s, traceFlags: 1 }, dec(e.v));
  x.timestampMs = e.ts;
  return x;
}

/** A registry's state as plain JSON (after running its collectors). @internal */
export async function snapshotRegistry(registry: Registry): Promise<FamilySnapshot[]> {
  await registry.collect();
  return registry.getMetricsAsArray().map((m): FamilySnapshot => {
    const base = {
      name: m.name, type: m.type, help: m.help, labelNames: [...m.labelNames],
      ...(m.aggregate === undefined ? {} : { aggregate: m.aggregate }),
      ...(m.type === 'gauge' && m.untyped ? { untyped: true as const } : {}),
    };
    const series: SeriesSnapshot[] = [];
    for (const s of m.series()) {
      const out: SeriesSnapshot = { l: [...s.labelValues] };
      if (s.labelValues.length === 0 && s.labelText !== '') out.o = 1;
      switch (m.type) {
        case 'counter': {
          const c = s as CounterChild;
          out.v = enc(c.value);
          if (c.exemplar !== undefined) out.e = exSnap(c.exemplar)!;
          break;
        }
        case 'gauge':
          out.v = enc((s as GaugeChild).value);
          break;
        case 'histogram': {
          const h = s as HistogramChild;
          out.c = Array.from(h.counts);
          out.sum = enc(h.sum);
          out.n = h.count;
          if (h.exemplars !== undefined) out.e = h.exemplars.map(exSnap);
          break;
        }
        case 'summary': {
          const q = s as SummaryChild;
          out.q = q.quantiles().map(enc);
          out.sum = enc(q.sum);
          out.n = q.count;
          break;
        }
      }
      series.push(out);
    }
    if (m.type === 'histogram') return { ...base, buckets: [...m.buckets], series };
    if (m.type === 'summary') return { ...base, percentiles: [...m.percentiles], series };
    return { ...base, series };
  });
}

/**
 * Makes this cluster worker answer the primary's scrape requests with its registry's values.
 * Returns a function that stops answering. Does nothing outside a cluster worker.
 * @example
 * if (cluster.isWorker) serveClusterWorker(registry);
 */
export function serveClusterWorker(registry: Registry): () => void {
  if (!cluster.isWorker || typeof process.send !== 'function') return () => undefined;
  const onMessage = (msg: unknown): void => {
    if (typeof msg !== 'object' || msg === null || (msg as { type?: unknown }).type !== REQUEST) return;
    const id = (msg as { id: number }).id;
    snapshotRegistry(registry).then(
      (families) => process.send?.({ type: RESPONSE, id, families }),
      () => process.send?.({ type: RESPONSE, id, families: [] }),
    );
  };
  process.on('message', onMessage);
  return () => {
    process.off('message', onMessage);
  };
}

/** Options of {@link ClusterAggregator}. */
export interface ClusterAggregatorOptions {
  /**
   * The primary's own registry: rendered merged with the workers (as one more contributor) and
   * home of `sightline_metrics_cluster_worker_timeouts_total`. Default: a new Registry.
   */
  registry?: Registry;
  /** Longest wait for a worker's answer in ms (default 1,000). */
  timeoutMs?: number;
  /** Per-metric rules overriding each metric's own `aggregate` (default `sum`). */
  rules?: Record<string, AggregationRule>;
}

const CLUSTER_OPTION_KEYS = optionKeys<ClusterAggregatorOptions>()(['registry', 'timeoutMs', 'rules']);

interface Pending {
  resolve: (families: FamilySnapshot[] | undefined) => void;
}

function combine(rule: AggregationRule, a: number, b: number): number {
  switch (rule) {
    case 'sum': return a + b;
    case 'max': return b > a || Number.isNaN(a) ? b : a;
    case 'min': return b < a || Number.isNaN(a) ? b : a;
    default: return a;
  }
}

function later(a: Exemplar | undefined, b: Exemplar | undefined): Exemplar | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.timestampMs > a.timestampMs ? b : a;
}

/**
 * In the cluster primary: collects every worker's metrics at scrape time and renders them merged.
 * Pass it to `metricsHandler` like a Registry.
 * @example
 * if (cluster.isPrimary) {
 *   const agg = new ClusterAggregator({ timeoutMs: 500, rules: { app_build_info: 'first' } });
 *   http.createServer(metricsHandler(agg)).listen(9464, '127.0.0.1');
 * }
 */
export class ClusterAggregator implements Renderable {
  readonly registry: Registry;
  readonly #timeoutMs: number;
  readonly #rules: ReadonlyMap<string, AggregationRule>;
  readonly #pending = new Map<number, Pending>();
  readonly #timeouts: Counter;
  #nextId = 1;
  readonly #onMessage = (_worker: Worker, msg: unknown): void => {
    if (typeof msg !== 'object' || msg === null || (msg as { type?: unknown }).type !== RESPONSE) return;
    const { id, families } = msg as { id: number; families: FamilySnapshot[] };
    const p = this.#pending.get(id);
    if (p !== undefined) {
      this.#pending.delete(id);
      p.resolve(Array.isArray(families) ? families : []);
    }
  };

  constructor(options: ClusterAggregatorOptions = {}) {
    checkOptionKeys(options, CLUSTER_OPTION_KEYS, UnknownOption, 'new ClusterAggregator()');
    this.registry = options.registry ?? new Registry();
    this.#timeoutMs = positiveNumber(options.timeoutMs, 'timeoutMs', 1000);
    const rules = new Map<string, AggregationRule>();
    for (const [name, rule] of Object.entries(options.rules ?? {})) {
      if (!['sum', 'max', 'min', 'first', 'omit'].includes(rule)) throw InvalidOption(`rules.${name}`, `a rule must be sum, max, min, first or omit, got ${String(rule)}`);
      rules.set(name, rule);
    }
    this.#rules = rules;
    this.#timeouts = this.registry.counter({
      name: 'sightline_metrics_cluster_worker_timeouts_total',
      help: 'Workers left out of a cluster scrape because they did not answer in time',
    });
    cluster.on('message', this.#onMessage);
  }

  /** Stops listening to the workers. */
  close(): void {
    cluster.off('message', this.#onMessage);
    for (const p of this.#pending.values()) p.resolve(undefined);
    this.#pending.clear();
  }

  #ask(worker: Worker): Promise<FamilySnapshot[] | undefined> {
    return new Promise((resolve) => {
      const id = this.#nextId++;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#timeouts.inc();
        resolve(undefined);
      }, this.#timeoutMs);
      this.#pending.set(id, {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
      try {
        worker.send({ type: REQUEST, id });
      } catch {
        // A worker that is going away: treated as not answering.
      }
    });
  }

  /** Snapshots of every live worker that answered in time, then the primary's own. */
  async snapshots(): Promise<FamilySnapshot[][]> {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
    const answers = await Promise.all(workers.map((w) => this.#ask(w)));
    const own = await snapshotRegistry(this.registry);
    return [...answers.filter((a): a is FamilySnapshot[] => a !== undefined), own];
  }

  /**
   * Renders the merged exposition of every worker (and the primary's registry).
   * @example
   * const text = await aggregator.render('text');
   */
  async render(format: ExpositionFormat = 'text'): Promise<string> {
    if (format !== 'text' && format !== 'openmetrics') throw InvalidFormat('format', String(format));
    const merged = this.merge(await this.snapshots());
    return renderToString(merged.getMetricsAsArray(), format === 'openmetrics');
  }

  /**
   * The merged exposition as Buffer chunks (what the handler streams); see {@link Registry.stream}.
   * @example
   * for await (const chunk of aggregator.stream('text')) socket.write(chunk);
   */
  stream(format: ExpositionFormat = 'text'): AsyncIterable<Buffer> {
    if (format !== 'text' && format !== 'openmetrics') throw InvalidFormat('format', String(format));
    return this.#stream(format === 'openmetrics');
  }

  async *#stream(om: boolean): AsyncGenerator<Buffer, void, undefined> {
    const merged = this.merge(await this.snapshots());
    yield* renderChunks(merged.getMetricsAsArray(), om);
  }

  /** Merges snapshots into a fresh registry. @internal */
  merge(contributors: FamilySnapshot[][]): Registry {
    const out = new Registry({ maxSeries: Number.MAX_SAFE_INTEGER, exemplars: false });
    const seen = new Set<string>();
    for (const families of contributors) {
      for (const f of families) {
        const rule = this.#rules.get(f.name) ?? f.aggregate ?? 'sum';
        if (rule === 'omit') continue;
        let m: AnyMetric;
        try {
          const def = { name: f.name, help: f.help, labelNames: f.labelNames };
          m = f.type === 'counter' ? out.counter(def)
            : f.type === 'gauge' ? (f.untyped === true ? out.untypedGauge(def) : out.gauge(def))
            : f.type === 'histogram' ? out.histogram({ ...def, buckets: f.buckets ?? [] })
            : out.summary({ ...def, percentiles: f.percentiles ?? [] });
        } catch {
          continue; // workers disagree on a definition: the first one seen wins
        }
        for (const s of f.series) {
          const child = m.seriesFor(s.l, s.o === 1);
          const key = `${f.name}\u0000${child.labelText}`;
          const first = !seen.has(key);
          seen.add(key);
          mergeSeries(m, child, s, rule, first);
        }
      }
    }
    return out;
  }
}

function mergeSeries(m: AnyMetric, child: unknown, s: SeriesSnapshot, rule: AggregationRule, first: boolean): void {
  switch (m.type) {
    case 'counter': {
      const c = child as CounterChild;
      c.value = first ? dec(s.v) : combine(rule, c.value, dec(s.v));
      c.exemplar = later(c.exemplar, exFrom(s.e as ExemplarSnapshot | undefined));
      return;
    }
    case 'gauge': {
      const g = child as GaugeChild;
      g.value = first ? dec(s.v) : combine(rule, g.value, dec(s.v));
      return;
    }
    case 'histogram': {
      const h = child as HistogramChild;
      const counts = s.c ?? [];
      if (counts.length !== h.counts.length) return;
      const n = s.n ?? 0;
      // max/min pick one worker's whole distribution (by count) so buckets stay consistent.
      const take = first || (rule === 'max' && n > h.count) || (rule === 'min' && n < h.count);
      const ex = Array.isArray(s.e) ? s.e : [];
      if (rule === 'sum' && !first) {
        for (let i = 0; i < counts.length; i++) h.counts[i]! += counts[i]!;
        h.sum += dec(s.sum);
        h.count += n;
      } else if (take) {
        h.counts.set(counts);
        h.sum = dec(s.sum);
        h.count = n;
      }
      if (ex.length === counts.length && (rule === 'sum' || take)) {
        const mine = (h.exemplars ??= new Array<Exemplar | undefined>(counts.length).fill(undefined));
        for (let i = 0; i < counts.length; i++) mine[i] = later(mine[i], exFrom(ex[i]));
      }
      return;
    }
    case 'summary': {
      const q = child as SummaryChild;
      const values = (s.q ?? []).map(dec);
      // Quantiles cannot be summed: under `sum` they take the largest worker value (an upper bound).
      const qRule: AggregationRule = rule === 'sum' ? 'max' : rule;
      q.fixed = first || q.fixed === undefined ? values : q.fixed.map((v, i) => combine(qRule, v, values[i] ?? NaN));
      if (first) {
        q.sum = dec(s.sum);
        q.count = s.n ?? 0;
      } else {
        q.sum = combine(rule, q.sum, dec(s.sum));
        q.count = combine(rule, q.count, s.n ?? 0);
      }
      return;
    }
  }
}

