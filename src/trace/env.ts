/**
 * Reading OTEL_* variables (runtime-specific: the only place that touches process.env and stderr).
 * FACTS: an empty value counts as unset; a bad value is warned about once and ignored.
 */

import { report } from '../diagnostics/index.js';

/** The trimmed value of an environment variable, or undefined when unset or empty. */
export function envString(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A non-negative integer (or > 0 when `positive`) from the environment; bad values warn once. */
export function envInt(name: string, positive: boolean, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = envString(name, env);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || (positive && n === 0)) {
    report('trace', 'bad_env', `ignoring ${name}="${v}": expected a ${positive ? 'positive' : 'non-negative'} integer`, { key: `${name}=${v}` });
    return undefined;
  }
  return n;
}
