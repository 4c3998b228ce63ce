/**
 * `sightline`: one import for logs, metrics, traces, health, SLOs and alerts.
 */
export { SightlineError, definedErrorCodes } from './errors.js';
