/**
 * `sightline/http`: HTTP server instrumentation (node:http, Express, Fastify) and client
 * instrumentation (fetch, http.request): request ids, W3C trace context, SERVER and CLIENT spans,
 * RED metrics and one log line per request, all on the shared request context.
 * @example
 * import { sightline } from 'sightline';
 * const obs = sightline({ service: 'checkout' });
 * app.use(obs.express());              // or await app.register(obs.fastify), or obs.handler(fn)
 */
export { createHttpInstrumentation } from './instrumentation.js';
export type { HttpInstrumentation, HttpInstrumentationOptions } from './instrumentation.js';
export { DEFAULT_EXCLUDE, CREDENTIAL_HEADERS } from './options.js';
export type { HttpServerOptions, EnrichHook } from './options.js';
export { HttpClientInstrumentation } from './client.js';
export type { HttpClientOptions, ClientDeps } from './client.js';
export { routeMatcher } from './route-matcher.js';
export type { RouteMatcher } from './route-matcher.js';
export { isValidRequestId, MAX_REQUEST_ID_LENGTH } from './request-id.js';
export { HTTP_DURATION_BUCKETS } from './server-metrics.js';
export { UNMATCHED_ROUTE } from './server.js';
export type { ExpressMiddleware, ExpressErrorMiddleware } from './express.js';
export type { FastifyPlugin } from './fastify.js';
