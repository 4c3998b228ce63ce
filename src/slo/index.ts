/**
 * `sightline/slo`: SLO definitions, error budgets, burn rates and their alert conditions, kept in
 * the process (memory or SQLite) or across a fleet (Redis), and the same SLOs as Prometheus rules.
 */
export type * from './types.js';
export { BURN_CONDITIONS, BUDGET_CONSUMED, BUDGET_HYSTERESIS, DEFAULT_MIN_EVENTS, burnFactor } from './windows.js';
export { resolveSlos, loadSloFile, checkSlosAgainstRegistry, missingMetrics } from './definition.js';
export { parseSloDuration, formatPromDuration } from './duration.js';
export { SloEngine } from './engine.js';
export type { SloEngineOptions } from './engine.js';
export { prometheusRules, prometheusRulesFor } from './rules.js';
export { SqliteStore, RedisStore, MemoryStore, parseStoreSpec, openStoreSpec, DEFAULT_STORE_SPEC } from './store/index.js';
export type { StoreSpec, OpenStoreOptions, SqliteStoreOptions, RedisStoreOptions, StoreLogger } from './store/index.js';
export { createSlo } from './create.js';
export type { Slo, SloContext, SloOptions } from './create.js';
