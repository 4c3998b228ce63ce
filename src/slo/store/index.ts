/**
 * Store specs (`slo.store`): parsing the string form and making the store it names.
 *
 * - `'memory'` — nothing kept across restarts;
 * - `'sqlite:<path>'` — this process' minutes in a SQLite file (the default,
 *   `sqlite:./.sightline/slo.sqlite`); needs `better-sqlite3`;
 * - `'redis://[user:password@]host[:port][/db]'` or `'rediss://…'` — one fleet-wide state; needs `ioredis`.
 */
import type { SloStore } from '../types.js';
import { InvalidStore, StoreUnavailable } from '../store-errors.js';
import { MemoryStore } from './memory.js';
import type { StoreLogger } from './outage.js';
import { parseRedisUrl, redactUrl, RedisStore } from './redis.js';
import { SQLITE_INSTALL, SqliteStore, loadSqliteDriver } from './sqlite.js';

/** The store used when `slo.store` is not given. */
export const DEFAULT_STORE_SPEC = 'sqlite:./.sightline/slo.sqlite';

/** A parsed store spec. `description` never contains a password. */
export type StoreSpec =
  | { readonly kind: 'memory'; readonly description: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string; readonly description: string }
  | { readonly kind: 'redis'; readonly url: string; readonly description: string };

/**
 * Parses a store spec; `undefined` is the default (`sqlite:./.sightline/slo.sqlite`). Anything
 * else than the three forms throws SL_ERR_SLO_INVALID_STORE naming `field`.
 * @example
 * parseStoreSpec('sqlite:/var/lib/app/slo.sqlite'); // { kind: 'sqlite', path: '/var/lib/app/slo.sqlite', … }
 * parseStoreSpec('redis://:secret@10.0.0.5:6379/2').description; // 'redis://10.0.0.5:6379/2'
 */
export function parseStoreSpec(spec: unknown, field = 'slo.store'): StoreSpec {
  if (spec === undefined) return parseStoreSpec(DEFAULT_STORE_SPEC, field);
  if (typeof spec !== 'string') throw InvalidStore(field, `the store must be a string, not ${spec === null ? 'null' : typeof spec}`);
  if (spec === 'memory') return { kind: 'memory', description: 'memory' };
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path.trim() === '') throw InvalidStore(field, '"sqlite:" needs a file path (sqlite:./.sightline/slo.sqlite)');
    if (path.includes('\0')) throw InvalidStore(field, 'the sqlite: path contains a NUL character');
    return { kind: 'sqlite', path, description: spec };
  }
  if (/^rediss?:\/\//i.test(spec)) {
    const target = parseRedisUrl(spec, field);
    return { kind: 'redis', url: spec, description: target.description };
  }
  const shown = spec.length > 80 ? `${spec.slice(0, 80)}…` : spec;
  throw InvalidStore(field, `unknown store ${JSON.stringify(redactUrl(shown))}`);
}

export interface OpenStoreOptions {
  /** `true` when the user configured the store; `false` when it is the default. */
  explicit: boolean;
  /** Called once when the default SQLite store falls back to memory (better-sqlite3 missing). */
  warn: (message: string) => void;
  /** Given to the SQLite and Redis stores for their recovery messages. */
  logger?: StoreLogger;
  /** Field named in errors (default `slo.store`). */
  field?: string;
  /** Redis: this process' instance id (default `<hostname>-<pid>-<random>`). */
  instanceId?: string;
}

/**
 * Makes the store a spec names, synchronously, checking its driver now: a configured
 * `sqlite:` without `better-sqlite3`, or `redis://` without `ioredis`, throws
 * SL_ERR_SLO_STORE_UNAVAILABLE; the default SQLite store without `better-sqlite3` becomes a
 * memory store and `warn` is called once with the install command.
 * @example
 * const store = openStoreSpec(parseStoreSpec(options.store), { explicit: options.store !== undefined, warn: (m) => log.warn(m) });
 */
export function openStoreSpec(spec: StoreSpec, options: OpenStoreOptions): SloStore {
  const field = options.field ?? 'slo.store';
  switch (spec.kind) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite': {
      const d = loadSqliteDriver();
      if ('error' in d) {
        if (options.explicit) throw StoreUnavailable(field, `the SQLite SLO store (${spec.description}) needs better-sqlite3 (${d.error})`, SQLITE_INSTALL);
        options.warn(
          `SLO state is kept in memory only (lost on restart): the default store ${spec.description} needs better-sqlite3 (${d.error}); install it with \`${SQLITE_INSTALL}\`, or set slo.store to 'memory' to silence this`,
        );
        return new MemoryStore();
      }
      return new SqliteStore(spec.path, { logger: options.logger }, field);
    }
    case 'redis':
      return new RedisStore(spec.url, { logger: options.logger, instanceId: options.instanceId }, field);
  }
}

export { MemoryStore } from './memory.js';
export { SqliteStore, sqliteAvailable, SQLITE_INSTALL, SQLITE_SCHEMA_VERSION } from './sqlite.js';
export type { SqliteStoreOptions } from './sqlite.js';
export { RedisStore, parseRedisUrl, redactUrl, REDIS_INSTALL } from './redis.js';
export type { RedisStoreOptions, RedisTarget } from './redis.js';
export type { StoreLogger } from './outage.js';
