/**
 * The admin HTTP server (internal to `sightline()`, exported from `sightline` for users who wire
 * the pillars themselves).
 */
export { AdminServer, resolveAdminOptions } from './server.js';
export type { AdminHandler, AdminOptions, ResolvedAdminOptions } from './server.js';
