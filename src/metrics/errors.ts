/**
 * Coded configuration errors of `sightline/metrics`. Each is thrown when a metric or registry is
 * defined, never when a value is recorded: recording never throws into user code.
 */
import { createError, createUnknownOptionError } from '../errors.js';

/** An option key that no metrics option or metric definition has (a typo, or another pillar's option). */
export const UnknownOption = createUnknownOptionError('SL_ERR_METRICS_UNKNOWN_OPTION');

export const InvalidMetricName = createError('SL_ERR_METRICS_INVALID_NAME',
  (name: string, why: string) => `invalid metric name "${name}": ${why}; use [a-zA-Z_:][a-zA-Z0-9_:]*`);

export const InvalidLabelName = createError('SL_ERR_METRICS_INVALID_LABEL_NAME',
  (name: string, why: string) => `invalid label name "${name}": ${why}; use [a-zA-Z_][a-zA-Z0-9_]* not starting with "__"`);

export const ReservedLabel = createError('SL_ERR_METRICS_RESERVED_LABEL',
  (name: string) => `label name "${name}" is reserved by the exposition format; rename the label`);

export const DuplicateLabel = createError('SL_ERR_METRICS_DUPLICATE_LABEL',
  (name: string) => `label name "${name}" is listed twice; list each label name once`);

export const TotalSuffix = createError('SL_ERR_METRICS_TOTAL_SUFFIX',
  (name: string, type: string) => `a ${type} must not be named "${name}": the "_total" suffix is for counters; drop the suffix or use a counter`);

export const InvalidHelp = createError('SL_ERR_METRICS_INVALID_HELP',
  (name: string) => `metric "${name}" needs a non-empty help string`);

export const InvalidBuckets = createError('SL_ERR_METRICS_INVALID_BUCKETS',
  (why: string) => `invalid histogram buckets: ${why}; give finite numbers in strictly ascending order`);

export const InvalidPercentiles = createError('SL_ERR_METRICS_INVALID_PERCENTILES',
  (why: string) => `invalid summary percentiles: ${why}; give distinct numbers between 0 and 1`);

export const InvalidOption = createError('SL_ERR_METRICS_INVALID_OPTION',
  (why: string) => `invalid metrics option: ${why}`);

export const MetricConflict = createError('SL_ERR_METRICS_CONFLICT',
  (name: string, why: string) => `metric "${name}" is already defined differently (${why}); define it once with one definition, or use another name`);

export const InvalidFormat = createError('SL_ERR_METRICS_INVALID_FORMAT',
  (format: string) => `unknown exposition format "${format}": use 'text' or 'openmetrics'`);
