/**
 * What other pillars need of the metrics beyond `sightline/metrics`: option key lists and the
 * unknown-option error, for `sightline()`'s own checks. Reached as `#internal/metrics`.
 */
export { DEFAULT_METRICS_OPTION_KEYS } from './runtime/defaults.js';
export { REGISTRY_OPTION_KEYS } from './registry.js';
export { UnknownOption } from './errors.js';
export { Counter } from './counter.js';
export { Gauge } from './gauge.js';
export { Histogram } from './histogram.js';
export { Summary } from './summary.js';
