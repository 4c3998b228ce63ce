/**
 * Configuration errors of the admin server (part of `sightline()`'s configuration).
 */
import { createError } from '../errors.js';

/** `admin` is not `false` nor `{ host?, port?, token? }` with valid values. */
export const InvalidAdmin = createError('SL_ERR_CONFIG_INVALID_ADMIN', (what: string) => what);
