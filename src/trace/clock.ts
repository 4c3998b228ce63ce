import type { TimeInput } from '@opentelemetry/api';

/**
 * A monotonic clock anchored to the epoch: timeOrigin + performance.now() in milliseconds, with
 * sub-millisecond precision, and no Date object per span.
 */
const origin = performance.timeOrigin;

/** Now, in epoch milliseconds (fractional). */
export function now(): number {
  return origin + performance.now();
}

/**
 * Converts an @opentelemetry/api `TimeInput` to epoch milliseconds. Like the OTel SDK, a number
 * smaller than the time origin is taken as a `performance.now()` reading.
 */
export function toEpochMs(time: TimeInput | undefined): number {
  if (time === undefined) return now();
  if (typeof time === 'number') return Number.isFinite(time) ? (time < origin ? origin + time : time) : now();
  if (Array.isArray(time)) return time[0] * 1e3 + time[1] / 1e6;
  if (time instanceof Date) {
    const t = time.getTime();
    return Number.isFinite(t) ? t : now();
  }
  return now();
}
