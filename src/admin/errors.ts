/**
 * Configuration errors of the admin server (part of `sightline()`'s configuration).
 */
import { createError, createUnknownOptionError } from '../errors.js';

/** `admin` is not `false` nor `{ host?, port?, token? }` with valid values. */
export const InvalidAdmin = createError('SL_ERR_CONFIG_INVALID_ADMIN', (what: string) => what);

/**
 * A key that no `sightline()` option (top level, `metrics`, `trace`, `health`…) or admin option
 * has. Defined here, the lowest of the two folders that throw it; `sightline/` re-exports it.
 */
export const UnknownConfigOption = createUnknownOptionError('SL_ERR_CONFIG_UNKNOWN_OPTION');
