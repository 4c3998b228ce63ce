import { statfs } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { HealthCheck } from '../health.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { InvalidCheck, UnknownOption } from '../errors.js';
import type { HealthStatus } from '../result.js';

function threshold(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw InvalidCheck(field, `${field} must be a non-negative number`);
  return v;
}

function level(value: number, warnAt: number, failAt: number): HealthStatus {
  return value >= failAt ? 'fail' : value >= warnAt ? 'warn' : 'pass';
}

/** Options of {@link diskSpaceCheck}. */
export interface DiskSpaceOptions {
  /** A path on the filesystem to watch (default the working directory). */
  path?: string;
  /** Warn when less than this many bytes are free to unprivileged users (default 1 GiB). */
  warnBelowBytes?: number;
  /** Fail below this (default 256 MiB). */
  failBelowBytes?: number;
}

const DISK_OPTION_KEYS = optionKeys<DiskSpaceOptions>()(['path', 'warnBelowBytes', 'failBelowBytes']);

/**
 * Free disk space (fs.statfs, blocks available to unprivileged users). Observed value: free bytes.
 * @example
 * health.register({ name: 'disk', check: diskSpaceCheck({ path: '/var/lib/app' }), critical: false });
 */
export function diskSpaceCheck(options: DiskSpaceOptions = {}): HealthCheck {
  checkOptionKeys(options, DISK_OPTION_KEYS, UnknownOption, 'diskSpaceCheck()');
  const path = options.path ?? process.cwd();
  if (typeof path !== 'string' || path === '') throw InvalidCheck('path', 'path must be a non-empty string');
  const warnBelow = threshold(options.warnBelowBytes, 'warnBelowBytes', 1024 ** 3);
  const failBelow = threshold(options.failBelowBytes, 'failBelowBytes', 256 * 1024 ** 2);
  return {
    componentType: 'system',
    measurement: 'free',
    run: async () => {
      const s = await statfs(path);
      const free = s.bavail * s.bsize;
      const status: HealthStatus = free < failBelow ? 'fail' : free < warnBelow ? 'warn' : 'pass';
      return { status, observedValue: free, observedUnit: 'bytes', ...(status === 'pass' ? {} : { output: `${free} bytes free, threshold ${status === 'fail' ? failBelow : warnBelow}` }) };
    },
  };
}

/** Options of {@link eventLoopDelayCheck}. */
export interface EventLoopDelayOptions {
  /** Warn when the p99 delay since the previous run reaches this (ms, default 200). */
  warnMs?: number;
  /** Fail at this (ms, default 1000). */
  failMs?: number;
}

const EVENT_LOOP_OPTION_KEYS = optionKeys<EventLoopDelayOptions>()(['warnMs', 'failMs']);

/**
 * Event-loop delay (perf_hooks.monitorEventLoopDelay): p99 since the previous run, in ms. Local,
 * so it may feed liveness.
 * @example
 * health.register({ name: 'eventloop', check: eventLoopDelayCheck({ failMs: 2000 }), probes: ['liveness', 'readiness'] });
 */
export function eventLoopDelayCheck(options: EventLoopDelayOptions = {}): HealthCheck {
  checkOptionKeys(options, EVENT_LOOP_OPTION_KEYS, UnknownOption, 'eventLoopDelayCheck()');
  const warnMs = threshold(options.warnMs, 'warnMs', 200);
  const failMs = threshold(options.failMs, 'failMs', 1000);
  const h = monitorEventLoopDelay({ resolution: 20 });
  h.enable();
  return {
    componentType: 'system',
    measurement: 'delay',
    run: () => {
      const p99 = h.count === 0 ? 0 : h.percentile(99) / 1e6;
      h.reset();
      const v = Math.round(p99 * 1000) / 1000;
      const status = level(v, warnMs, failMs);
      return Promise.resolve({ status, observedValue: v, observedUnit: 'ms', ...(status === 'pass' ? {} : { output: `event-loop delay p99 ${v} ms` }) });
    },
  };
}

/** Options of {@link heapCheck}. */
export interface HeapOptions {
  /** Warn when used heap reaches this percent of the heap limit (default 85). */
  warnPercent?: number;
  /** Fail at this percent (default 95). */
  failPercent?: number;
}

const HEAP_OPTION_KEYS = optionKeys<HeapOptions>()(['warnPercent', 'failPercent']);

/**
 * Heap usage: used heap as a percent of V8's heap size limit. Local, so it may feed liveness.
 * @example
 * health.register({ name: 'heap', check: heapCheck(), probes: ['liveness'], critical: false });
 */
export function heapCheck(options: HeapOptions = {}): HealthCheck {
  checkOptionKeys(options, HEAP_OPTION_KEYS, UnknownOption, 'heapCheck()');
  const warnAt = threshold(options.warnPercent, 'warnPercent', 85);
  const failAt = threshold(options.failPercent, 'failPercent', 95);
  return {
    componentType: 'system',
    measurement: 'utilization',
    run: () => {
      const s = getHeapStatistics();
      const pct = Math.round((s.used_heap_size / s.heap_size_limit) * 10000) / 100;
      const status = level(pct, warnAt, failAt);
      return Promise.resolve({ status, observedValue: pct, observedUnit: 'percent', ...(status === 'pass' ? {} : { output: `heap ${pct}% of limit` }) });
    },
  };
}
