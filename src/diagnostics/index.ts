/**
 * The one way a running pillar reports a problem: `report()` counts it by (pillar, reason) for
 * `sightline_internal_errors_total{pillar,reason}`, publishes it on the `sightline:internal-error`
 * diagnostics channel, and writes one `sightline: <message>` line to stderr per distinct key for
 * the life of the process. It never throws. This module sits below every pillar and imports none.
 */
import { channel } from 'node:diagnostics_channel';
import { INTERNAL_ERROR_CHANNEL } from './channels.js';

/**
 * The reasons each pillar may report (docs/errors.md, "Run-time problems", describes each).
 * Code-chosen constants, never user data, so the label set of `sightline_internal_errors_total`
 * stays bounded. A new pillar (SLO, alerts and their notifiers) adds its own list here.
 */
export const REASONS = {
  log: [
    'call_failed',
    'line_dropped',
    'writer_thread_failed',
    'writer_failed',
    'destination_failed',
    'destination_open_failed',
    'destination_reopen_failed',
    'destination_unreachable',
    'rotation_failed',
    'compress_failed',
  ],
  trace: ['bad_env', 'bad_config', 'export_failed', 'processor_failed'],
  otlp: ['bad_env', 'export_failed'],
  http: ['instrumentation_failed', 'client_already_enabled'],
  health: ['shutdown_backstop'],
  admin: ['unprotected', 'listen_failed'],
  slo: [
    'bad_metric',
    'store_open_failed',
    'store_pull_failed',
    'store_save_failed',
    'tick_failed',
    'store_failed',
    'store_reset',
  ],
} as const;

export type Pillar = keyof typeof REASONS;

/** The reasons of each pillar, as types. */
export type Reasons = { [P in Pillar]: (typeof REASONS)[P][number] };

/** What is published on the `sightline:internal-error` channel for each report. */
export interface InternalError {
  pillar: Pillar;
  reason: string;
  message: string;
  /** The thrown value behind the problem, when there is one. */
  error?: unknown;
}

/** How `report` prints; by default one line per `pillar:reason` for the life of the process. */
export interface ReportOptions {
  /** Prints once per this key instead of once per `pillar:reason` (e.g. per bad value). */
  key?: string;
  /**
   * `false`: count and publish only; `true`: print whatever the key (for callers that decide
   * themselves, e.g. once per destination rather than once per process).
   */
  print?: boolean;
  /** The thrown value behind the problem (published, not printed). */
  error?: unknown;
}

interface Entry {
  readonly pillar: Pillar;
  readonly reason: string;
  count: number;
}

const counts = new Map<string, Entry>();
const printed = new Set<string>();
const published = channel(INTERNAL_ERROR_CHANNEL);

/**
 * Reports a run-time problem of `pillar`: counted, published, and printed to stderr as
 * `sightline: <message>` the first time its key is seen. Never throws.
 * @example
 * report('log', 'call_failed', `a log call failed internally (${e}); the line was dropped`, { error: e });
 */
export function report<P extends Pillar>(pillar: P, reason: Reasons[P], message: string, options?: ReportOptions): void {
  try {
    const id = `${pillar}:${reason}`;
    const entry = counts.get(id);
    if (entry === undefined) counts.set(id, { pillar, reason, count: 1 });
    else entry.count++;
    if (published.hasSubscribers) {
      const event: InternalError = { pillar, reason, message };
      if (options?.error !== undefined) event.error = options.error;
      published.publish(event);
    }
    if (options?.print === false) return;
    if (options?.print !== true) {
      const key = options?.key ?? id;
      if (printed.has(key)) return;
      printed.add(key);
    }
    process.stderr.write(`sightline: ${message}\n`);
  } catch {
    // stderr closed: the problem stays counted
  }
}

/** One counted (pillar, reason) pair. */
export interface InternalErrorCount {
  readonly pillar: Pillar;
  readonly reason: string;
  readonly count: number;
}

/**
 * Every problem reported so far in this process, by pillar and reason (what
 * `sightline_internal_errors_total` exposes).
 * @example
 * internalErrorCounts(); // [{ pillar: 'log', reason: 'call_failed', count: 2 }]
 */
export function internalErrorCounts(): InternalErrorCount[] {
  return [...counts.values()].map((e) => ({ pillar: e.pillar, reason: e.reason, count: e.count }));
}
