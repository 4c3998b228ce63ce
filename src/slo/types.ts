/**
 * The shapes the SLO pillar shares between its parts: definitions as users write them (in code and
 * in YAML, the same shape), the resolved form the engine and the rule generator read, the store
 * contract, and the status objects of `obs.slo.status()` and `GET /slo`.
 */

/** Label matchers: label name → regular expression, fully anchored as PromQL's `=~` anchors it. */
export type LabelRegexes = Readonly<Record<string, string>>;

/** Availability: bad events are the counter's series whose labels match `bad`. */
export interface AvailabilitySli {
  /** A counter in the registry, e.g. `http_server_requests_total`. */
  metric: string;
  /** Which series count as bad, e.g. `{ http_response_status_code: '5..' }`. */
  bad: LabelRegexes;
  /** Optional filter applied to bad and total, e.g. `{ http_route: '/checkout' }`. */
  match?: LabelRegexes;
}

/** Latency: good events are observations at or below `threshold` (one of the histogram's bucket bounds). */
export interface LatencySli {
  /** A histogram in the registry, e.g. `http_server_request_duration_seconds`. */
  metric: string;
  /** In the histogram's unit (seconds): must be one of its bucket bounds. */
  threshold: number;
  /** Optional filter applied to good and total. */
  match?: LabelRegexes;
  /**
   * With `budgeting: timeslices` only: the percentile the objective is about ("P95 < 200 ms in 99%
   * of minutes" is `percentile: 95, threshold: 0.2, objective: 99`). A minute is good when at least
   * `percentile`% of its observations are within the threshold.
   */
  percentile?: number;
}

/** One counter (with an optional filter) of an events SLI. */
export interface CounterSelector {
  metric: string;
  match?: LabelRegexes;
}

/** Events: a counter of good events and a counter of all events. */
export interface EventsSli {
  good: CounterSelector;
  total: CounterSelector;
}

/** Exactly one kind of SLI. */
export type SliDefinition = { availability: AvailabilitySli } | { latency: LatencySli } | { events: EventsSli };

/** A calendar window: the current month, ISO week (Monday first) or quarter in a time zone. */
export interface CalendarWindow {
  calendar: 'month' | 'week' | 'quarter';
  /** IANA time zone (default `UTC`). */
  timeZone?: string;
}

/** One SLO as written in code or in the YAML file. */
export interface SloDefinition {
  /** `[a-z0-9_-]+`, unique per service. */
  name: string;
  /** Percent, in (0, 100): 99.9 */
  objective: number;
  /** Rolling (`'30d'`, `'7d'`, `'28d'`, `'4w'`, `'90d'`) or calendar. */
  window: string | CalendarWindow;
  sli: SliDefinition;
  /** `occurrences` (default): the budget is a share of events; `timeslices`: a share of minutes. */
  budgeting?: 'occurrences' | 'timeslices';
  /** Free text shown in status and rule annotations. */
  description?: string;
  /** Least events each window of a burn-rate condition needs before it can fire (default 10). */
  minEvents?: number;
}

/** The file shape (also accepted in code): `service` and its SLOs. */
export interface SloFile {
  service: string;
  slos: SloDefinition[];
}

/** A resolved (validated) selector: the metric and the anchored matchers as RegExps and as text. */
export interface ResolvedMatcher {
  readonly label: string;
  /** The regex source as written (for PromQL). */
  readonly source: string;
  /** `^(?:source)$`. */
  readonly regex: RegExp;
}

/**
 * A validated SLO: what the engine, the stores and the rule generator read. Made only by
 * `resolveSlos()`; every field is checked.
 */
export interface ResolvedSlo {
  readonly service: string;
  readonly name: string;
  /** `<service>-<name>`, Sloth's `sloth_id`; the key of the SLO's state in stores. */
  readonly id: string;
  /** As a ratio: 0.999 */
  readonly objective: number;
  /** 1 − objective */
  readonly errorBudget: number;
  readonly window: ResolvedWindow;
  readonly budgeting: 'occurrences' | 'timeslices';
  readonly description: string | undefined;
  readonly minEvents: number;
  readonly sli: ResolvedSli;
}

export type ResolvedWindow =
  | { readonly kind: 'rolling'; readonly text: string; readonly ms: number }
  /** `ms` is the nominal length used for rule factors and Prometheus (month 30d, week 7d, quarter 90d). */
  | { readonly kind: 'calendar'; readonly text: string; readonly calendar: 'month' | 'week' | 'quarter'; readonly timeZone: string; readonly ms: number };

export type ResolvedSli =
  | { readonly kind: 'availability'; readonly metric: string; readonly bad: readonly ResolvedMatcher[]; readonly match: readonly ResolvedMatcher[] }
  | { readonly kind: 'latency'; readonly metric: string; readonly threshold: number; readonly match: readonly ResolvedMatcher[]; readonly percentile: number | undefined }
  | {
      readonly kind: 'events';
      readonly good: { readonly metric: string; readonly match: readonly ResolvedMatcher[] };
      readonly total: { readonly metric: string; readonly match: readonly ResolvedMatcher[] };
    };

/** The burn-rate windows reported in status (and recorded as rules). */
export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

// ---------------------------------------------------------------------------------------------
// Stores

/**
 * One minute of one SLO: `minute` is `Math.floor(epochMs / 60_000)`; counts are absolute values
 * for that minute (not increments), so writing the same record twice is harmless.
 */
export interface MinuteCounts {
  readonly minute: number;
  readonly bad: number;
  readonly total: number;
  /** Latency SLOs: per-bucket (not cumulative) observation counts of the minute, `+Inf` last. */
  readonly hist?: readonly number[];
}

/** What a store needs to know of each SLO. */
export interface StoreSlo {
  readonly id: string;
  /** Minutes to keep (the window's longest length plus a margin); older minutes may be dropped. */
  readonly retentionMinutes: number;
  /** Length of `hist` for latency SLOs, else 0. */
  readonly histBuckets: number;
}

/**
 * Where SLO state lives. The engine keeps its working copy in memory and calls the store on each
 * tick; a store never throws into the engine after `open` (failures are reported and retried).
 *
 * - single-process stores (memory, SQLite) return this process' own minutes from `open` (state
 *   kept across restarts) and have no `pull`;
 * - fleet stores (Redis) keep each instance's own minutes apart, return the other instances'
 *   sums from `open` and `pull`, and never count an instance's minute twice.
 */
export interface SloStore {
  /** `memory`, `sqlite` or `redis`. */
  readonly kind: 'memory' | 'sqlite' | 'redis';
  /** Human-readable location without secrets (`sqlite:./.sightline/slo.sqlite`, `redis://127.0.0.1:6379/0`). */
  readonly description: string;
  /**
   * Prepares storage and loads state kept within each SLO's retention: own minutes (single-process
   * stores) or the other instances' minutes (fleet stores). Rejects with a coded error when the
   * store cannot be used at all (bad path, driver missing); a fleet store that cannot reach its
   * server yet resolves with what it has and catches up later.
   */
  open(slos: readonly StoreSlo[], nowMs: number): Promise<{ own: Map<string, MinuteCounts[]>; others: Map<string, MinuteCounts[]> }>;
  /**
   * Persists this process' absolute counts of the minutes that changed since the last successful
   * save. Resolves `true` when stored, `false` when not (the engine passes them again next tick).
   */
  save(changes: ReadonlyMap<string, readonly MinuteCounts[]>, nowMs: number): Promise<boolean>;
  /** Fleet stores: the other instances' absolute sums of every minute that changed since the last pull (undefined when unreachable). */
  pull?(nowMs: number): Promise<Map<string, MinuteCounts[]> | undefined>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Status (obs.slo.status(), GET /slo)

export type AlertState = 'inactive' | 'pending' | 'firing';

/** One alert condition of an SLO (delivery is the alert engine's). */
export interface SloAlertStatus {
  /** `SLOErrorBudgetBurn` or `SLOErrorBudgetConsumed`. */
  alertname: string;
  /** `page` or `ticket` for burn alerts; `warning`, `critical` or `page` for consumed alerts. */
  severity: string;
  state: AlertState;
  /** The alert's identifying labels beyond alertname (`sloth_severity`, `budget_consumed`, `sloth_id`, …). */
  labels: Record<string, string>;
  /** ISO time the current state began (undefined while inactive). */
  activeAt?: string;
}

export interface SloStatus {
  name: string;
  service: string;
  /** Percent, as defined: 99.9 */
  objective: number;
  /** As defined: `'30d'` or `{ calendar, timeZone }`. */
  window: string | CalendarWindow;
  budgeting: 'occurrences' | 'timeslices';
  description?: string;
  /** good/total over the window; null with no events. */
  sli: number | null;
  /** Requests (occurrences) or minutes with events (timeslices) over the window. */
  events: { total: number; bad: number };
  errorBudget: {
    consumedRatio: number;
    remainingRatio: number;
    /** Bad events (occurrences) or bad minutes (timeslices) the window allows at the current total. */
    allowedBad: number;
    totalMinutes: number;
    remainingMinutes: number;
  };
  burnRates: Record<BurnWindow, number | null>;
  /** Latency SLOs only: over the last hour and over the window (seconds; null with no events). */
  percentiles?: { '1h': Percentiles; window: Percentiles };
  alerts: SloAlertStatus[];
  /** ISO time of the last tick whose data is included. */
  updatedAt: string | null;
  /** The store the state lives in, and whether its last save/pull worked. */
  store: { kind: string; healthy: boolean };
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
