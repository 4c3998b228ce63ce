/** Option key lists of health, for `sightline()`'s own checks. Reached as `#internal/health`. */
export { HEALTH_OPTION_KEYS } from './health.js';
export { SHUTDOWN_OPTION_KEYS } from './shutdown.js';
