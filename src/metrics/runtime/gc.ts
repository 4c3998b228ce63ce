/**
 * GC pause durations by kind, from a PerformanceObserver on 'gc' entries. The observer is called
 * with batches: every entry of a batch is recorded (prom-client reads only the first entry of each
 * batch, so bursts of collections under load go missing from its histogram).
 */
import { constants, PerformanceObserver, type PerformanceObserverEntryList } from 'node:perf_hooks';
import type { Histogram } from '../histogram.js';

/** prom-client's buckets for `nodejs_gc_duration_seconds` (seconds). */
export const DEFAULT_GC_BUCKETS: readonly number[] = [0.001, 0.01, 0.1, 1, 2, 5];

const KINDS = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/** The `kind` label of a GC entry: major, minor, incremental, weakcb (or unknown). */
export function gcKind(entry: object): string {
  const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | null | undefined)?.kind;
  return (kind === undefined ? undefined : KINDS.get(kind)) ?? 'unknown';
}

/** Records every entry of one observer batch into the histogram. */
export function recordGcEntries(histogram: Histogram, list: PerformanceObserverEntryList): void {
  for (const entry of list.getEntries()) {
    // PerformanceEntry durations are in milliseconds.
    histogram.labels({ kind: gcKind(entry) }).observe(entry.duration / 1000);
  }
}

/** Starts observing GC; returns the function that stops it. */
export function observeGc(histogram: Histogram): () => void {
  const observer = new PerformanceObserver((list) => recordGcEntries(histogram, list));
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
