import type { HealthCheck } from '../health.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { InvalidCheck, UnknownOption } from '../errors.js';

const CUSTOM_CHECK_OPTION_KEYS = optionKeys<{ componentType?: string; measurement?: string; dependency?: boolean }>()(['componentType', 'measurement', 'dependency']);
import type { CheckFunction } from '../result.js';

/**
 * Wraps any async function as a check, with its component type and measurement.
 * @example
 * health.register({ name: 'queue', check: customCheck(async () => ({ status: depth < 1000 ? 'pass' : 'warn', observedValue: depth, observedUnit: 'jobs' }), { measurement: 'depth' }) });
 */
export function customCheck(fn: CheckFunction, options: { componentType?: string; measurement?: string; dependency?: boolean } = {}): HealthCheck {
  if (typeof fn !== 'function') throw InvalidCheck('check', 'customCheck needs a function');
  checkOptionKeys(options, CUSTOM_CHECK_OPTION_KEYS, UnknownOption, 'customCheck()');
  return { run: fn, ...options };
}
