/**
 * Configuration errors of `sightline()` itself (the pillars' own options throw their own codes).
 */
import { createError, createUnknownOptionError } from '../errors.js';

/** A top-level option has the wrong type or value. */
export const InvalidConfig = createError('SL_ERR_CONFIG_INVALID_OPTION', (what: string) => what);

/** A key that no `sightline()` option (top level, `metrics`, `trace`, `health`…) or admin option has. */
export const UnknownConfigOption = createUnknownOptionError('SL_ERR_CONFIG_UNKNOWN_OPTION');
