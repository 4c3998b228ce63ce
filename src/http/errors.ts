/**
 * Error codes of `sightline/http` (configuration time only; nothing here throws at run time).
 */
import { createError, createUnknownOptionError } from '../errors.js';

/** An option key that no HTTP instrumentation option has (a typo, or another pillar's option). */
export const UnknownOption = createUnknownOptionError('SL_ERR_HTTP_UNKNOWN_OPTION');

/** An HTTP instrumentation option has the wrong type or value. */
export const InvalidHttpOption = createError('SL_ERR_HTTP_INVALID_OPTION', (what: string) => what);

/** `handler(listener)` got something that is not a request listener. */
export const InvalidListener = createError(
  'SL_ERR_HTTP_INVALID_LISTENER',
  () => 'handler(listener) needs a function (req, res) => void, as http.createServer takes',
);

/** A route pattern given to `routeMatcher` is malformed. */
export const InvalidRoute = createError(
  'SL_ERR_HTTP_INVALID_ROUTE',
  (pattern: string, why: string) => `route pattern ${JSON.stringify(pattern)} is invalid: ${why}; use paths such as /users/:id or /files/*`,
);
