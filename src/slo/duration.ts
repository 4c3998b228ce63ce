/**
 * Durations as Prometheus writes them (`model.ParseDuration` / `Duration.String()`): integer
 * amounts of `y` (365 days), `w`, `d`, `h`, `m`, `s` and `ms`, largest unit first, each unit at
 * most once (`1h30m`, `30d`, `4w`). The same text names windows in recording rules
 * (`slo:sli_error:ratio_rate30d`), so the SLO pillar parses and prints it exactly as Prometheus does.
 */
import { InvalidDuration } from './errors.js';

const UNITS: readonly (readonly [unit: string, ms: number])[] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Milliseconds of Prometheus duration text, or why it is not one (undefined `ms`). Zero
 * (`0s`, `0`) is not accepted: every SLO duration is a positive length of time.
 */
export function promDurationMs(text: string): { ms: number } | { why: string } {
  if (text === '') return { why: 'it is empty' };
  const m = PROM_DURATION.exec(text);
  if (m === null) {
    if (/^\d+(?:\.\d+)?$/.test(text)) return { why: 'it has no unit' };
    if (/\d\.\d/.test(text)) return { why: 'amounts must be integers (write 90m, not 1.5h)' };
    if (/[A-Z]/.test(text) && PROM_DURATION.test(text.toLowerCase())) return { why: 'units are lower case' };
    return { why: 'it is not a Prometheus duration' };
  }
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const amount = m[i + 1];
    if (amount !== undefined) ms += Number(amount) * (UNITS[i]?.[1] ?? 0);
  }
  if (!Number.isSafeInteger(ms)) return { why: 'it is too long' };
  if (ms === 0) return { why: 'it is zero' };
  return { ms };
}

/**
 * Parses a duration option: Prometheus duration text (`'10s'`, `'5m'`, `'1h30m'`, `'30d'`, `'4w'`)
 * or a positive finite number of milliseconds. Throws SL_ERR_SLO_INVALID_DURATION naming `field`.
 * @example
 * parseSloDuration('1h30m', 'slo.interval'); // 5_400_000
 */
export function parseSloDuration(v: unknown, field: string): number {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v > 0) return v;
    throw InvalidDuration(field, v, 'a number of milliseconds must be positive and finite');
  }
  if (typeof v !== 'string') throw InvalidDuration(field, v, 'it is not a string');
  const r = promDurationMs(v);
  if ('why' in r) throw InvalidDuration(field, v, r.why);
  return r.ms;
}

/**
 * Prometheus' text for a duration (`Duration.String()`): largest units first, years and weeks
 * only when they divide it exactly (`30d`, `4w`, `90d`, `1h30m`, `1y`); `0s` for zero.
 * Fractions of a millisecond are dropped.
 * @example
 * formatPromDuration(90 * 60_000); // '1h30m'
 */
export function formatPromDuration(ms: number): string {
  let rest = Math.trunc(ms);
  if (!Number.isFinite(rest) || rest <= 0) return '0s';
  let out = '';
  for (const [unit, mult] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % mult !== 0) continue;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}
