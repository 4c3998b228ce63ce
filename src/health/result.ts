import { scrubSecrets } from './scrub.js';

/** A health status of application/health+json. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** What a check may resolve with (see {@link CheckFunction}). */
export type CheckOutcome =
  | void
  | undefined
  | boolean
  | {
    status?: HealthStatus;
    observedValue?: number | string | boolean;
    observedUnit?: string;
    output?: string;
  };

/** What a check function is given: an AbortSignal aborted at its timeout, and the timeout itself. */
export interface CheckContext {
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * A check: returns a Promise of its outcome. Resolving with nothing (or `true`) is a pass, `false`
 * a fail, an object sets the status and observation explicitly; rejecting is a fail whose output is
 * the error's message (scrubbed of credentials).
 */
export type CheckFunction = (ctx: CheckContext) => Promise<CheckOutcome>;

/** One normalised result, as kept by the registry. */
export interface CheckResult {
  status: HealthStatus;
  /** When the run started (ISO 8601). */
  time: string;
  /** Duration of the run in ms (or the timeout when it timed out). */
  durationMs: number;
  observedValue: number | string | boolean | undefined;
  observedUnit: string | undefined;
  output: string | undefined;
}

const STATUSES = new Set(['pass', 'warn', 'fail']);
const MAX_OUTPUT = 500;

/** A short, credential-free description of a thrown value. */
export function describeError(e: unknown): string {
  let s: string;
  try {
    if (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      s = `${e.name}: ${e.message === '' && typeof code === 'string' ? code : e.message}`;
      if (e instanceof AggregateError && e.message === '' && e.errors.length > 0) s += ` (${describeError(e.errors[0])})`;
    } else {
      s = typeof e === 'string' ? e : `non-Error thrown: ${String(e)}`;
    }
  } catch {
    s = 'unprintable error';
  }
  return cleanOutput(s);
}

/** Scrubs and bounds an output text. */
export function cleanOutput(s: string): string {
  const clean = scrubSecrets(s);
  return clean.length > MAX_OUTPUT ? `${clean.slice(0, MAX_OUTPUT)}…` : clean;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Turns what a check resolved with into a status, or explains why it is garbage.
 * `default` is the observation the runner measured itself (the response time).
 */
export function normalizeOutcome(v: unknown): Pick<CheckResult, 'status' | 'observedValue' | 'observedUnit' | 'output'> {
  if (v === undefined || v === true) return { status: 'pass', observedValue: undefined, observedUnit: undefined, output: undefined };
  if (v === false) return { status: 'fail', observedValue: undefined, observedUnit: undefined, output: 'check returned false' };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { status: 'fail', observedValue: undefined, observedUnit: undefined, output: `check resolved with ${typeName(v)}; expected nothing, a boolean or { status, observedValue?, observedUnit?, output? }` };
  }
  const o = v as Record<string, unknown>;
  const status = o['status'] ?? 'pass';
  if (typeof status !== 'string' || !STATUSES.has(status)) {
    return { status: 'fail', observedValue: undefined, observedUnit: undefined, output: `check resolved with status ${safeJson(status)}; expected "pass", "warn" or "fail"` };
  }
  const ov = o['observedValue'];
  if (ov !== undefined && typeof ov !== 'number' && typeof ov !== 'string' && typeof ov !== 'boolean') {
    return { status: 'fail', observedValue: undefined, observedUnit: undefined, output: `check resolved with observedValue of type ${typeName(ov)}; expected a number, string or boolean` };
  }
  if (typeof ov === 'number' && !Number.isFinite(ov)) {
    return { status: 'fail', observedValue: undefined, observedUnit: undefined, output: `check resolved with a non-finite observedValue (${ov})` };
  }
  const unit = o['observedUnit'];
  const output = o['output'];
  return {
    status: status as HealthStatus,
    observedValue: ov,
    observedUnit: typeof unit === 'string' ? unit : undefined,
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a check's output may be any value; String() is its documented text
    output: output === undefined || output === null ? undefined : cleanOutput(String(output)),
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
