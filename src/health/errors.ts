import { createError, createUnknownOptionError } from '../errors.js';

/** An option key that no health, check, shutdown or crash-capture option has. */
export const UnknownOption = createUnknownOptionError('SL_ERR_HEALTH_UNKNOWN_OPTION');

export const DuplicateCheck = createError('SL_ERR_HEALTH_DUPLICATE_CHECK',
  (name: string) => `a health check named ${JSON.stringify(name)} is already registered: give each check a unique name (or unregister the old one first)`);

export const InvalidCheck = createError('SL_ERR_HEALTH_INVALID_CHECK',
  (why: string) => `invalid health check: ${why}`);

export const InvalidOption = createError('SL_ERR_HEALTH_INVALID_OPTION',
  (why: string) => `invalid health option: ${why}`);

export const InvalidShutdownOption = createError('SL_ERR_HEALTH_SHUTDOWN_OPTION',
  (why: string) => `invalid graceful-shutdown option: ${why}`);

export const InvalidCrashOption = createError('SL_ERR_HEALTH_CRASH_OPTION',
  (why: string) => `invalid crash-capture option: ${why}`);
