/**
 * The coded errors of the SLO stores (docs/errors.md, "SLOs"): a store spec that is not one of
 * the known forms, a driver that is not installed, a store that cannot be opened, a SQLite file
 * another process already uses.
 */
import { createError } from '../errors.js';

export const InvalidStore = createError(
  'SL_ERR_SLO_INVALID_STORE',
  (detail: string) => `${detail}: use 'memory', 'sqlite:<path>' (default sqlite:./.sightline/slo.sqlite) or 'redis://host:port/db' ('rediss://' for TLS)`,
);

export const StoreUnavailable = createError(
  'SL_ERR_SLO_STORE_UNAVAILABLE',
  (what: string, install: string) => `${what}: install it with \`${install}\``,
);

export const StoreOpenFailed = createError('SL_ERR_SLO_STORE_OPEN_FAILED', (detail: string) => detail);

export const StoreInUse = createError(
  'SL_ERR_SLO_STORE_IN_USE',
  (path: string) => `the SLO store ${path} is used by another process (or another store in this one): give each process its own file, or share state across processes with a redis:// store`,
);
