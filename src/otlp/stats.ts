/**
 * Why items (spans or log records) were not delivered:
 * - `queue_full`: the exporter's bounded queue was full;
 * - `shutdown`: handed over after the exporter was shut down;
 * - `export_failed`: the collector answered 5xx, the connection failed, or retryable answers
 *   (429, 502, 503, 504) went on until the export timeout;
 * - `rejected`: the collector refused them: a 4xx answer (other than 429), or the count a 2xx
 *   answer's `partialSuccess` gives;
 * - `timeout`: no answer within the export timeout.
 */
export type OtlpDropReason = (typeof DROP_REASONS)[number];

/** Every reason, in the order the self-metrics list them. */
export const DROP_REASONS = ['queue_full', 'shutdown', 'export_failed', 'rejected', 'timeout'] as const;

/**
 * Counters of one OTLP exporter, the source of the `sightline_otlp_*` self-metrics. Items are
 * spans or log records. Every item handed to an exporter ends in exactly one of `exported` or
 * `droppedBy[reason]` (or is still `queued`); `rejected`, `dropped` and `failed` group the reasons.
 */
export interface OtlpExportStats {
  /** `traces` or `logs`. */
  readonly signal: 'traces' | 'logs';
  /** Items the collector accepted. */
  exported: number;
  /** Items not delivered, by reason; their sum is `rejected + dropped + failed`. */
  droppedBy: Record<OtlpDropReason, number>;
  /** Items the collector refused (`droppedBy.rejected`): a 4xx answer, or `partialSuccess`. */
  rejected: number;
  /** Items never sent (`queue_full` + `shutdown`). */
  dropped: number;
  /** Items given up on (`export_failed` + `timeout`). */
  failed: number;
  /** HTTP requests made (every attempt). */
  requests: number;
  /** Attempts by answer: the HTTP status (`'200'`, `'500'`…), `'network'` or `'timeout'`. */
  responses: Record<string, number>;
  /** Attempts that were retries. */
  retries: number;
  /** Attempts that failed (refused connection, 5xx, timeout…). */
  failedRequests: number;
  /** Items currently held (waiting or in flight). */
  queued: number;
}

/** What an exporter counts as it goes; the group totals of {@link OtlpExportStats} derive from `droppedBy`. */
export type OtlpCounters = Omit<OtlpExportStats, 'rejected' | 'dropped' | 'failed'>;

export function newStats(signal: 'traces' | 'logs'): OtlpCounters {
  return {
    signal,
    exported: 0,
    droppedBy: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<OtlpDropReason, number>,
    requests: 0,
    responses: {},
    retries: 0,
    failedRequests: 0,
    queued: 0,
  };
}

/** Counts `n` items not delivered for `reason`. */
export function countDropped(stats: OtlpCounters, reason: OtlpDropReason, n: number): void {
  if (n > 0) stats.droppedBy[reason] += n;
}

/** A copy safe to hand out (the nested records too), with the group totals. */
export function copyStats(stats: OtlpCounters): OtlpExportStats {
  const d = stats.droppedBy;
  return {
    ...stats,
    droppedBy: { ...d },
    responses: { ...stats.responses },
    rejected: d.rejected,
    dropped: d.queue_full + d.shutdown,
    failed: d.export_failed + d.timeout,
  };
}
