/** The OTLP drop reasons, for Sightline's self-metrics. Reached as `#internal/otlp`. */
export { DROP_REASONS } from './stats.js';
