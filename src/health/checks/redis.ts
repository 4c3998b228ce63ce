import type { HealthCheck } from '../health.js';
import { InvalidCheck } from '../errors.js';

/**
 * What the check needs of an `ioredis` or `redis` (node-redis) client, structurally. `status`
 * (ioredis) and `isReady` (node-redis) let the check fail at once while the client reconnects,
 * instead of queueing a PING behind the offline queue.
 */
export interface RedisPingable {
  ping(): Promise<unknown>;
  status?: string;
  isReady?: boolean;
}

/**
 * A Redis check: `PING`, expecting `PONG`.
 * @example
 * import Redis from 'ioredis';
 * health.register({ name: 'redis', check: redisCheck(new Redis()), critical: false });
 */
export function redisCheck(client: RedisPingable): HealthCheck {
  if (typeof client !== 'object' || client === null || typeof client.ping !== 'function') {
    throw InvalidCheck('check', 'redisCheck needs an ioredis or node-redis client (an object with ping())');
  }
  return {
    componentType: 'datastore',
    measurement: 'responseTime',
    dependency: true,
    run: async () => {
      const status = client.status;
      if (typeof status === 'string' && status !== 'ready') throw new Error(`redis client not connected (status ${status})`);
      if (client.isReady === false) throw new Error('redis client not connected (isReady false)');
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(String(reply)).slice(0, 60)}`);
    },
  };
}
