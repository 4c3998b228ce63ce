/**
 * `sightline`: one import for logs, metrics, traces, health, SLOs and alerts.
 * @example
 * import { sightline } from 'sightline';
 * const obs = sightline({ service: 'checkout' });
 * app.use(obs.express());
 */
export { SightlineError, definedErrorCodes } from './errors.js';
export { internalErrorCounts } from './diagnostics/index.js';
export type { InternalError, InternalErrorCount, Pillar, Reasons } from './diagnostics/index.js';
export { INTERNAL_ERROR_CHANNEL, LOG_ERROR_CHANNEL, HTTP_ERROR_CHANNEL } from './diagnostics/channels.js';
export { sightline } from './sightline/create.js';
export type { Sightline } from './sightline/create.js';
export type { SightlineOptions, SightlineMetricsOptions, SightlineTraceOptions, SightlineHealthOptions } from './sightline/options.js';
export { AdminServer } from './admin/index.js';
export type { AdminAccess, AdminOptions, AdminHandler, AdminRouteOptions } from './admin/index.js';
