/**
 * The alerting arithmetic shared by the in-process engine and the Prometheus rule generator, so
 * that the two cannot drift: the burn-rate window pairs and their factors (derived from the SLO's
 * window, Google SRE Workbook ch. 5), the budget-consumed thresholds with their hysteresis, and the
 * minimum number of events an alert window needs.
 */
import type { BurnWindow } from './types.js';

/** Milliseconds of each reported window. */
export const WINDOW_MS: Record<BurnWindow, number> = {
  '5m': 5 * 60_000,
  '30m': 30 * 60_000,
  '1h': 3_600_000,
  '2h': 2 * 3_600_000,
  '6h': 6 * 3_600_000,
  '1d': 86_400_000,
  '3d': 3 * 86_400_000,
};

/** One multiwindow condition: both windows' burn rates above `factor`. */
export interface BurnCondition {
  readonly severity: 'page' | 'ticket';
  readonly long: BurnWindow;
  readonly short: BurnWindow;
  /** Share of the whole window's budget this condition spends over its long window. */
  readonly budgetShare: number;
}

/**
 * The four conditions of the workbook's table (for a 30-day window: 14.4, 6, 3 and 1). The
 * factor of each is derived from the SLO's window by {@link burnFactor}, never fixed to 30 days.
 */
export const BURN_CONDITIONS: readonly BurnCondition[] = [
  { severity: 'page', long: '1h', short: '5m', budgetShare: 0.02 },
  { severity: 'page', long: '6h', short: '30m', budgetShare: 0.05 },
  { severity: 'ticket', long: '1d', short: '2h', budgetShare: 0.1 },
  { severity: 'ticket', long: '3d', short: '6h', budgetShare: 0.1 },
];

/**
 * The burn rate at which `c` spends its budget share over its long window, for an SLO window of
 * `windowMs`: `budgetShare × window / long`. 30d → 14.4, 6, 3, 1; 7d → 3.36, 1.4, 0.7, 0.2333…;
 * 90d → 43.2, 18, 9, 3. Rounded to 12 significant digits so that the rules print it exactly.
 */
export function burnFactor(c: BurnCondition, windowMs: number): number {
  return Number(((c.budgetShare * windowMs) / WINDOW_MS[c.long]).toPrecision(12));
}

/** Budget-consumed thresholds (share of the window's budget spent) and their severities. */
export const BUDGET_CONSUMED: readonly { readonly consumed: 0.5 | 0.75 | 1; readonly label: '50' | '75' | '100'; readonly severity: 'warning' | 'critical' | 'page' }[] = [
  { consumed: 0.5, label: '50', severity: 'warning' },
  { consumed: 0.75, label: '75', severity: 'critical' },
  { consumed: 1, label: '100', severity: 'page' },
];

/**
 * A firing budget-consumed alert resolves only once consumption falls this far below its
 * threshold (consumption falls only as old bad events leave the rolling window, so without a
 * margin an SLO sitting at the threshold would flap).
 */
export const BUDGET_HYSTERESIS = 0.05;

/**
 * Default least number of events each window of a burn condition must hold before the condition
 * can fire, so that one failed request in a quiet hour does not page. Per SLO: `minEvents`.
 */
export const DEFAULT_MIN_EVENTS = 10;

/** The recorded error ratio of one window: `slo:sli_error:ratio_rate5m`. */
export function ratioRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** The recorded event count of one window (for the minimum-events condition): `slo:sli_events:increase5m`. */
export function eventsRecord(window: string): string {
  return `slo:sli_events:increase${window}`;
}
