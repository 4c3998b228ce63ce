/**
 * Sightline's own counters (tracer, logger, OTLP exporter, reported run-time problems) exposed
 * as `sightline_*` metrics, read at scrape time.
 */
import { internalErrorCounts } from '../diagnostics/index.js';
import type { Logger } from '../log/index.js';
import type { Counter, Registry } from '../metrics/index.js';
import type { TracerProvider } from '../trace/index.js';

/** Sets a counter series to an absolute value read elsewhere (counters only move up). */
function setTo(c: Counter, labels: Record<string, string>, value: number): void {
  const child = c.labels(labels);
  const delta = value - child.get();
  if (delta > 0) child.inc(delta);
}

/** Registers the self-metrics; returns the unregister function. */
export function registerSelfMetrics(registry: Registry, provider: TracerProvider, log: Logger): () => void {
  const spans = registry.counter({
    name: 'sightline_trace_spans_total',
    help: 'Spans by outcome: started, ended, not_sampled, dropped (full queue), exported.',
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
  return registry.registerCollector(() => {
    const t = provider.stats();
    setTo(spans, { outcome: 'started' }, t.spansStarted);
    setTo(spans, { outcome: 'ended' }, t.spansEnded);
    setTo(spans, { outcome: 'not_sampled' }, t.spansNotSampled);
    setTo(spans, { outcome: 'dropped' }, t.spansDropped);
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
}
