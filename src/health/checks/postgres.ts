import type { HealthCheck } from '../health.js';
import { InvalidCheck } from '../errors.js';

/**
 * What the check needs of a `pg` Pool or Client (structural: `pg` is not a dependency).
 * Both accept a query config object and return a Promise when given no callback.
 */
export interface PgQueryable {
  query(config: { text: string; query_timeout?: number }): Promise<unknown>;
}

/**
 * A PostgreSQL check: `SELECT 1` through the user's `pg` Pool or Client. The query carries a
 * `query_timeout` equal to the check's timeout, so a Pool destroys a client stuck on a dead
 * connection instead of keeping it for the next run.
 * @example
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * health.register({ name: 'postgres', check: postgresCheck(pool), probes: ['readiness', 'startup'] });
 */
export function postgresCheck(client: PgQueryable): HealthCheck {
  if (typeof client !== 'object' || client === null || typeof client.query !== 'function') {
    throw InvalidCheck('check', 'postgresCheck needs a pg Pool or Client (an object with query())');
  }
  return {
    componentType: 'datastore',
    measurement: 'responseTime',
    dependency: true,
    run: async ({ timeoutMs }) => {
      await client.query({ text: 'SELECT 1', query_timeout: timeoutMs });
    },
  };
}
