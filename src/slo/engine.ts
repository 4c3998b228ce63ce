/**
 * The in-process SLO engine. On each tick (default every 10 s) it reads the registry's counters
 * and histograms of every SLO, folds the deltas into per-minute rings, saves the changed minutes
 * through its store (absolute per-minute counts, so a retried save never double-counts), pulls
 * the other instances' minutes from a fleet store, and evaluates the alert conditions. Statuses
 * are computed from the rings when asked. Nothing is added to the request path.
 */
import { report } from '../diagnostics/index.js';
import type { Logger } from '../log/index.js';
import type { Gauge, Registry } from '../metrics/index.js';
import type { AlertInput, AlertWindowSum } from './alerts.js';
import { burnRate, emptyAlertInput, evaluateAlerts, logTransitions } from './alerts.js';
import { InvalidEngineOption } from './engine-errors.js';
import { histogramQuantile, minuteOf, retentionMinutes, round12, windowRange } from './math.js';
import type { SumMode } from './minutes.js';
import { SloState } from './minutes.js';
import { SliSource } from './source.js';
import { MemoryStore } from './store/memory.js';
import type { BurnWindow, MinuteCounts, Percentiles, ResolvedSlo, SloAlertStatus, SloStatus, SloStore, StoreSlo } from './types.js';
import { BURN_WINDOWS } from './types.js';
import { WINDOW_MS } from './windows.js';

/** Options of {@link SloEngine}. */
export interface SloEngineOptions {
  /** The registry whose metrics the SLIs read; the `sightline_slo_*` gauges are defined in it too. */
  registry: Registry;
  /** Validated SLOs (from `resolveSlos()`). */
  slos: readonly ResolvedSlo[];
  /** Where state lives (default: a {@link MemoryStore}). */
  store?: SloStore;
  /** How often the registry is read, in ms (default 10,000). */
  intervalMs?: number;
  /** Receives one line per alert transition (`warn` firing, `info` resolved). */
  logger?: Logger;
  /** The clock (default `Date.now`). */
  now?: () => number;
}

const DEFAULT_INTERVAL_MS = 10_000;

/** Spans of the burn windows in minutes, in BURN_WINDOWS order. */
const BURN_SPANS = BURN_WINDOWS.map((w) => WINDOW_MS[w] / 60_000);

interface Entry {
  readonly slo: ResolvedSlo;
  readonly source: SliSource;
  readonly state: SloState;
  readonly mode: SumMode;
  /** Histogram width announced to the store at open (0: minutes are saved without `hist`). */
  storeHist: number;
  bounds: readonly number[] | undefined;
  alerts: SloAlertStatus[];
  /** Values of the last tick, for the gauges. */
  last: { sli: number | null; remaining: number; burn: Record<BurnWindow, number | null> } | undefined;
}

interface Computed {
  status: Omit<SloStatus, 'alerts' | 'updatedAt' | 'store'>;
  input: AlertInput;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function percentiles(bounds: readonly number[] | undefined, counts: Float64Array | undefined): Percentiles {
  if (bounds === undefined || counts === undefined) return { p50: null, p95: null, p99: null };
  return {
    p50: histogramQuantile(0.5, bounds, counts),
    p95: histogramQuantile(0.95, bounds, counts),
    p99: histogramQuantile(0.99, bounds, counts),
  };
}

/**
 * Evaluates SLOs inside the process from the registry's own metrics.
 * @example
 * const engine = new SloEngine({ registry, slos: resolveSlos(file), store: new MemoryStore() });
 * engine.start();
 * await engine.ready();
 * const [availability] = await engine.status();
 * await engine.stop();
 */
export class SloEngine {
  readonly #registry: Registry;
  readonly #entries: Entry[];
  readonly #byId = new Map<string, Entry>();
  readonly #intervalMs: number;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #storeKind: string;
  #store: SloStore;
  #opening: Promise<void> | undefined;
  #ready: Promise<void> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #inFlight = false;
  #timer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  #stopped = false;
  #lastTick: number | undefined;
  #openOk = true;
  #saveOk = true;
  #pullOk = true;
  readonly #unregister: () => void;

  constructor(options: SloEngineOptions) {
    if (typeof options !== 'object' || options === null) throw InvalidEngineOption(undefined, 'options must be an object');
    const { registry, slos, store, intervalMs, logger, now } = options;
    if (typeof registry !== 'object' || registry === null || typeof registry.get !== 'function') throw InvalidEngineOption('registry', 'registry must be a Registry');
    const list: unknown = slos;
    if (!Array.isArray(list)) throw InvalidEngineOption('slos', 'slos must be an array of resolved SLOs');
    if (store !== undefined && (typeof store !== 'object' || store === null || typeof store.open !== 'function' || typeof store.save !== 'function')) {
      throw InvalidEngineOption('store', 'store must implement SloStore (open, save, close)');
    }
    if (intervalMs !== undefined && !(typeof intervalMs === 'number' && Number.isFinite(intervalMs) && intervalMs > 0)) {
      throw InvalidEngineOption('intervalMs', `intervalMs must be a positive number of milliseconds, got ${String(intervalMs)}`);
    }
    if (now !== undefined && typeof now !== 'function') throw InvalidEngineOption('now', 'now must be a function returning epoch milliseconds');
    this.#registry = registry;
    this.#store = store ?? new MemoryStore();
    this.#storeKind = this.#store.kind;
    this.#intervalMs = intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#logger = logger;
    this.#now = now ?? Date.now;
    const t = this.#now();
    this.#entries = slos.map((slo, i) => {
      if (this.#byId.has(slo.id)) throw InvalidEngineOption(`slos[${i}].id`, `SLO id ${slo.id} appears twice`);
      const mode: SumMode = slo.budgeting === 'timeslices'
        ? { kind: 'timeslices', goodPercent: slo.sli.kind === 'latency' && slo.sli.percentile !== undefined ? slo.sli.percentile : round12(slo.objective * 100) }
        : { kind: 'occurrences' };
      const entry: Entry = {
        slo,
        source: new SliSource(slo),
        state: new SloState(retentionMinutes(slo.window)),
        mode,
        storeHist: 0,
        bounds: undefined,
        alerts: evaluateAlerts(slo, emptyAlertInput(), undefined, t).alerts,
        last: undefined,
      };
      this.#byId.set(slo.id, entry);
      return entry;
    });
    this.#unregister = this.#registerMetrics();
  }

  /** Opens the store and schedules ticks (an unref'd timer). Never throws; call once. */
  start(): void {
    if (this.#timer !== undefined || this.#stopped || this.#stopping !== undefined) return;
    this.#ready ??= this.tick();
    this.#timer = setInterval(() => {
      if (!this.#inFlight) void this.tick();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Resolves once the store is open and the first tick is done. */
  ready(): Promise<void> {
    return (this.#ready ??= this.tick());
  }

  /** Reads the registry, saves changed minutes, pulls the fleet's, evaluates alerts. Never rejects; ticks never overlap. */
  tick(): Promise<void> {
    const p = this.#chain.then(() => this.#tickOnce());
    this.#chain = p;
    return p;
  }

  /** The status of every SLO, computed now from the rings (what `GET /slo` serves). */
  async status(): Promise<SloStatus[]> {
    if (this.#opening !== undefined) await this.#opening;
    const t = this.#now();
    const store = { kind: this.#storeKind, healthy: this.#healthy() };
    const updatedAt = this.#lastTick === undefined ? null : new Date(this.#lastTick).toISOString();
    return this.#entries.map((e) => ({ ...this.#compute(e, t).status, alerts: e.alerts.map((a) => ({ ...a, labels: { ...a.labels } })), updatedAt, store: { ...store } }));
  }

  /** Runs one last tick, saves, and closes the store. Idempotent. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#stop());
  }

  async #stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.tick();
    this.#stopped = true;
    this.#unregister();
    try {
      if (this.#opening !== undefined) await this.#store.close();
    } catch (e) {
      report('slo', 'store_save_failed', `SLO store ${this.#store.description} failed to close: ${String(e)}`, { error: e });
    }
  }

  #healthy(): boolean {
    return this.#openOk && this.#saveOk && this.#pullOk;
  }

  #open(): Promise<void> {
    return (this.#opening ??= this.#doOpen());
  }

  async #doOpen(): Promise<void> {
    const t = this.#now();
    const now = minuteOf(t);
    const slos: StoreSlo[] = this.#entries.map((e) => {
      let histBuckets = 0;
      if (e.slo.sli.kind === 'latency') {
        e.bounds = e.source.bounds(this.#registry);
        if (e.bounds !== undefined) {
          histBuckets = e.bounds.length + 1;
          e.state.ensureHist(histBuckets);
        }
      }
      e.storeHist = histBuckets;
      return { id: e.slo.id, retentionMinutes: e.state.retention, histBuckets };
    });
    let loaded: { own: Map<string, MinuteCounts[]>; others: Map<string, MinuteCounts[]> };
    try {
      loaded = await this.#store.open(slos, t);
    } catch (e) {
      this.#openOk = false;
      report('slo', 'store_open_failed', `SLO store ${this.#store.description} could not be opened (${describe(e)}); SLO state is kept in memory only`, { error: e });
      this.#store = new MemoryStore();
      return;
    }
    for (const [id, list] of loaded.own) {
      const e = this.#byId.get(id);
      if (e !== undefined) for (const c of list) e.state.loadOwn(c, now);
    }
    for (const [id, list] of loaded.others) {
      const e = this.#byId.get(id);
      if (e !== undefined) for (const c of list) e.state.setOthers(c, now);
    }
  }

  async #tickOnce(): Promise<void> {
    if (this.#stopped) return;
    this.#inFlight = true;
    try {
      await this.#open();
      const t = this.#now();
      const m = minuteOf(t);
      for (const e of this.#entries) {
        try {
          this.#read(e, m);
        } catch (err) {
          report('slo', 'tick_failed', `SLO ${e.slo.id}: reading its metrics failed (${String(err)})`, { error: err });
        }
      }
      await this.#save(t);
      await this.#pull(t);
      for (const e of this.#entries) {
        try {
          const { status, input } = this.#compute(e, t);
          const ev = evaluateAlerts(e.slo, input, e.alerts, t);
          e.alerts = ev.alerts;
          logTransitions(this.#logger, e.slo, ev.transitions, input);
          e.last = { sli: status.sli, remaining: status.errorBudget.remainingRatio, burn: status.burnRates };
        } catch (err) {
          report('slo', 'tick_failed', `SLO ${e.slo.id}: evaluating its status failed (${String(err)})`, { error: err });
        }
      }
      this.#lastTick = t;
    } catch (err) {
      report('slo', 'tick_failed', `an SLO tick failed (${String(err)})`, { error: err });
    } finally {
      this.#inFlight = false;
    }
  }

  #read(e: Entry, m: number): void {
    if (e.slo.sli.kind === 'latency' && e.bounds === undefined) {
      e.bounds = e.source.bounds(this.#registry);
      if (e.bounds !== undefined) e.state.ensureHist(e.bounds.length + 1);
    }
    const r = e.source.read(this.#registry);
    if (r !== undefined) {
      const hist = r.hist !== undefined && e.state.ownHist?.width === r.hist.length ? r.hist : undefined;
      e.state.addOwn(m, r.bad, r.total, hist);
    }
    e.state.pruneDirty(m);
  }

  async #save(t: number): Promise<void> {
    const changes = new Map<string, MinuteCounts[]>();
    for (const e of this.#entries) {
      if (e.state.dirty.size === 0) continue;
      const withHist = e.storeHist > 0 && e.state.ownHist?.width === e.storeHist;
      changes.set(e.slo.id, [...e.state.dirty].sort((a, b) => a - b).map((m) => e.state.ownCounts(m, withHist)));
    }
    if (changes.size === 0) return;
    let ok: boolean;
    let error: unknown;
    try {
      ok = (await this.#store.save(changes, t)) === true;
    } catch (err) {
      ok = false;
      error = err;
    }
    if (ok) {
      for (const [id, list] of changes) {
        const dirty = this.#byId.get(id)!.state.dirty;
        for (const c of list) dirty.delete(c.minute);
      }
    } else if (this.#saveOk) {
      const why = error === undefined ? 'it answered false' : describe(error);
      report('slo', 'store_save_failed', `SLO store ${this.#store.description} did not save (${why}); the minutes are kept and saved again on the next tick`, error === undefined ? undefined : { error });
    }
    this.#saveOk = ok;
  }

  async #pull(t: number): Promise<void> {
    const store = this.#store;
    if (store.pull === undefined) return;
    let got: Map<string, MinuteCounts[]> | undefined;
    try {
      got = await store.pull(t);
    } catch (err) {
      if (this.#pullOk) report('slo', 'store_pull_failed', `SLO store ${store.description}: pulling the other instances' minutes failed (${String(err)})`, { error: err });
      this.#pullOk = false;
      return;
    }
    this.#pullOk = got !== undefined;
    if (got === undefined) return;
    const now = minuteOf(t);
    for (const [id, list] of got) {
      const e = this.#byId.get(id);
      if (e !== undefined) for (const c of list) e.state.setOthers(c, now);
    }
  }

  #compute(e: Entry, t: number): Computed {
    const { slo, state, mode } = e;
    const now = minuteOf(t);
    const range = windowRange(slo.window, t);
    const sums = state.sums(now, [...BURN_SPANS, range.toInclusive - range.fromExclusive], mode);
    const win = sums[BURN_SPANS.length]!;
    const total = win.total;
    const bad = Math.min(Math.max(win.bad, 0), total);
    const totalMinutes = round12(range.budgetMinutes * slo.errorBudget);
    let allowedBad: number;
    let consumed: number;
    if (mode.kind === 'timeslices') {
      allowedBad = totalMinutes;
      consumed = totalMinutes > 0 ? bad / totalMinutes : 0;
    } else {
      allowedBad = total * slo.errorBudget;
      consumed = total > 0 ? bad / allowedBad : 0;
    }
    consumed = round12(consumed);
    const remainingRatio = round12(1 - consumed);
    const windows = {} as Record<BurnWindow, AlertWindowSum>;
    const burnRates = {} as Record<BurnWindow, number | null>;
    BURN_WINDOWS.forEach((w, i) => {
      const s = sums[i]!;
      windows[w] = s;
      burnRates[w] = burnRate(s, slo.errorBudget);
    });
    const status: Computed['status'] = {
      name: slo.name,
      service: slo.service,
      objective: round12(slo.objective * 100),
      window: slo.window.kind === 'rolling' ? slo.window.text : { calendar: slo.window.calendar, timeZone: slo.window.timeZone },
      budgeting: slo.budgeting,
      sli: total > 0 ? round12((total - bad) / total) : null,
      events: { total, bad },
      errorBudget: {
        consumedRatio: consumed,
        remainingRatio,
        allowedBad: round12(allowedBad),
        totalMinutes,
        remainingMinutes: round12(totalMinutes * remainingRatio),
      },
      burnRates,
    };
    if (slo.description !== undefined) status.description = slo.description;
    if (slo.sli.kind === 'latency') {
      status.percentiles = {
        '1h': percentiles(e.bounds, state.minuteHist(now - 60, now)),
        window: percentiles(e.bounds, state.hourHistSum(range.fromExclusive, now)),
      };
    }
    return { status, input: { windows, consumedRatio: consumed } };
  }

  /** Defines the `sightline_slo_*` gauges, set from the last tick at each scrape; returns the unregister function. */
  #registerMetrics(): () => void {
    const r = this.#registry;
    const labelNames = ['service', 'slo'];
    const objective = r.gauge({ name: 'sightline_slo_objective_ratio', help: 'SLO objective as a ratio (99.9% is 0.999).', labelNames });
    const sli = r.gauge({ name: 'sightline_slo_sli_ratio', help: 'Good events over all events in the SLO window (absent without events).', labelNames });
    const remaining = r.gauge({ name: 'sightline_slo_error_budget_remaining_ratio', help: 'Share of the SLO window\'s error budget left (negative once overspent).', labelNames });
    const burn: Gauge = r.gauge({ name: 'sightline_slo_burn_rate', help: 'Error ratio over the error budget in each burn-rate window (absent without events in the window).', labelNames: ['service', 'slo', 'window'] });
    const set = (g: Gauge, labels: Record<string, string>, v: number | null): void => {
      if (v === null) g.remove(labels);
      else g.labels(labels).set(v);
    };
    return r.registerCollector(() => {
      for (const e of this.#entries) {
        const labels = { service: e.slo.service, slo: e.slo.name };
        objective.labels(labels).set(e.slo.objective);
        set(sli, labels, e.last?.sli ?? null);
        set(remaining, labels, e.last?.remaining ?? null);
        for (const w of BURN_WINDOWS) set(burn, { ...labels, window: w }, e.last?.burn[w] ?? null);
      }
    }, { name: 'sightline_slo' });
  }
}
