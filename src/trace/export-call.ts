import { ROOT_CONTEXT, OTEL_SUPPRESS_TRACING_KEY } from '../context/index.js';
import { storage } from '#internal/context';
import type { SpanRecord } from './span-record.js';
import type { ExportResult, SpanExporter } from './exporter.js';

/** The context exporters run in: tracing suppressed, so their own HTTP calls are not traced. */
const SUPPRESSED = ROOT_CONTEXT.setValue(OTEL_SUPPRESS_TRACING_KEY, true);

/**
 * Calls `exporter.export(spans)` with tracing suppressed and a deadline. Never rejects: a throw,
 * a rejection or the deadline passing all resolve to `{ code: 1, error }`.
 */
export function callExport(exporter: SpanExporter, spans: SpanRecord[], timeoutMs: number): Promise<ExportResult & { timedOut?: boolean }> {
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      resolve({ code: 1, error: new Error(`span export timed out after ${timeoutMs} ms`), timedOut: true });
    }, timeoutMs);
    // Kept referenced: whoever awaits a flush gets an answer within the timeout even when the
    // exporter's own sockets are unreferenced. It lives at most timeoutMs.
    const settle = (r: ExportResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    try {
      const p = storage.run(SUPPRESSED, () => exporter.export(spans));
      Promise.resolve(p).then(
        (r) => settle(r !== null && typeof r === 'object' && (r.code === 0 || r.code === 1) ? r : { code: 1, error: new Error('exporter returned no ExportResult') }),
        (e: unknown) => settle({ code: 1, error: e instanceof Error ? e : new Error(String(e)) }),
      );
    } catch (e) {
      settle({ code: 1, error: e instanceof Error ? e : new Error(String(e)) });
    }
  });
}

/** Runs `fn` with tracing suppressed. */
export function suppressed<T>(fn: () => T): T {
  return storage.run(SUPPRESSED, fn);
}
