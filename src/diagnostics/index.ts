/**
 * The one way a running pillar reports a problem: `report()` counts it by (pillar, reason) for
 * `sightline_internal_errors_total{pillar,reason}`, publishes it on the `sightline:internal-error`
 * diagnostics channel, and writes one `sightline: <message>` line to stderr per distinct key for
 * the life of the process. It never throws. This module sits below every pillar and imports none.
 */
import { channel } from 'node:diagnostics_channel';
import { INTERNAL_ERROR_CHANNEL } from './channels.js';

/**
 * The reasons each pillar may report. Code-chosen constants, never user data, so the label set of
 * `sightline_internal_errors_total` stays bounded.
 */
export interface Reasons {
  log:
    | 'call_failed' // a log call threw inside the logger; its line is lost
    | 'line_dropped' // a destination's buffer or queue was full (or it was closed)
    | 'writer_thread_failed' // the log writer thread died; destinations write synchronously
    | 'writer_failed' // the writer thread failed handling a message
    | 'destination_failed' // a batch could not be written; it went to stderr
    | 'destination_open_failed'
    | 'destination_reopen_failed'
    | 'destination_unreachable' // a network destination lost its server
    | 'rotation_failed'
    | 'compress_failed';
  trace: 'bad_env' | 'bad_config' | 'export_failed' | 'processor_failed';
  otlp: 'bad_env' | 'export_failed';
  http: 'instrumentation_failed' | 'client_already_enabled';
  health: 'shutdown_backstop';
  admin: 'unprotected' | 'listen_failed';
}

export type Pillar = keyof Reasons;

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
  /** `false`: count and publish only (the caller printed, or decides itself when to print). */
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
    const key = options?.key ?? id;
    if (printed.has(key)) return;
    printed.add(key);
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
