/**
 * Counter: a value that only goes up (resets with the process). Exemplars are attached from the
 * request context when its span is sampled.
 */
import { Exemplar, sampledTrace } from './exemplar.js';
import type { CollectHook, CollectOptions, Labels, MetricDefinition, MetricHost } from './metric.js';
import { collectHook, Metric, METRIC_DEFINITION_KEYS, SeriesBase } from './metric.js';
import { optionKeys } from '../errors.js';

/** Definition of a counter. */
export interface CounterDefinition extends MetricDefinition, CollectOptions<Counter> {
  /** Record exemplars from sampled traces (default: the registry's, true). */
  exemplars?: boolean;
}

/** Every key of {@link CounterDefinition}. @internal */
export const COUNTER_DEFINITION_KEYS = optionKeys<CounterDefinition>()([...METRIC_DEFINITION_KEYS, 'collect', 'collectTimeoutMs', 'exemplars']);

/** One series of a counter; what `counter.labels({...})` returns. */
export class CounterChild extends SeriesBase {
  /** @internal */
  value = 0;
  /** @internal */
  exemplar: Exemplar | undefined = undefined;
  readonly #metric: Counter;

  /** @internal */
  constructor(metric: Counter, labelValues: readonly string[], text: string) {
    super(labelValues, text);
    this.#metric = metric;
  }

  /**
   * Adds `n` (default 1). Negative, NaN or infinite increments are dropped and counted.
   * @example
   * const de = orders.labels({ country: 'de' });
   * de.inc();
   */
  inc(n = 1): void {
    if (n >= 0 && n < Infinity) {
      this.value += n;
      if (this.#metric.exemplars) {
        const t = sampledTrace();
        if (t !== undefined) {
          if (this.exemplar === undefined) this.exemplar = new Exemplar(t, n);
          else this.exemplar.update(t, n);
        }
      }
    } else {
      this.#metric.invalidValue();
    }
  }

  /** Current value. */
  get(): number {
    return this.value;
  }

  /** @internal */
  clear(): void {
    this.value = 0;
    this.exemplar = undefined;
  }
}

/**
 * A monotonically increasing count. Name it with a `_total` suffix; if you do not, the exposition
 * adds one to the sample name (both formats then show the same series) without changing the metric.
 * @example
 * const orders = registry.counter({ name: 'orders_total', help: 'Orders placed', labelNames: ['country'] });
 * orders.inc({ country: 'de' });        // label object
 * orders.labels({ country: 'fr' }).inc(2); // bound child (cache it for the fastest path)
 */
export class Counter extends Metric<CounterChild> {
  readonly type = 'counter' as const;
  /** @internal */
  readonly exemplars: boolean;
  /** @internal */
  readonly collectHook: CollectHook | undefined;

  /** @internal use `registry.counter(def)` */
  constructor(def: CounterDefinition, host: MetricHost) {
    super(def, 'counter', host);
    this.exemplars = def.exemplars ?? host.exemplars;
    this.collectHook = collectHook(this, def);
    this.init();
  }

  protected createSeries(labelValues: readonly string[], text: string): CounterChild {
    return new CounterChild(this, labelValues, text);
  }

  /**
   * Adds `n` (default 1) to the series without labels, or to the series of `labels`.
   * @example
   * hits.inc(); hits.inc(5); hitsByRoute.inc({ route: '/a' }, 2);
   */
  inc(n?: number): void;
  inc(labels: Labels, n?: number): void;
  inc(a?: number | Labels, b?: number): void {
    if (typeof a === 'object') this.lookup(a).inc(b);
    else this.plain().inc(a);
  }

  /**
   * The bound child of one label set, cached: keep it to skip the lookup.
   * @example
   * const ok = requests.labels({ method: 'GET', status: '200' }); ok.inc();
   */
  labels(labels: Labels): CounterChild {
    return this.lookup(labels);
  }

  /** Value of the series without labels, or of `labels` (0 when absent). */
  get(labels?: Labels): number {
    return (labels === undefined ? this.plain() : this.lookup(labels)).value;
  }
}
