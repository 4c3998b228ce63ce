import { report } from '../diagnostics/index.js';
import { envInt } from '../env.js';
import { InvalidComponent, InvalidNumber, UnknownOption } from './errors.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import type { SpanRecord } from './span-record.js';
import { callExport, suppressed } from './export-call.js';
import type { SpanExporter } from './exporter.js';
import type { SpanProcessor } from './processor.js';

/** Batch processor settings; each defaults to its OTEL_BSP_* variable, then to the spec default. */
export interface BatchOptions {
  /** Delay between two exports, ms (OTEL_BSP_SCHEDULE_DELAY, 5000). */
  scheduleDelayMs?: number;
  /** Deadline of one export call, ms (OTEL_BSP_EXPORT_TIMEOUT, 30000). */
  exportTimeoutMs?: number;
  /** Spans held at most; more are dropped and counted (OTEL_BSP_MAX_QUEUE_SIZE, 2048). */
  maxQueueSize?: number;
  /** Spans per export call at most (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512; capped at maxQueueSize). */
  maxExportBatchSize?: number;
}

/** Every key of {@link BatchOptions}. @internal */
export const BATCH_OPTION_KEYS = optionKeys<BatchOptions>()(['scheduleDelayMs', 'exportTimeoutMs', 'maxQueueSize', 'maxExportBatchSize']);

/** Counters of one batch processor. */
export interface BatchStats {
  /** Spans waiting for export. */
  queued: number;
  /** Spans dropped because the queue was full (or the processor shut down). */
  dropped: number;
  /** Spans handed to the exporter with a success result. */
  exported: number;
  /** Spans whose export failed (error result, throw, or timeout). */
  failedSpans: number;
  /** Export calls that failed. */
  exportFailures: number;
  /** Export calls that hit the export timeout (included in exportFailures). */
  exportTimeouts: number;
}

function option(value: number | undefined, field: string, envName: string, fallback: number, env: NodeJS.ProcessEnv, allowZero: boolean): number {
  if (value !== undefined) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      throw InvalidNumber(field, value, allowZero ? 'a non-negative integer' : 'a positive integer');
    }
    return value;
  }
  return envInt(env, envName, 'trace', !allowZero) ?? fallback;
}

/**
 * Queues finished sampled spans (a bounded array: `onEnd` is one push) and exports them in
 * batches every `scheduleDelayMs`, or as soon as a full batch is waiting. One export at a time;
 * each has a deadline; failures are counted and reported once on stderr, never thrown.
 * @example
 * provider.addSpanProcessor(new BatchSpanProcessor(otlpExporter, { maxQueueSize: 4096 }));
 */
export class BatchSpanProcessor implements SpanProcessor {
  readonly scheduleDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly #exporter: SpanExporter;
  #queue: SpanRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #exporting: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;
  readonly #stats: BatchStats = { queued: 0, dropped: 0, exported: 0, failedSpans: 0, exportFailures: 0, exportTimeouts: 0 };

  constructor(exporter: SpanExporter, options: BatchOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    if (exporter === null || typeof exporter !== 'object' || typeof exporter.export !== 'function') throw InvalidComponent('exporter', 'SpanExporter', 'export');
    checkOptionKeys(options, BATCH_OPTION_KEYS, UnknownOption, 'batch', 'batch');
    this.#exporter = exporter;
    this.scheduleDelayMs = option(options.scheduleDelayMs, 'batch.scheduleDelayMs', 'OTEL_BSP_SCHEDULE_DELAY', 5000, env, true);
    this.exportTimeoutMs = option(options.exportTimeoutMs, 'batch.exportTimeoutMs', 'OTEL_BSP_EXPORT_TIMEOUT', 30000, env, false);
    this.maxQueueSize = option(options.maxQueueSize, 'batch.maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, env, false);
    const batch = option(options.maxExportBatchSize, 'batch.maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, env, false);
    if (batch > this.maxQueueSize) {
      // Spec: maxExportBatchSize must be ≤ maxQueueSize. An explicit option that breaks it is a config error.
      if (options.maxExportBatchSize !== undefined && options.maxQueueSize !== undefined) {
        throw InvalidNumber('batch.maxExportBatchSize', batch, `at most maxQueueSize (${this.maxQueueSize})`);
      }
      report('trace', 'bad_config', `maxExportBatchSize ${batch} exceeds maxQueueSize ${this.maxQueueSize}: using ${this.maxQueueSize}`);
    }
    this.maxExportBatchSize = Math.min(batch, this.maxQueueSize);
  }

  onEnd(span: SpanRecord): void {
    if ((span.traceFlags & 1) === 0) return;
    const q = this.#queue;
    if (q.length >= this.maxQueueSize || this.#shutdown !== undefined) {
      this.#stats.dropped++;
      return;
    }
    q.push(span);
    if (q.length >= this.maxExportBatchSize) {
      // Never export inside end(): start on the next turn of the event loop.
      if (this.#exporting === undefined && this.#immediate === undefined) {
        this.#immediate = setImmediate(this.#onImmediate);
        this.#immediate.unref();
      }
    } else if (this.#timer === undefined && this.#exporting === undefined) {
      this.#timer = setTimeout(this.#onTimer, this.scheduleDelayMs);
      this.#timer.unref();
    }
  }

  readonly #onImmediate = (): void => {
    this.#immediate = undefined;
    if (this.#exporting === undefined && this.#queue.length > 0) this.#startExport();
  };

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#exporting === undefined && this.#queue.length > 0) this.#startExport();
  };

  #startExport(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#exporting = this.#exportLoop(false).finally(() => {
      this.#exporting = undefined;
      // Spans that arrived meanwhile but did not fill a batch wait for the next tick of the timer.
      if (this.#queue.length > 0 && this.#shutdown === undefined) {
        if (this.#queue.length >= this.maxExportBatchSize) this.#startExport();
        else if (this.#timer === undefined) {
          this.#timer = setTimeout(this.#onTimer, this.scheduleDelayMs);
          this.#timer.unref();
        }
      }
    });
  }

  /** Exports full batches (or everything when `all`), one call at a time. */
  async #exportLoop(all: boolean): Promise<void> {
    do {
      const q = this.#queue;
      if (q.length === 0) return;
      let batch: SpanRecord[];
      if (q.length <= this.maxExportBatchSize) {
        batch = q;
        this.#queue = [];
      } else {
        batch = q.splice(0, this.maxExportBatchSize);
      }
      const r = await callExport(this.#exporter, batch, this.exportTimeoutMs);
      if (r.code === 0) this.#stats.exported += batch.length;
      else {
        this.#stats.failedSpans += batch.length;
        this.#stats.exportFailures++;
        if (r.timedOut === true) this.#stats.exportTimeouts++;
        report('trace', 'export_failed', `span export failed (further failures are counted, not printed): ${r.error?.message ?? 'unknown error'}`, { key: `bsp-export-failed`, error: r.error });
      }
    } while (all || this.#queue.length >= this.maxExportBatchSize);
  }

  /** Exports everything queued now; resolves when done (failures are counted, not thrown). */
  async forceFlush(): Promise<void> {
    while (this.#exporting !== undefined) await this.#exporting;
    if (this.#queue.length > 0) {
      const p = this.#exportLoop(true);
      this.#exporting = p;
      try {
        await p;
      } finally {
        if (this.#exporting === p) this.#exporting = undefined;
      }
    }
    if (typeof this.#exporter.forceFlush === 'function') {
      try {
        await suppressed(() => this.#exporter.forceFlush?.());
      } catch {
        // counted by the exporter itself
      }
    }
  }

  /** Flushes, then shuts the exporter down. Later spans are dropped (counted). Idempotent. */
  shutdown(): Promise<void> {
    if (this.#shutdown === undefined) {
      const flush = this.forceFlush();
      this.#shutdown = flush.then(async () => {
        if (this.#timer !== undefined) clearTimeout(this.#timer);
        try {
          await suppressed(() => this.#exporter.shutdown());
        } catch {
          // nothing to do: shutting down
        }
      });
    }
    return this.#shutdown;
  }

  /** A snapshot of the counters. */
  stats(): BatchStats {
    return { ...this.#stats, queued: this.#queue.length };
  }
}
