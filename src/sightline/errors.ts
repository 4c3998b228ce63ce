/**
 * Configuration errors of `sightline()` itself (the pillars' own options throw their own codes).
 */
import { createError } from '../errors.js';

/** A top-level option has the wrong type or value. */
export const InvalidConfig = createError('SL_ERR_CONFIG_INVALID_OPTION', (what: string) => what);

export { UnknownConfigOption } from '../admin/errors.js';
