import { LEVELS } from './destination.js';
import type { CanonicalLevelName, LevelName } from './destination.js';
import { InvalidLevel } from './errors.js';
import { envString } from '../env.js';
import type { Env } from '../env.js';

/** A level as an option: a level name (aliases included) or `silent`. */
export type LevelOption = LevelName | 'silent';

/**
 * The aliases and the canonical level each stands for. `warning` is syslog's and Python's name
 * for warn; `critical` is syslog severity 2 (crit), which is what fatal maps to (and Python's
 * CRITICAL is its highest level, as fatal is ours), so neither needs a level of its own.
 */
const ALIASES: Readonly<Record<string, CanonicalLevelName>> = Object.freeze({ warning: 'warn', critical: 'fatal' });

/**
 * Validates a level name (case-insensitive, surrounding spaces ignored) and returns its canonical
 * name (`WARNING` → `warn`); throws SL_ERR_LOG_INVALID_LEVEL naming `field`.
 */
export function parseLevelName(v: unknown, field: string): CanonicalLevelName | 'silent' {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (typeof s === 'string' && Object.hasOwn(LEVELS, s)) return ALIASES[s] ?? (s as CanonicalLevelName | 'silent');
  throw InvalidLevel(field, v);
}

/**
 * The default level: the `level` option, else `LOG_LEVEL`, else from `NODE_ENV`:
 * development → debug, test and staging → info, production → warn, anything else (or unset) → info.
 * The result is a canonical name (`warning` → `warn`, `critical` → `fatal`).
 */
export function resolveLevel(option: unknown, env: Env = process.env): CanonicalLevelName | 'silent' {
  if (option !== undefined) return parseLevelName(option, 'level');
  const fromEnv = envString(env, 'LOG_LEVEL');
  if (fromEnv !== undefined) return parseLevelName(fromEnv, 'LOG_LEVEL');
  switch (envString(env, 'NODE_ENV')?.toLowerCase()) {
    case 'development':
    case 'dev':
      return 'debug';
    case 'production':
    case 'prod':
      return 'warn';
    default:
      return 'info';
  }
}
