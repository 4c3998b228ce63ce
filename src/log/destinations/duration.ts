import { InvalidDuration } from '../errors.js';

const UNITS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000,
};

/**
 * Parses a duration option: a positive number of milliseconds, or a string such as `'7d'`,
 * `'12h'`, `'30m'`. Throws SL_ERR_LOG_INVALID_DURATION naming `field`.
 * @example
 * parseDuration('7d', 'maxAge'); // 604800000
 */
export function parseDuration(v: unknown, field: string): number {
  let ms: number;
  if (typeof v === 'number') {
    ms = v;
  } else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(v);
    if (m === null) throw InvalidDuration(field, `${JSON.stringify(v)} is not a number with a unit`);
    const unit = UNITS[m[2]!.toLowerCase()];
    if (unit === undefined) throw InvalidDuration(field, `unknown unit ${JSON.stringify(m[2])} in ${JSON.stringify(v)}`);
    ms = Number(m[1]) * unit;
  } else {
    throw InvalidDuration(field, `expected a number or a string, got ${typeof v}`);
  }
  if (!Number.isFinite(ms) || ms <= 0) throw InvalidDuration(field, `${JSON.stringify(v)} is not a positive duration`);
  return ms;
}
