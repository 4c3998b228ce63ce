/**
 * The one reader of environment variables. Every value is trimmed and an empty (or blank) value
 * counts as unset; a bad value is reported once (see diagnostics) and ignored, never thrown.
 * Callers pass the environment (tests their own, everything else `process.env`).
 */
import { report } from './diagnostics/index.js';
import type { Pillar, Reasons } from './diagnostics/index.js';

/** An environment to read: `process.env`, or a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The pillars that read numbers from the environment (those with a `bad_env` reason). */
type EnvPillar = { [P in Pillar]: 'bad_env' extends Reasons[P] ? P : never }[Pillar];

/**
 * The trimmed value of `name`, or undefined when unset, empty or blank.
 * @example
 * envString(process.env, 'OTEL_SERVICE_NAME') ?? 'unknown_service:node';
 */
export function envString(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/**
 * Whether `name` is set at all, even to an empty value: only for the few conventions where an
 * empty value means something (`FORCE_COLOR=` forces colour, as in Node).
 */
export function envPresent(env: Env, name: string): boolean {
  return env[name] !== undefined;
}

/**
 * A non-negative integer (or > 0 when `positive`) from `name`; a bad value is reported under
 * `pillar` (reason `bad_env`, once per value) and ignored.
 * @example
 * envInt(process.env, 'OTEL_BSP_MAX_QUEUE_SIZE', 'trace', true) ?? 2048;
 */
export function envInt(env: Env, name: string, pillar: EnvPillar, positive: boolean): number | undefined {
  const v = envString(env, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || (positive && n === 0)) {
    report(pillar, 'bad_env', `ignoring ${name}="${v}": expected a ${positive ? 'positive' : 'non-negative'} integer`, { key: `${name}=${v}` });
    return undefined;
  }
  return n;
}

/**
 * The comma-separated entries of `name`, each trimmed, empty ones skipped; undefined when unset.
 * @example
 * envList({ OTEL_PROPAGATORS: 'tracecontext, b3' }, 'OTEL_PROPAGATORS'); // ['tracecontext', 'b3']
 */
export function envList(env: Env, name: string): string[] | undefined {
  const v = envString(env, name);
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
