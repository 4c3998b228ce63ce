/**
 * The arithmetic of the in-process engine that does not depend on its state: minute indexes,
 * retention, calendar periods in a time zone (through Intl), rounding, and histogram quantiles
 * interpolated inside buckets as Prometheus' `histogram_quantile` does.
 */
import type { ResolvedWindow } from './types.js';

export const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** The minute bucket of an epoch time: `Math.floor(ms / 60_000)`. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

/** Longest length a window can have, in minutes (calendar month 31d, week 7d, quarter 92d). */
export function longestWindowMinutes(window: ResolvedWindow): number {
  if (window.kind === 'rolling') return Math.ceil(window.ms / MINUTE_MS);
  switch (window.calendar) {
    case 'month': return 31 * DAY_MINUTES;
    case 'week': return 7 * DAY_MINUTES;
    case 'quarter': return 92 * DAY_MINUTES;
  }
}

/** Minutes of state kept per SLO: the window's longest length or 3 days (the longest burn window), whichever is longer, plus one. */
export function retentionMinutes(window: ResolvedWindow): number {
  return Math.max(longestWindowMinutes(window), 3 * DAY_MINUTES) + 1;
}

/** `x` rounded to 12 significant digits, so that 43200 × (1 − 0.999) prints as 43.2. */
export function round12(x: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(12));
}

// ---------------------------------------------------------------------------------------------
// Calendar periods

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
    });
    formats.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

interface LocalTime { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number }

/** The wall-clock fields of `ms` in `timeZone` (month 1–12, weekday 0 = Monday). */
export function localTime(ms: number, timeZone: string): LocalTime {
  const out: LocalTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of format(timeZone).formatToParts(ms)) {
    switch (p.type) {
      case 'year': out.year = Number(p.value); break;
      case 'month': out.month = Number(p.value); break;
      case 'day': out.day = Number(p.value); break;
      case 'hour': out.hour = Number(p.value); break;
      case 'minute': out.minute = Number(p.value); break;
      case 'second': out.second = Number(p.value); break;
      case 'weekday': out.weekday = WEEKDAYS[p.value] ?? 0; break;
      default: break;
    }
  }
  return out;
}

/** Offset of `timeZone` from UTC at `ms` (local − UTC), in ms. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  const second = Math.floor(ms / 1000) * 1000;
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - second;
}

/**
 * The epoch time of local midnight starting `year-month-day` in `timeZone` (month 1-based; out of
 * range months and days roll over as `Date.UTC` rolls them).
 */
export function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const first = wall - zoneOffsetMs(wall, timeZone);
  // Around an offset change the offset at the guess can differ from the one at the result.
  const second = wall - zoneOffsetMs(first, timeZone);
  return second;
}

/** The calendar period containing `nowMs`: start (inclusive) and end (exclusive) epoch times. */
export function calendarPeriod(nowMs: number, calendar: 'month' | 'week' | 'quarter', timeZone: string): { startMs: number; endMs: number } {
  const t = localTime(nowMs, timeZone);
  switch (calendar) {
    case 'month':
      return { startMs: localMidnight(t.year, t.month, 1, timeZone), endMs: localMidnight(t.year, t.month + 1, 1, timeZone) };
    case 'week': {
      const d = t.day - t.weekday;
      return { startMs: localMidnight(t.year, t.month, d, timeZone), endMs: localMidnight(t.year, t.month, d + 7, timeZone) };
    }
    case 'quarter': {
      const m = Math.floor((t.month - 1) / 3) * 3 + 1;
      return { startMs: localMidnight(t.year, m, 1, timeZone), endMs: localMidnight(t.year, m + 3, 1, timeZone) };
    }
  }
}

/**
 * The minutes an SLO window covers at `nowMs`, as the half-open range of minute indexes
 * `(fromExclusive, toInclusive]`, and the window's length in minutes for the budget: rolling
 * windows their length; calendar windows from the start of the current period to now, with the
 * whole period's length as the budget's base.
 */
export function windowRange(window: ResolvedWindow, nowMs: number): { fromExclusive: number; toInclusive: number; budgetMinutes: number } {
  const now = minuteOf(nowMs);
  if (window.kind === 'rolling') {
    const len = Math.round(window.ms / MINUTE_MS);
    return { fromExclusive: now - len, toInclusive: now, budgetMinutes: len };
  }
  const p = calendarPeriod(nowMs, window.calendar, window.timeZone);
  return { fromExclusive: minuteOf(p.startMs) - 1, toInclusive: now, budgetMinutes: Math.round((p.endMs - p.startMs) / MINUTE_MS) };
}

// ---------------------------------------------------------------------------------------------
// Histogram quantiles

/**
 * The `q`-quantile of a histogram given as per-bucket counts (`counts[i]` for `bounds[i]`, the
 * `+Inf` bucket last), computed as Prometheus 2.42's `histogram_quantile`: linear interpolation
 * inside the bucket holding rank `q × count`, the lower bound of the first bucket 0 (unless its
 * upper bound is ≤ 0), and the highest finite bound when the rank falls in `+Inf`. Null without
 * observations.
 */
export function histogramQuantile(q: number, bounds: readonly number[], counts: ArrayLike<number>): number | null {
  if (bounds.length === 0 || counts.length !== bounds.length + 1) return null;
  let observations = 0;
  for (let i = 0; i < counts.length; i++) observations += counts[i]!;
  if (!(observations > 0)) return null;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * observations;
  let cumulative = 0;
  let b = 0;
  for (; b < bounds.length; b++) {
    if (cumulative + counts[b]! >= rank) break;
    cumulative += counts[b]!;
  }
  if (b === bounds.length) return bounds[bounds.length - 1]!;
  if (b === 0 && bounds[0]! <= 0) return bounds[0]!;
  const start = b === 0 ? 0 : bounds[b - 1]!;
  const end = bounds[b]!;
  const inBucket = counts[b]!;
  if (inBucket === 0) return start;
  return start + (end - start) * ((rank - cumulative) / inBucket);
}
