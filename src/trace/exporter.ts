import type { SpanRecord } from './span-record.js';

/** Outcome of one export call, like OpenTelemetry's `ExportResult`: `code` 0 = success, 1 = failed. */
export interface ExportResult {
  readonly code: 0 | 1;
  readonly error?: Error;
}

/** The two export result codes, named. */
export const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;

/**
 * Where finished spans go (OTLP, memory, console…). Processors call `export` with one batch at a
 * time and never call it again before the previous promise settled. An exporter must not throw:
 * it resolves `{ code: 1, error }` instead.
 * @example
 * const exporter: SpanExporter = {
 *   async export(spans) { console.log(spans.length); return { code: 0 }; },
 *   async shutdown() {},
 * };
 */
export interface SpanExporter {
  export(spans: SpanRecord[]): Promise<ExportResult>;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}
