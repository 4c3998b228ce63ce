/**
 * Resolved SLOs for the rule generator's tests, built directly in their resolved shape (as the
 * definition validator would make them), with the defaults of the README's examples.
 */
import type { ResolvedMatcher, ResolvedSli, ResolvedSlo, ResolvedWindow } from '../../src/slo/types.js';

const DAY = 86_400_000;

/** An anchored matcher, as PromQL's `=~` anchors it. */
export function matcher(label: string, source: string): ResolvedMatcher {
  return { label, source, regex: new RegExp(`^(?:${source})$`) };
}

/** Matchers from `{ label: regex }`. */
export function matchers(m: Record<string, string> = {}): ResolvedMatcher[] {
  return Object.entries(m).map(([label, source]) => matcher(label, source));
}

/** A rolling window of `days` days, its text as Prometheus prints it. */
export function rolling(days: number): ResolvedWindow {
  const text = days % 7 === 0 ? `${days / 7}w` : `${days}d`;
  return { kind: 'rolling', text, ms: days * DAY };
}

export function availabilitySli(metric = 'http_server_requests_total', bad: Record<string, string> = { http_response_status_code: '5..' }, match: Record<string, string> = {}): ResolvedSli {
  return { kind: 'availability', metric, bad: matchers(bad), match: matchers(match) };
}

export function latencySli(threshold = 0.25, metric = 'http_server_request_duration_seconds', match: Record<string, string> = {}, percentile?: number): ResolvedSli {
  return { kind: 'latency', metric, threshold, match: matchers(match), percentile };
}

export function eventsSli(good = 'jobs_succeeded_total', total = 'jobs_total', goodMatch: Record<string, string> = {}, totalMatch: Record<string, string> = {}): ResolvedSli {
  return { kind: 'events', good: { metric: good, match: matchers(goodMatch) }, total: { metric: total, match: matchers(totalMatch) } };
}

/** A resolved SLO: 99.9% over 30 days, availability of `http_server_requests_total` unless overridden. */
export function slo(over: Partial<Omit<ResolvedSlo, 'id'>> = {}): ResolvedSlo {
  const service = over.service ?? 'checkout';
  const name = over.name ?? 'availability';
  const objective = over.objective ?? 0.999;
  return {
    service,
    name,
    id: `${service}-${name}`,
    objective,
    errorBudget: over.errorBudget ?? Number((1 - objective).toFixed(12)),
    window: over.window ?? { kind: 'rolling', text: '30d', ms: 30 * DAY },
    budgeting: over.budgeting ?? 'occurrences',
    description: over.description,
    minEvents: over.minEvents ?? 10,
    sli: over.sli ?? availabilitySli(),
  };
}
