/**
 * Configuration errors of the SLO pillar: SLO definitions (in code and in YAML files), their
 * checks against the metrics registry, and the `slo` option of `sightline()`. Each names the
 * offending field (`slo.objectives[1].sli.latency.threshold`, or `slos[1].objective` inside a
 * file, whose message then ends with the file's line and column).
 */
import { createError, createUnknownOptionError } from '../errors.js';

/** A key that no SLO definition object (file, definition, window, sli and its parts) or `slo` option has. */
export const UnknownSloOption = createUnknownOptionError('SL_ERR_SLO_UNKNOWN_OPTION');

/** Wrong type or shape, a bad or duplicate name, an SLI with zero or two kinds, a bad label regex, misplaced `percentile`… */
export const InvalidDefinition = createError('SL_ERR_SLO_INVALID_DEFINITION',
  (why: string) => `invalid SLO definition: ${why}`);

/** `objective` is not a number strictly between 0 and 100. */
export const InvalidObjective = createError('SL_ERR_SLO_INVALID_OBJECTIVE',
  (value: unknown, why: string) => `invalid objective ${describe(value)}: ${why}; write the percentage as a number strictly between 0 and 100, e.g. 99.9`);

/** A rolling window that is not a duration in range, a bad calendar, an unknown time zone. */
export const InvalidWindow = createError('SL_ERR_SLO_INVALID_WINDOW',
  (why: string) => `invalid SLO window: ${why}`);

/** A duration that is not Prometheus duration text (`30d`, `5m`, `1h30m`). */
export const InvalidDuration = createError('SL_ERR_SLO_INVALID_DURATION',
  (value: unknown, why: string) => `invalid duration ${describe(value)}: ${why}; use Prometheus duration text such as '10s', '5m', '1h30m', '30d' (units ms, s, m, h, d, w, y, largest first)`);

/** Availability and events SLIs need counters, latency SLIs a histogram. */
export const WrongMetricType = createError('SL_ERR_SLO_WRONG_METRIC_TYPE',
  (metric: string, actual: string, expected: string, sli: string) => `metric ${metric} is a ${actual}, but a ${sli} SLI needs a ${expected}`);

/** A latency threshold that is not exactly one of the histogram's bucket bounds. */
export const NotABucketBound = createError('SL_ERR_SLO_NOT_A_BUCKET_BOUND',
  (metric: string, threshold: number, bounds: readonly number[]) =>
    `latency threshold ${threshold} is not a bucket bound of histogram ${metric}: use one of ${bounds.join(', ')} (or add ${threshold} to its buckets)`);

/** An SLO file that cannot be read or is not valid YAML/JSON. */
export const SloFileError = createError('SL_ERR_SLO_FILE',
  (path: string, why: string) => `cannot load SLO file ${JSON.stringify(path)}: ${why}`);

/** A value of `sightline()`'s `slo` option (`objectives`, `store`, `interval`, `minEvents`) of the wrong type or range. */
export const InvalidSloOption = createError('SL_ERR_SLO_INVALID_OPTION',
  (why: string) => `invalid slo option: ${why}`);

/** A value as it appears in a message: strings quoted, everything else as JSON or its type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return '(missing)';
  if (Array.isArray(value)) return '(an array)';
  return `(${typeof value})`;
}
