import type { SpanRecord } from './span-record.js';
import { report } from '../diagnostics/index.js';
import { InvalidComponent, UnknownOption } from './errors.js';
import { checkOptionKeys, optionKeys } from '../errors.js';

const SIMPLE_OPTION_KEYS = optionKeys<{ exportTimeoutMs?: number }>()(['exportTimeoutMs']);
import { callExport, suppressed } from './export-call.js';
import type { SpanExporter } from './exporter.js';
import type { SpanProcessor } from './processor.js';

/**
 * Exports every sampled span as soon as it ends, one export call per span. For tests and
 * debugging; use the BatchSpanProcessor in production. Export calls are never awaited by `end()`.
 * @example
 * provider.addSpanProcessor(new SimpleSpanProcessor(new InMemorySpanExporter()));
 */
export class SimpleSpanProcessor implements SpanProcessor {
  readonly #exporter: SpanExporter;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #timeoutMs: number;
  #failures = 0;

  constructor(exporter: SpanExporter, options: { exportTimeoutMs?: number } = {}) {
    if (exporter === null || typeof exporter !== 'object' || typeof exporter.export !== 'function') throw InvalidComponent('exporter', 'SpanExporter', 'export');
    checkOptionKeys(options, SIMPLE_OPTION_KEYS, UnknownOption, 'new SimpleSpanProcessor()');
    this.#exporter = exporter;
    this.#timeoutMs = options.exportTimeoutMs ?? 30000;
  }

  onEnd(span: SpanRecord): void {
    if ((span.traceFlags & 1) === 0) return;
    const p = callExport(this.#exporter, [span], this.#timeoutMs).then((r) => {
      if (r.code !== 0) {
        this.#failures++;
        report('trace', 'export_failed', `span export failed (further failures are counted, not printed): ${r.error?.message ?? 'unknown error'}`, { key: 'ssp-export-failed', error: r.error });
      }
    });
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Waits for exports in flight. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.#pending]);
    await suppressed(() => this.#exporter.forceFlush?.());
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    await suppressed(() => this.#exporter.shutdown());
  }

  /** Export calls that failed. */
  stats(): { exportFailures: number } {
    return { exportFailures: this.#failures };
  }
}
