import { OTLP_EXPORTER_OPTION_KEYS, resolveConfig } from './config.js';
import type { ExportResult, SpanExporter, SpanRecord } from '../trace/index.js';
import type { OtlpExporterOptions } from './config.js';
import { InvalidOption, UnknownOption } from './errors.js';
import { tracesBody } from './protocol.js';
import { checkOptionKeys } from '../errors.js';
import { OtlpHttpSender } from './sender.js';
import { copyStats, countDropped, newStats } from './stats.js';
import type { OtlpExportStats } from './stats.js';
import { report } from '../diagnostics/index.js';

interface Pending {
  spans: SpanRecord[];
  resolve: (r: ExportResult) => void;
}

/**
 * Exports spans over OTLP/HTTP, protobuf or JSON (`POST /v1/traces`). Implements `SpanExporter`, so it plugs
 * into Sightline's batch processor. Batches are sent one at a time; at most `maxQueuedBatches`
 * are held (in flight + waiting), the rest are dropped at once and counted, so a slow or dead
 * collector never grows memory nor holds up the caller. `export` never rejects.
 * @example
 * import { OtlpSpanExporter } from 'sightline/otlp';
 * const exporter = new OtlpSpanExporter({ url: 'http://collector:4318/v1/traces' });
 */
export class OtlpSpanExporter implements SpanExporter {
  readonly #sender: OtlpHttpSender;
  readonly #stats = newStats('traces');
  readonly #queue: Pending[] = [];
  readonly #maxBatches: number;
  #running = false;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(options: OtlpExporterOptions = {}) {
    checkOptionKeys(options, OTLP_EXPORTER_OPTION_KEYS, UnknownOption, 'new OtlpSpanExporter()');
    this.#sender = new OtlpHttpSender(resolveConfig('traces', options), this.#stats);
    const max = options.maxQueuedBatches ?? 4;
    if (!Number.isInteger(max) || max < 1) throw InvalidOption('maxQueuedBatches', max, 'an integer ≥ 1');
    this.#maxBatches = max;
  }

  /** The URL spans are sent to. */
  get url(): string {
    return this.#sender.config.url.href;
  }

  export(spans: SpanRecord[]): Promise<ExportResult> {
    if (spans.length === 0) return Promise.resolve({ code: 0 });
    if (this.#closed || this.#queue.length >= this.#maxBatches) {
      countDropped(this.#stats, this.#closed ? 'shutdown' : 'queue_full', spans.length);
      const why = this.#closed ? 'exporter is shut down' : 'OTLP export queue full';
      return Promise.resolve({ code: 1, error: new Error(why) });
    }
    return new Promise<ExportResult>((resolve) => {
      this.#queue.push({ spans, resolve });
      this.#stats.queued += spans.length;
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const p = this.#queue[0]!;
        let result: ExportResult;
        try {
          const outcome = await this.#sender.send(tracesBody(this.#sender.config.protocol, p.spans));
          if (outcome.ok) {
            const rejected = Math.min(outcome.rejected, p.spans.length);
            countDropped(this.#stats, 'rejected', rejected);
            this.#stats.exported += p.spans.length - rejected;
            result = { code: 0 };
          } else {
            countDropped(this.#stats, outcome.reason ?? 'export_failed', p.spans.length);
            report('otlp', 'export_failed', `OTLP span export to ${this.url} failed (${outcome.error?.message ?? 'unknown'}); spans are counted as failed, export goes on`, { key: 'otlp-traces-failed', error: outcome.error });
            result = { code: 1, error: outcome.error ?? new Error('OTLP export failed') };
          }
        } catch (e) {
          countDropped(this.#stats, 'export_failed', p.spans.length);
          result = { code: 1, error: e as Error };
        }
        this.#queue.shift();
        this.#stats.queued -= p.spans.length;
        p.resolve(result);
      }
    } finally {
      this.#running = false;
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when every batch handed over so far was sent or given up. */
  forceFlush(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Flushes, then refuses further batches (dropped and counted) and closes idle sockets. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await this.forceFlush();
    this.#sender.close();
  }

  /** A snapshot of the counters (`sightline_otlp_*` self-metrics). */
  stats(): OtlpExportStats {
    return copyStats(this.#stats);
  }
}
