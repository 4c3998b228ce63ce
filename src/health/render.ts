import type { HealthStatus } from './result.js';
import type { ScheduledCheck } from './scheduled-check.js';

/** One entry of `checks` (draft-inadarei-api-health-check §4). */
export interface CheckEntry {
  componentId: string;
  componentType: string;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  status: HealthStatus;
  time: string;
  output?: string;
}

/** An application/health+json body. */
export interface HealthBody {
  status: HealthStatus;
  serviceId?: string;
  version?: string;
  releaseId?: string;
  description: string;
  output?: string;
  notes?: string[];
  checks: Record<string, CheckEntry[]>;
}

/** What a probe answers: an HTTP status and a body made fresh for this request. */
export interface ProbeResponse {
  statusCode: 200 | 503;
  body: HealthBody;
}

/** The media type of the draft (§3). */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

const RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The worse of two statuses. */
export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * Folds the latest results of `checks` into a status and a fresh `checks` object. A critical
 * check's fail fails the whole; a non-critical one only warns. A check with no result yet counts
 * as failed ("no result yet").
 */
export function aggregate(checks: Iterable<ScheduledCheck>, now: string): { status: HealthStatus; checks: Record<string, CheckEntry[]> } {
  let status: HealthStatus = 'pass';
  const out: Record<string, CheckEntry[]> = {};
  for (const c of checks) {
    const d = c.def;
    const r = c.latest;
    const entry: CheckEntry = r === undefined
      ? { componentId: d.componentId, componentType: d.componentType, status: 'fail', time: now, output: 'no result yet: the first run has not completed' }
      : { componentId: d.componentId, componentType: d.componentType, status: r.status, time: r.time };
    if (r !== undefined) {
      if (r.observedValue !== undefined) entry.observedValue = r.observedValue;
      if (r.observedUnit !== undefined) entry.observedUnit = r.observedUnit;
      // §4.8: output SHOULD be omitted for "pass".
      if (r.output !== undefined && r.status !== 'pass') entry.output = r.output;
    }
    const effective: HealthStatus = entry.status === 'fail' && !d.critical ? 'warn' : entry.status;
    status = worse(status, effective);
    // Keys are `component:measurement`; names are unique, so each key has exactly one entry.
    out[`${d.name}:${d.measurement}`] = [entry];
  }
  return { status, checks: out };
}
