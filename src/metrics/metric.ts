/**
 * The part every metric type shares: fixed label names, the series index, the cardinality cap with
 * its overflow series, remove/reset, and the scrape-time `collect` callback.
 *
 * Series lookup is a nested Map, one level per label name, keyed by the raw label value. Two label
 * sets share a series only if every value is equal, so keys cannot collide (prom-client joins values
 * into one string and `{a:"x,b:y"}` meets `{a:"x",b:"y"}`), and a hit allocates nothing.
 */
import { optionKeys } from '../errors.js';
import { labelText } from './format.js';
import type { MetricType } from './validate.js';
import { positiveInteger, positiveNumber, validateHelp, validateLabelNames, validateName } from './validate.js';
import { InvalidOption } from './errors.js';
import type { EncodedText } from './writer.js';
import { encodeText } from './writer.js';

/** A label set: one value per label name. Strings are stored as is; numbers, booleans and bigints are converted with `String()`. */
export type Labels = Readonly<Record<string, string | number | boolean | bigint>>;

/** How the primary of a node:cluster combines the workers' values of one metric. */
export type AggregationRule = 'sum' | 'max' | 'min' | 'first' | 'omit';

/** What a metric reports to its registry (self-metrics, one-time warnings); not part of the API. */
export interface MetricHost {
  readonly defaultMaxSeries: number;
  readonly defaultCollectTimeoutMs: number;
  readonly exemplars: boolean;
  count(kind: 'overflow' | 'invalid_labels' | 'invalid_values', metric: string): void;
  warn(code: string, message: string): void;
}

/** Options every metric definition accepts. */
export interface MetricDefinition {
  /** Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`. Only counters may end in `_total`. */
  name: string;
  /** One line describing the metric (HELP). */
  help: string;
  /** Label names, fixed for the life of the metric. `le`, `quantile` and names starting `__` are refused. */
  labelNames?: readonly string[];
  /** Most distinct label sets kept (default: the registry's, 2,000). Further label sets share one overflow series. */
  maxSeries?: number;
  /** How the node:cluster primary combines workers' values (default `sum`; `max` for summary quantiles). */
  aggregate?: AggregationRule;
}

/** The keys every metric definition has (each type's own list adds to these). @internal */
export const METRIC_DEFINITION_KEYS = optionKeys<MetricDefinition>()(['name', 'help', 'labelNames', 'maxSeries', 'aggregate']);

/** The overflow series' only label: it marks where label sets beyond the cap were counted. */
export const OVERFLOW_LABEL_TEXT = 'sightline_overflow="true"';

/** State shared by every series type (not part of the API). */
export abstract class SeriesBase {
  /** Label values in label-name order ([] for the overflow series). */
  readonly labelValues: readonly string[];
  /** Escaped `a="x",b="y"` computed once, reused by every render. */
  readonly labelText: string;

  /** UTF-8 of labelText, made at the first render and kept: a series' labels never change. */
  #encoded: EncodedText | undefined = undefined;

  constructor(labelValues: readonly string[], text: string) {
    this.labelValues = labelValues;
    this.labelText = text;
  }

  /** The encoded label set, or undefined for a series without labels. @internal */
  encodedLabels(): EncodedText | undefined {
    if (this.#encoded === undefined && this.labelText !== '') this.#encoded = encodeText(this.labelText);
    return this.#encoded;
  }

  /** Back to the initial (zero) state. @internal */
  abstract clear(): void;
}

type Index = Map<unknown, unknown>;
type Walker = (labels: Labels, index: Index) => unknown;

/** Label counts up to which a metric gets its own generated lookup. */
const MAX_GENERATED_LABELS = 8;

/**
 * Builds the lookup of one metric's label names: straight-line code reading `labels.<name>` for
 * each name in order and walking the nested Maps. Being its own function, each metric's property
 * reads stay monomorphic (a shared loop over names sees every metric's shapes and keys and goes
 * megamorphic). Names are validated `[a-zA-Z_][a-zA-Z0-9_]*` and are quoted with JSON.stringify, so
 * no input reaches the code but identifiers. Returns undefined where code generation is disabled
 * (`--disallow-code-generation-from-strings`); the generic loop then serves. It stays because it
 * measures faster than that loop: the label-lookup table of `bench/metrics.bench.mjs`
 * (docs/metrics.md, "Performance").
 */
function generatedWalker(names: readonly string[]): Walker | undefined {
  if (names.length === 0 || names.length > MAX_GENERATED_LABELS) return undefined;
  let body = 'let n = index;\n';
  for (let i = 0; i < names.length; i++) {
    body += `n = n.get(labels[${JSON.stringify(names[i])}]);\n`;
    if (i < names.length - 1) body += 'if (n === undefined) return undefined;\n';
  }
  body += 'return n;';
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function('labels', 'index', body) as Walker;
  } catch {
    return undefined;
  }
}

/** Common behaviour of Counter, Gauge, Histogram and Summary. */
export abstract class Metric<S extends SeriesBase> {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly maxSeries: number;
  readonly aggregate: AggregationRule | undefined;
  /** @internal */
  readonly host: MetricHost;
  /** The series of a metric without labels; for a labelled metric, a detached sink. @internal */
  protected root!: S;
  readonly #all = new Set<S>();
  #index: Index = new Map();
  readonly #walk: Walker | undefined;
  #size = 0;
  #overflow: S | undefined;
  #sink: S | undefined;
  #warnedCap = false;
  #warnedLabels = false;

  constructor(def: MetricDefinition, type: MetricType | 'untyped', host: MetricHost) {
    if (typeof def !== 'object' || def === null) throw InvalidOption(undefined, 'a metric definition must be an object with name and help');
    this.name = validateName(def.name, type);
    this.help = validateHelp(def.help, this.name);
    this.labelNames = validateLabelNames(def.labelNames);
    this.maxSeries = positiveInteger(def.maxSeries, 'maxSeries', host.defaultMaxSeries);
    const rules: readonly unknown[] = ['sum', 'max', 'min', 'first', 'omit'];
    if (def.aggregate !== undefined && !rules.includes(def.aggregate)) {
      throw InvalidOption('aggregate', `aggregate must be one of sum, max, min, first, omit, got ${String(def.aggregate)}`);
    }
    this.aggregate = def.aggregate;
    this.host = host;
    this.#walk = generatedWalker(this.labelNames);
  }

  /** Subclasses call this once their own fields are set (series construction needs them). */
  protected init(): void {
    if (this.labelNames.length === 0) {
      this.root = this.createSeries([], '');
      this.#all.add(this.root);
    } else {
      this.root = this.sink();
    }
  }

  /** The series without labels; on a labelled metric, the update is invalid (counted, dropped). */
  protected plain(): S {
    return this.labelNames.length === 0 ? this.root : this.#invalidLabels();
  }

  /** Builds one series. @internal */
  protected abstract createSeries(labelValues: readonly string[], labelText: string): S;

  /** The series for `labels`, created on first use. Hot path: a hit walks Maps and allocates nothing. */
  protected lookup(labels: Labels): S {
    if (typeof labels !== 'object' || labels === null) return this.slowLookup(labels);
    const walk = this.#walk;
    if (walk !== undefined) {
      const s = walk(labels, this.#index) as S | undefined;
      return s !== undefined ? s : this.slowLookup(labels);
    }
    const names = this.labelNames;
    const last = names.length - 1;
    if (last < 0) return this.slowLookup(labels);
    let node: Index = this.#index;
    for (let i = 0; i < last; i++) {
      const next = node.get(labels[names[i]!]) as Index | undefined;
      if (next === undefined) return this.slowLookup(labels);
      node = next;
    }
    const s = node.get(labels[names[last]!]) as S | undefined;
    return s !== undefined ? s : this.slowLookup(labels);
  }

  /** Validates and normalizes a label set; undefined when invalid. */
  #normalize(labels: unknown): string[] | undefined {
    if (typeof labels !== 'object' || labels === null) return undefined;
    const names = this.labelNames;
    const values = new Array<string>(names.length);
    for (let i = 0; i < names.length; i++) {
      const v: unknown = (labels as Record<string, unknown>)[names[i]!];
      if (typeof v === 'string') values[i] = v;
      else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') values[i] = String(v);
      else return undefined;
    }
    let keys = 0;
    for (const k in labels) if (Object.prototype.hasOwnProperty.call(labels, k)) keys++;
    return keys === names.length ? values : undefined;
  }

  private slowLookup(labels: unknown): S {
    if (this.labelNames.length === 0) {
      // A label set given to a metric without labels: only `{}` is valid.
      if (typeof labels === 'object' && labels !== null && Object.keys(labels).length === 0) return this.root;
      return this.#invalidLabels();
    }
    const values = this.#normalize(labels);
    if (values === undefined) return this.#invalidLabels();
    let node = this.#index;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]) as Index | undefined;
      if (next === undefined) {
        if (this.#size >= this.maxSeries) return this.#overflowSeries();
        next = new Map();
        node.set(values[i], next);
      }
      node = next;
    }
    const found = node.get(values[last]) as S | undefined;
    if (found !== undefined) return found;
    if (this.#size >= this.maxSeries) return this.#overflowSeries();
    const s = this.createSeries(Object.freeze(values), labelText(this.labelNames, values));
    node.set(values[last], s);
    this.#all.add(s);
    this.#size++;
    return s;
  }

  #invalidLabels(): S {
    this.host.count('invalid_labels', this.name);
    if (!this.#warnedLabels) {
      this.#warnedLabels = true;
      this.host.warn('SL_METRICS_INVALID_LABELS', `metric ${this.name}: a label set did not match labelNames [${this.labelNames.join(', ')}] (missing, extra or non-scalar values); such updates are dropped and counted in sightline_metrics_invalid_labels_total`);
    }
    return this.sink();
  }

  #overflowSeries(): S {
    this.host.count('overflow', this.name);
    if (!this.#warnedCap) {
      this.#warnedCap = true;
      this.host.warn('SL_METRICS_SERIES_CAP', `metric ${this.name} reached its cap of ${this.maxSeries} series; further label sets are counted in one series labelled ${OVERFLOW_LABEL_TEXT} (raise maxSeries or reduce label cardinality)`);
    }
    if (this.#overflow === undefined) this.#overflow = this.createSeries([], OVERFLOW_LABEL_TEXT);
    return this.#overflow;
  }

  /** A series never rendered: updates with invalid labels land here and vanish. */
  protected sink(): S {
    if (this.#sink === undefined) this.#sink = this.createSeries([], '');
    return this.#sink;
  }

  /** Reports a rejected value (NaN, negative counter increment…). @internal */
  invalidValue(): void {
    this.host.count('invalid_values', this.name);
  }

  /**
   * Removes the series of one label set. A bound child obtained before keeps working but is no
   * longer rendered; `labels()` with the same values creates a fresh series.
   * @example
   * requests.remove({ route: '/old' });
   */
  remove(labels: Labels): boolean {
    const values = this.#normalize(labels);
    if (values === undefined || values.length === 0) return false;
    const path: Index[] = [];
    let node = this.#index;
    for (let i = 0; i < values.length - 1; i++) {
      const next = node.get(values[i]) as Index | undefined;
      if (next === undefined) return false;
      path.push(node);
      node = next;
    }
    const last = values[values.length - 1];
    const s = node.get(last) as S | undefined;
    if (s === undefined) return false;
    node.delete(last);
    // Prune emptied intermediate maps so removed label sets leave no memory behind.
    for (let i = path.length - 1; i >= 0 && node.size === 0; i--) {
      const parent = path[i]!;
      parent.delete(values[i]);
      node = parent;
    }
    this.#all.delete(s);
    this.#size--;
    return true;
  }

  /**
   * Drops every labelled series (and the overflow series); a metric without labels goes back to zero.
   * @example
   * diskUsage.reset(); // before setting the mounts seen in this collection
   */
  reset(): void {
    this.#all.clear();
    this.#index = new Map();
    this.#size = 0;
    this.#overflow = undefined;
    if (this.labelNames.length === 0) {
      this.root.clear();
      this.#all.add(this.root);
    }
  }

  /** Number of series currently kept (the overflow series not included). */
  get seriesCount(): number {
    return this.labelNames.length === 0 ? 1 : this.#size;
  }

  /** The series to render, in creation order, overflow last. @internal */
  *series(): IterableIterator<S> {
    yield* this.#all;
    if (this.#overflow !== undefined) yield this.#overflow;
  }

  /** The bare series of an aggregated view (cluster merge). @internal */
  seriesFor(values: readonly string[], overflow: boolean): S {
    if (overflow) {
      if (this.#overflow === undefined) this.#overflow = this.createSeries([], OVERFLOW_LABEL_TEXT);
      return this.#overflow;
    }
    if (values.length === 0) return this.root;
    return this.lookup(Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ''])));
  }
}

/** Options of the scrape-time callback shared by counters and gauges. */
export interface CollectOptions<M> {
  /**
   * Called at each scrape before rendering; sets the metric's values (`m.set(v)`,
   * `m.labels({...}).set(v)`). May be async. If it throws or rejects, the previous values are
   * rendered and `sightline_metrics_collect_errors_total{metric}` counts it.
   */
  collect?: (metric: M) => void | Promise<void>;
  /**
   * Longest wait for `collect`, in ms (default: the registry's, 1,000). On timeout the previous
   * values are rendered and `sightline_metrics_collect_timeouts_total{metric}` counts it.
   */
  collectTimeoutMs?: number;
}

/** A metric's validated collect callback. @internal */
export interface CollectHook {
  name: string;
  timeoutMs: number;
  run: () => void | Promise<void>;
}

/** Builds the collect hook of a counter or gauge, validating its options. @internal */
export function collectHook<M>(metric: M & { name: string; host: MetricHost }, opts: CollectOptions<M>): CollectHook | undefined {
  if (opts.collect === undefined) return undefined;
  if (typeof opts.collect !== 'function') throw InvalidOption('collect', 'collect must be a function');
  const timeoutMs = positiveNumber(opts.collectTimeoutMs, 'collectTimeoutMs', metric.host.defaultCollectTimeoutMs);
  const fn = opts.collect;
  return { name: metric.name, timeoutMs, run: () => fn(metric) };
}
