/**
 * Histogram bucket helpers. Bounds are upper bounds (`le`), ascending; `+Inf` is always added.
 */
import { InvalidBuckets } from './errors.js';

/**
 * Default buckets, in seconds: suited to request latencies from 5 ms to 10 s (the bounds Prometheus
 * client libraries share, so dashboards carry over).
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

function check(ok: boolean, field: string, why: string): void {
  if (!ok) throw InvalidBuckets(field, why);
}

/**
 * `count` bounds starting at `start`, `width` apart.
 * @example
 * linearBuckets(0.1, 0.1, 5); // [0.1, 0.2, 0.3, 0.4, 0.5]
 */
export function linearBuckets(start: number, width: number, count: number): number[] {
  check(Number.isFinite(start), 'start', 'start must be a finite number');
  check(Number.isFinite(width) && width > 0, 'width', 'width must be a positive number');
  check(Number.isInteger(count) && count >= 1, 'count', 'count must be a positive integer');
  // Computed from the index (not by repeated addition) and rounded to 15 significant digits so
  // that 0.1 + 0.2 prints as 0.3, not 0.30000000000000004.
  return Array.from({ length: count }, (_, i) => Number((start + i * width).toPrecision(15)));
}

/**
 * `count` bounds starting at `start`, each `factor` times the previous.
 * @example
 * exponentialBuckets(0.001, 2, 4); // [0.001, 0.002, 0.004, 0.008]
 */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  check(Number.isFinite(start) && start > 0, 'start', 'start must be a positive number');
  check(Number.isFinite(factor) && factor > 1, 'factor', 'factor must be a number greater than 1');
  check(Number.isInteger(count) && count >= 1, 'count', 'count must be a positive integer');
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(15)));
}
