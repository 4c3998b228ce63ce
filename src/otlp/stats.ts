/**
 * Counters of one OTLP exporter, the source of the `sightline_otlp_*` self-metrics. Items are
 * spans or log records. Every item handed to an exporter ends in exactly one of `exported`,
 * `rejected`, `dropped` or `failed` (or is still `queued`).
 */
export interface OtlpExportStats {
  /** `traces` or `logs`. */
  readonly signal: 'traces' | 'logs';
  /** Items the collector accepted. */
  exported: number;
  /** Items the collector refused in a 200 answer with `partialSuccess` (not retried). */
  rejected: number;
  /** Items never sent: the exporter's bounded queue was full, or it was shut down. */
  dropped: number;
  /** Items given up on: non-retryable answer, or retries ran out of the export timeout. */
  failed: number;
  /** HTTP requests made (every attempt). */
  requests: number;
  /** Attempts that were retries. */
  retries: number;
  /** Attempts that failed (refused connection, 5xx, timeout…). */
  failedRequests: number;
  /** Items currently held (waiting or in flight). */
  queued: number;
}

export function newStats(signal: 'traces' | 'logs'): OtlpExportStats {
  return { signal, exported: 0, rejected: 0, dropped: 0, failed: 0, requests: 0, retries: 0, failedRequests: 0, queued: 0 };
}
