import { LEVELS } from './destination.js';
import type { LevelName } from './destination.js';
import { InvalidLevel } from './errors.js';
import { envString } from '../env.js';
import type { Env } from '../env.js';

export type LevelOption = LevelName | 'silent';

/** Validates a level name (case-insensitive); throws SL_ERR_LOG_INVALID_LEVEL naming `field`. */
export function parseLevelName(v: unknown, field: string): LevelOption {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (typeof s === 'string' && Object.hasOwn(LEVELS, s)) return s as LevelOption;
  throw InvalidLevel(field, v);
}

/**
 * The default level: the `level` option, else `LOG_LEVEL`, else from `NODE_ENV`:
 * development → debug, test and staging → info, production → warn, anything else (or unset) → info.
 */
export function resolveLevel(option: unknown, env: Env = process.env): LevelOption {
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
