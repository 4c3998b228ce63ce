/**
 * The alert conditions of one SLO as a pure function of its window sums and the previous states:
 * multiwindow, multi-burn-rate `SLOErrorBudgetBurn` (page, ticket) and `SLOErrorBudgetConsumed`
 * at 50/75/100% with hysteresis. Any caller that can produce the sums (the in-process engine on
 * its tick, or another evaluator) gets the same states.
 */
import type { Logger } from '../log/index.js';
import type { BurnWindow, ResolvedSlo, SloAlertStatus } from './types.js';
import { BURN_WINDOWS } from './types.js';
import type { BurnCondition } from './windows.js';
import { BUDGET_CONSUMED, BUDGET_HYSTERESIS, BURN_CONDITIONS, burnFactor } from './windows.js';
import { round12 } from './math.js';

/** One window's sums: bad/total in the SLI's unit, and the events (observations) behind them. */
export interface AlertWindowSum {
  readonly bad: number;
  readonly total: number;
  readonly events: number;
}

/** What the alert conditions read. */
export interface AlertInput {
  /** Sums over each burn-rate window. */
  readonly windows: Readonly<Record<BurnWindow, AlertWindowSum>>;
  /** Share of the SLO window's budget spent (may exceed 1). */
  readonly consumedRatio: number;
}

/** Error ratio over budget, rounded to 12 significant digits; null without events in the window. */
export function burnRate(sum: AlertWindowSum, errorBudget: number): number | null {
  if (!(sum.total > 0)) return null;
  return round12(sum.bad / sum.total / errorBudget);
}

/**
 * Whether `c` holds: in both of its windows the error ratio exceeds `factor × errorBudget` (the
 * comparison the generated rules make) and at least `slo.minEvents` events were seen.
 */
export function conditionFires(slo: ResolvedSlo, c: BurnCondition, windows: Readonly<Record<BurnWindow, AlertWindowSum>>): boolean {
  const threshold = burnFactor(c, slo.window.ms) * slo.errorBudget;
  for (const w of [c.long, c.short]) {
    const s = windows[w];
    if (!(s.total > 0) || s.events < slo.minEvents) return false;
    if (!(s.bad / s.total > threshold)) return false;
  }
  return true;
}

function key(a: SloAlertStatus): string {
  return `${a.alertname}|${a.labels['sloth_severity'] ?? a.labels['budget_consumed'] ?? ''}`;
}

/** The states after this evaluation, and those that changed. */
export interface AlertEvaluation {
  alerts: SloAlertStatus[];
  transitions: SloAlertStatus[];
}

/**
 * Evaluates every alert of `slo` at `nowMs` from `input` and the previous evaluation's states
 * (undefined the first time). Burn alerts fire while a condition of their severity holds (no
 * `for`); a consumed alert fires at `consumedRatio ≥ threshold` and stays firing until it falls
 * below `threshold − BUDGET_HYSTERESIS`. `activeAt` is when the current firing began.
 */
export function evaluateAlerts(slo: ResolvedSlo, input: AlertInput, previous: readonly SloAlertStatus[] | undefined, nowMs: number): AlertEvaluation {
  const prev = new Map((previous ?? []).map((a) => [key(a), a] as const));
  const base = { sloth_id: slo.id, sloth_service: slo.service, sloth_slo: slo.name };
  const alerts: SloAlertStatus[] = [];
  const transitions: SloAlertStatus[] = [];
  const at = new Date(nowMs).toISOString();
  const push = (a: Omit<SloAlertStatus, 'state' | 'activeAt'>, firing: boolean): void => {
    const before = prev.get(key(a as SloAlertStatus));
    const wasFiring = before?.state === 'firing';
    const next: SloAlertStatus = firing
      ? { ...a, state: 'firing', activeAt: wasFiring && before.activeAt !== undefined ? before.activeAt : at }
      : { ...a, state: 'inactive' };
    alerts.push(next);
    if (firing !== wasFiring) transitions.push(next);
  };
  for (const severity of ['page', 'ticket'] as const) {
    const firing = BURN_CONDITIONS.some((c) => c.severity === severity && conditionFires(slo, c, input.windows));
    push({ alertname: 'SLOErrorBudgetBurn', severity, labels: { ...base, sloth_severity: severity } }, firing);
  }
  const consumed = round12(input.consumedRatio);
  for (const t of BUDGET_CONSUMED) {
    const labels = { ...base, budget_consumed: t.label, severity: t.severity };
    const wasFiring = prev.get(`SLOErrorBudgetConsumed|${t.label}`)?.state === 'firing';
    const firing = consumed >= t.consumed || (wasFiring && consumed >= round12(t.consumed - BUDGET_HYSTERESIS));
    push({ alertname: 'SLOErrorBudgetConsumed', severity: t.severity, labels }, firing);
  }
  return { alerts, transitions };
}

/** Inputs with no events anywhere (every alert inactive). */
export function emptyAlertInput(): AlertInput {
  const windows = {} as Record<BurnWindow, AlertWindowSum>;
  for (const w of BURN_WINDOWS) windows[w] = { bad: 0, total: 0, events: 0 };
  return { windows, consumedRatio: 0 };
}

/** Logs each transition once: `warn` when an alert starts firing, `info` when it resolves. */
export function logTransitions(logger: Logger | undefined, slo: ResolvedSlo, transitions: readonly SloAlertStatus[], input: AlertInput): void {
  if (logger === undefined) return;
  for (const a of transitions) {
    const fields: Record<string, unknown> = {
      slo: slo.name,
      service: slo.service,
      sloth_id: slo.id,
      alertname: a.alertname,
      severity: a.severity,
      labels: a.labels,
      consumedRatio: round12(input.consumedRatio),
    };
    if (a.alertname === 'SLOErrorBudgetBurn') {
      const rates: Record<string, number | null> = {};
      for (const w of BURN_WINDOWS) rates[w] = burnRate(input.windows[w], slo.errorBudget);
      fields['burnRates'] = rates;
    }
    try {
      if (a.state === 'firing') logger.warn('SLO alert firing', { ...fields, activeAt: a.activeAt });
      else logger.info('SLO alert resolved', fields);
    } catch {
      // A logger never throws; a failing one must not stop the evaluation either.
    }
  }
}
