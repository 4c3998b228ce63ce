// Builders of resolved SLOs for the engine tests (the shape resolveSlos() returns), and a clock.
import type { ResolvedMatcher, ResolvedSlo, ResolvedWindow } from 'sightline/slo';
import { DEFAULT_MIN_EVENTS } from 'sightline/slo';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function matchers(labels: Record<string, string> = {}): ResolvedMatcher[] {
  return Object.entries(labels).map(([label, source]) => ({ label, source, regex: new RegExp(`^(?:${source})$`) }));
}

const UNITS: Record<string, number> = { m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

export function rolling(text: string): ResolvedWindow {
  const m = /^(\d+)([mhdw])$/.exec(text);
  if (m === null) throw new Error(`bad window ${text}`);
  return { kind: 'rolling', text, ms: Number(m[1]) * UNITS[m[2]!]! };
}

export function calendar(cal: 'month' | 'week' | 'quarter', timeZone = 'UTC'): ResolvedWindow {
  const ms = { month: 30, week: 7, quarter: 90 }[cal] * DAY;
  return { kind: 'calendar', text: cal, calendar: cal, timeZone, ms };
}

interface Common {
  service?: string;
  name?: string;
  objective?: number;
  window?: ResolvedWindow;
  minEvents?: number;
  budgeting?: 'occurrences' | 'timeslices';
  description?: string;
}

function base(c: Common, name: string): Omit<ResolvedSlo, 'sli'> {
  const service = c.service ?? 'checkout';
  const n = c.name ?? name;
  const objective = c.objective ?? 0.999;
  return {
    service,
    name: n,
    id: `${service}-${n}`,
    objective,
    errorBudget: Number((1 - objective).toPrecision(12)),
    window: c.window ?? rolling('30d'),
    budgeting: c.budgeting ?? 'occurrences',
    description: c.description,
    minEvents: c.minEvents ?? DEFAULT_MIN_EVENTS,
  };
}

export function availability(c: Common & { metric?: string; bad?: Record<string, string>; match?: Record<string, string> } = {}): ResolvedSlo {
  return {
    ...base(c, 'availability'),
    sli: { kind: 'availability', metric: c.metric ?? 'http_requests_total', bad: matchers(c.bad ?? { code: '5..' }), match: matchers(c.match) },
  };
}

export function latency(c: Common & { metric?: string; threshold?: number; match?: Record<string, string>; percentile?: number } = {}): ResolvedSlo {
  return {
    ...base(c, 'latency'),
    sli: { kind: 'latency', metric: c.metric ?? 'http_request_duration_seconds', threshold: c.threshold ?? 0.25, match: matchers(c.match), percentile: c.percentile },
  };
}

export function events(c: Common & { good: string; total: string; goodMatch?: Record<string, string>; totalMatch?: Record<string, string> }): ResolvedSlo {
  return {
    ...base(c, 'events'),
    sli: { kind: 'events', good: { metric: c.good, match: matchers(c.goodMatch) }, total: { metric: c.total, match: matchers(c.totalMatch) } },
  };
}

/** A settable clock. */
export function clock(start: number): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (x) => { t = x; }, advance: (ms) => { t += ms; } };
}
