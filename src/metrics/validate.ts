/**
 * Definition-time validation of names, labels, buckets and options. Everything here throws a coded
 * error; nothing here runs on the recording path.
 */
import {
  DuplicateLabel, InvalidBuckets, InvalidHelp, InvalidLabelName, InvalidMetricName, InvalidOption,
  ReservedLabel, TotalSuffix,
} from './errors.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Label names no user metric may use: `le` (histogram buckets) and `quantile` (summaries) are added
 * by the exposition, and `sightline_overflow` marks the overflow series of a capped metric. They are
 * refused on every metric type so a metric can change type later without a rename.
 */
export const RESERVED_LABELS: ReadonlySet<string> = new Set(['le', 'quantile', 'sightline_overflow']);

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** `untyped`: a gauge exposed with TYPE untyped/unknown, which may keep a `_total` name (prom-client compatibility). */
export function validateName(name: unknown, type: MetricType | 'untyped'): string {
  if (typeof name !== 'string' || name.length === 0) throw InvalidMetricName('name', String(name), 'it must be a non-empty string');
  if (!METRIC_NAME.test(name)) throw InvalidMetricName('name', name, 'it contains a character outside the allowed set');
  if (name.startsWith('__')) throw InvalidMetricName('name', name, 'names starting with "__" are reserved');
  if (type !== 'counter' && type !== 'untyped' && name.endsWith('_total')) throw TotalSuffix('name', name, type);
  return name;
}

export function validateHelp(help: unknown, name: string): string {
  if (typeof help !== 'string' || help.length === 0) throw InvalidHelp('help', name);
  return help;
}

export function validateLabelNames(labelNames: unknown): readonly string[] {
  if (labelNames === undefined) return [];
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the rejected value, whatever it is
  if (!Array.isArray(labelNames)) throw InvalidLabelName('labelNames', String(labelNames), 'labelNames must be an array of strings');
  const seen = new Set<string>();
  labelNames.forEach((l: unknown, i) => {
    const field = `labelNames[${i}]`;
    if (typeof l !== 'string') throw InvalidLabelName(field, String(l), 'it must be a string');
    if (!LABEL_NAME.test(l)) throw InvalidLabelName(field, l, 'it contains a character outside the allowed set');
    if (l.startsWith('__')) throw InvalidLabelName(field, l, 'names starting with "__" are reserved');
    if (RESERVED_LABELS.has(l)) throw ReservedLabel(field, l);
    if (seen.has(l)) throw DuplicateLabel(field, l);
    seen.add(l);
  });
  return Object.freeze([...seen]);
}

export function validateBuckets(buckets: unknown): readonly number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) throw InvalidBuckets('buckets', 'buckets must be a non-empty array');
  const out: number[] = [];
  buckets.forEach((b: unknown, i) => {
    if (typeof b !== 'number' || Number.isNaN(b)) throw InvalidBuckets(`buckets[${i}]`, `${String(b)} is not a number`);
    // The +Inf bucket is always added; accept it as the last given bound and drop it.
    if (b === Infinity && i === buckets.length - 1) return;
    if (!Number.isFinite(b)) throw InvalidBuckets(`buckets[${i}]`, `${b} is not finite`);
    const prev = out[out.length - 1];
    if (prev !== undefined && !(b > prev)) throw InvalidBuckets(`buckets[${i}]`, `${b} does not exceed the previous bound ${prev}`);
    out.push(b);
  });
  if (out.length === 0) throw InvalidBuckets('buckets', 'at least one finite bound is needed');
  return Object.freeze(out);
}

export function positiveInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the rejected value, whatever it is
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw InvalidOption(field, `${field} must be a positive integer, got ${String(value)}`);
  return value;
}

export function positiveNumber(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the rejected value, whatever it is
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw InvalidOption(field, `${field} must be a positive number, got ${String(value)}`);
  return value;
}
