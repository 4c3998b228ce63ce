/**
 * The admin HTTP server (internal to `sightline()`, exported from `sightline` for users who wire
 * the pillars themselves).
 */
export { AdminServer, resolveAdminOptions } from './server.js';
export type { AdminAccess, AdminHandler, AdminOptions, AdminRouteOptions, ResolvedAdminOptions } from './server.js';
