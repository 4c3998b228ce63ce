/**
 * Sightline's own counters (tracer, logger, OTLP exporters, reported run-time problems) exposed
 * as `sightline_*` metrics, read at scrape time.
 */
import { internalErrorCounts } from '../diagnostics/index.js';
import type { Logger } from '../log/index.js';
import type { Counter, Registry } from '../metrics/index.js';
import { DROP_REASONS } from '#internal/otlp';
import type { OtlpExportStats } from '../otlp/index.js';
import type { TracerProvider } from '../trace/index.js';

/** Sets a counter series to an absolute value read elsewhere (counters only move up). */
function setTo(c: Counter, labels: Record<string, string>, value: number): void {
  const child = c.labels(labels);
  const delta = value - child.get();
  if (delta > 0) child.inc(delta);
}

/** Sums the counters of several exporters of one signal. */
function sum(list: readonly OtlpExportStats[]): { exported: number; queued: number; retries: number; droppedBy: Record<string, number>; responses: Record<string, number> } {
  const out = { exported: 0, queued: 0, retries: 0, droppedBy: {} as Record<string, number>, responses: {} as Record<string, number> };
  for (const r of DROP_REASONS) out.droppedBy[r] = 0;
  for (const s of list) {
    out.exported += s.exported;
    out.queued += s.queued;
    out.retries += s.retries;
    for (const r of DROP_REASONS) out.droppedBy[r]! += s.droppedBy[r];
    for (const [code, n] of Object.entries(s.responses)) out.responses[code] = (out.responses[code] ?? 0) + n;
  }
  return out;
}

/** Registers the `sightline_otlp_*` metrics fed by `sources` (read at each scrape). */
function registerOtlp(registry: Registry, sources: () => readonly OtlpExportStats[]): () => void {
  const exported = registry.counter({ name: 'sightline_otlp_exported_total', help: 'Spans (signal="traces") and log records (signal="logs") the OTLP collector accepted.', labelNames: ['signal'], exemplars: false });
  const dropped = registry.counter({
    name: 'sightline_otlp_dropped_total',
    help: 'Spans and log records not delivered over OTLP, by reason: queue_full, shutdown, export_failed (5xx, connection, retries out of time), rejected (4xx, partialSuccess), timeout.',
    labelNames: ['signal', 'reason'],
    exemplars: false,
  });
  const requests = registry.counter({ name: 'sightline_otlp_requests_total', help: 'OTLP HTTP requests (every attempt) by answer: HTTP status, network or timeout.', labelNames: ['signal', 'code'], exemplars: false });
  const retries = registry.counter({ name: 'sightline_otlp_retries_total', help: 'OTLP HTTP requests that were retries.', labelNames: ['signal'], exemplars: false });
  const queued = registry.gauge({ name: 'sightline_otlp_queued_items', help: 'Spans and log records held by OTLP exporters (waiting or in flight).', labelNames: ['signal'] });
  return registry.registerCollector(() => {
    const all = sources();
    for (const signal of ['traces', 'logs'] as const) {
      const list = all.filter((s) => s.signal === signal);
      if (list.length === 0) continue;
      const t = sum(list);
      setTo(exported, { signal }, t.exported);
      for (const reason of DROP_REASONS) setTo(dropped, { signal, reason }, t.droppedBy[reason]!);
      for (const [code, n] of Object.entries(t.responses)) setTo(requests, { signal, code }, n);
      setTo(retries, { signal }, t.retries);
      queued.labels({ signal }).set(t.queued);
    }
  }, { name: 'sightline_otlp' });
}

/**
 * Registers the self-metrics; returns the unregister function. `otlp` lists the counters of the
 * OTLP exporters in use (span exporters and log destinations); with none, no `sightline_otlp_*`
 * metric is defined.
 */
export function registerSelfMetrics(registry: Registry, provider: TracerProvider, log: Logger, otlp: () => readonly OtlpExportStats[] = () => []): () => void {
  const spans = registry.counter({
    name: 'sightline_trace_spans_total',
    help: 'Spans by outcome: started, ended, not_sampled, exported, dropped (full queue, or an export that failed or timed out).',
    labelNames: ['outcome'],
    exemplars: false,
  });
  const exportFailures = registry.counter({ name: 'sightline_trace_export_failures_total', help: 'Span export calls that failed or timed out.', exemplars: false });
  const queued = registry.gauge({ name: 'sightline_trace_queued_spans', help: 'Spans waiting in batch queues.' });
  const lines = registry.counter({
    name: 'sightline_log_lines_total',
    help: 'Log lines by outcome: written, dropped, fallback (to stderr), sampled_out, rate_limited.',
    labelNames: ['outcome'],
    exemplars: false,
  });
  const internalErrors = registry.counter({
    name: 'sightline_internal_errors_total',
    help: 'Run-time problems Sightline reported (once on stderr, every one counted), by pillar and reason.',
    labelNames: ['pillar', 'reason'],
    exemplars: false,
  });
  const unregisterOtlp = otlp().length > 0 ? registerOtlp(registry, otlp) : undefined;
  const unregister = registry.registerCollector(() => {
    const t = provider.stats();
    setTo(spans, { outcome: 'started' }, t.spansStarted);
    setTo(spans, { outcome: 'ended' }, t.spansEnded);
    setTo(spans, { outcome: 'not_sampled' }, t.spansNotSampled);
    // Every sampled span that ended is exported, dropped, or still queued.
    setTo(spans, { outcome: 'dropped' }, t.spansDropped + t.spansFailed);
    setTo(spans, { outcome: 'exported' }, t.spansExported);
    const d = t.exportFailures - exportFailures.get();
    if (d > 0) exportFailures.inc(d);
    queued.set(t.spansQueued);
    const l = log.stats();
    setTo(lines, { outcome: 'written' }, l.written);
    setTo(lines, { outcome: 'dropped' }, l.dropped);
    setTo(lines, { outcome: 'fallback' }, l.fallback);
    setTo(lines, { outcome: 'sampled_out' }, l.sampledOut);
    setTo(lines, { outcome: 'rate_limited' }, l.rateLimited);
    for (const e of internalErrorCounts()) setTo(internalErrors, { pillar: e.pillar, reason: e.reason }, e.count);
  }, { name: 'sightline_self' });
  return () => {
    unregister();
    unregisterOtlp?.();
  };
}
