import type { SpanRecord } from './span-record.js';
import type { ExportResult, SpanExporter } from './exporter.js';

/**
 * Keeps exported spans in memory, for tests (yours and ours). Exported from `sightline/testing`.
 * @example
 * const exporter = new InMemorySpanExporter();
 * const provider = new TracerProvider({ processors: [new SimpleSpanProcessor(exporter)] });
 * provider.getTracer('t').span('work', () => {});
 * await provider.forceFlush();
 * exporter.getFinishedSpans()[0]?.name; // 'work'
 */
export class InMemorySpanExporter implements SpanExporter {
  #spans: SpanRecord[] = [];
  #stopped = false;
  /** How many spans it keeps at most (oldest dropped first). */
  readonly limit: number;

  constructor(options: { limit?: number } = {}) {
    this.limit = options.limit ?? 100_000;
  }

  export(spans: SpanRecord[]): Promise<ExportResult> {
    if (this.#stopped) return Promise.resolve({ code: 1, error: new Error('exporter is shut down') });
    for (const s of spans) this.#spans.push(s);
    if (this.#spans.length > this.limit) this.#spans.splice(0, this.#spans.length - this.limit);
    return Promise.resolve({ code: 0 });
  }

  /** Spans exported so far, in export order. */
  getFinishedSpans(): SpanRecord[] {
    return [...this.#spans];
  }

  /** Forgets the spans exported so far. */
  reset(): void {
    this.#spans = [];
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }
}
