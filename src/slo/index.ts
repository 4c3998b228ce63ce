/**
 * `sightline/slo`: SLO definitions, error budgets, burn rates and their alert conditions, kept in
 * the process (memory or SQLite) or across a fleet (Redis), and the same SLOs as Prometheus rules.
 */
export type * from './types.js';
export { BURN_CONDITIONS, BUDGET_CONSUMED, BUDGET_HYSTERESIS, DEFAULT_MIN_EVENTS, burnFactor } from './windows.js';
export { SqliteStore, RedisStore, MemoryStore, parseStoreSpec, openStoreSpec, DEFAULT_STORE_SPEC } from './store/index.js';
export type { StoreSpec, OpenStoreOptions, SqliteStoreOptions, RedisStoreOptions, StoreLogger } from './store/index.js';
