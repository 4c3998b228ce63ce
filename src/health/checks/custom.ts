import type { HealthCheck } from '../health.js';
import { InvalidCheck } from '../errors.js';
import type { CheckFunction } from '../result.js';

/**
 * Wraps any async function as a check, with its component type and measurement.
 * @example
 * health.register({ name: 'queue', check: customCheck(async () => ({ status: depth < 1000 ? 'pass' : 'warn', observedValue: depth, observedUnit: 'jobs' }), { measurement: 'depth' }) });
 */
export function customCheck(fn: CheckFunction, options: { componentType?: string; measurement?: string; dependency?: boolean } = {}): HealthCheck {
  if (typeof fn !== 'function') throw InvalidCheck('check', 'customCheck needs a function');
  return { run: fn, ...options };
}
