/**
 * Every `node:diagnostics_channel` name Sightline publishes or subscribes to, defined once.
 * docs/errors.md ("Diagnostics channels") lists them for users.
 */

/** Published for every run-time problem a pillar reports: `{ pillar, reason, message, error }`. */
export const INTERNAL_ERROR_CHANNEL = 'sightline:internal-error';
/** Published by the logger for error/fatal lines that carry an Error: `{ error, level, msg }`. */
export const LOG_ERROR_CHANNEL = 'sightline:log:error';
/** Published by the HTTP server instrumentation for errors thrown by handlers: `{ error, traceId }`. */
export const HTTP_ERROR_CHANNEL = 'sightline:http:error';

/** Channels of undici (fetch) and of node:http that the HTTP client instrumentation subscribes to. */
export const UNDICI_REQUEST_CREATE = 'undici:request:create';
export const UNDICI_REQUEST_HEADERS = 'undici:request:headers';
export const UNDICI_REQUEST_TRAILERS = 'undici:request:trailers';
export const UNDICI_REQUEST_ERROR = 'undici:request:error';
export const HTTP_CLIENT_RESPONSE_FINISH = 'http.client.response.finish';
export const HTTP_CLIENT_REQUEST_ERROR = 'http.client.request.error';
