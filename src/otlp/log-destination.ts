import { writeSync } from 'node:fs';
import type { Destination, DestinationStats, LevelName } from '../log/index.js';
import { createResource } from '../trace/index.js';
import type { ResourceData, ScopeData } from '../trace/index.js';
import type { LogRecordData } from './log-record.js';
import { OTLP_EXPORTER_OPTION_KEYS, resolveConfig } from './config.js';
import type { OtlpExporterOptions } from './config.js';
import { InvalidOption, UnknownOption } from './errors.js';
import { logsBody } from './protocol.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { lineToLogRecord } from './log-record.js';
import { OtlpHttpSender } from './sender.js';
import { copyStats, countDropped, newStats } from './stats.js';
import type { OtlpExportStats } from './stats.js';
import { sendSync } from './sync-send.js';
import { report } from '../diagnostics/index.js';

/** Options of {@link OtlpLogDestination}. */
export interface OtlpLogDestinationOptions extends Omit<OtlpExporterOptions, 'maxQueuedBatches'> {
  /**
   * Resource of every record. Default: the resource spans get (`createResource` of sightline/trace:
   * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, NODE_ENV, telemetry.sdk.*, host.*, process.*);
   * under `sightline()`, the tracer provider's resource itself.
   */
  resource?: ResourceData;
  /** Instrumentation scope. Default `{ name: 'sightline' }`. */
  scope?: ScopeData;
  /** Lines held before new ones are dropped (default 2048). */
  maxQueueSize?: number;
  /** Lines per request (default 512). */
  maxBatchSize?: number;
  /** Longest wait before a partial batch is sent (ms, default 1000). */
  scheduleDelayMillis?: number;
  /** Time budget of the synchronous send in `flushSync` (ms, default 2000). */
  flushSyncTimeoutMillis?: number;
  /** Where `flushSync` puts the lines when the synchronous send fails: `stderr` (default) or `none`. */
  syncFallback?: 'stderr' | 'none';
  /** Minimum level of this destination. */
  level?: LevelName;
}

const OWN_KEYS = optionKeys<Omit<OtlpLogDestinationOptions, SharedExporterKey>>()([
  'resource', 'scope', 'maxQueueSize', 'maxBatchSize', 'scheduleDelayMillis', 'flushSyncTimeoutMillis', 'syncFallback', 'level',
]);
/** The exporter options a destination shares (all but the span exporter's `maxQueuedBatches`). */
type SharedExporterKey = Exclude<keyof OtlpExporterOptions, 'maxQueuedBatches'>;
const LOG_DESTINATION_KEYS: readonly string[] = [...OTLP_EXPORTER_OPTION_KEYS.filter((k) => k !== 'maxQueuedBatches'), ...OWN_KEYS];

/** The destination's counters: the logger's, plus the OTLP export counters. */
export interface OtlpLogDestinationStats extends DestinationStats {
  readonly otlp: OtlpExportStats;
}

function int(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw InvalidOption(field, value, 'an integer ≥ 1');
  return value;
}

/**
 * A log destination that exports lines as OTLP log records (`POST /v1/logs`). `write` only queues
 * the finished line (bounded; overflow is dropped and counted); lines are parsed and encoded off the
 * caller's path, in batches. `flushSync` (exit, crash, signal) sends what is left through a
 * short-lived child process, falling back to stderr when that fails.
 * @example
 * import { OtlpLogDestination } from 'sightline/otlp';
 * const otlp = new OtlpLogDestination({ url: 'http://collector:4318/v1/logs' });
 * otlp.write('{"time":1700000000000,"msg":"hello","trace_id":"…"}\n', 30);
 */
export class OtlpLogDestination implements Destination {
  readonly name: string;
  readonly level: LevelName | undefined;
  readonly #sender: OtlpHttpSender;
  readonly #otlp = newStats('logs');
  readonly #stats: DestinationStats = { written: 0, dropped: 0, fallback: 0, errors: 0 };
  #resource: ResourceData;
  readonly #ownResource: boolean;
  readonly #scope: ScopeData;
  readonly #maxQueue: number;
  readonly #maxBatch: number;
  readonly #delay: number;
  readonly #syncTimeout: number;
  readonly #syncFallback: 'stderr' | 'none';
  #lines: string[] = [];
  #levels: number[] = [];
  #inflightLines: string[] = [];
  #inflightLevels: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #closed = false;

  constructor(options: OtlpLogDestinationOptions = {}) {
    checkOptionKeys(options, LOG_DESTINATION_KEYS, UnknownOption, 'new OtlpLogDestination()');
    const config = resolveConfig('logs', options);
    this.#sender = new OtlpHttpSender(config, this.#otlp);
    this.name = `otlp:${config.url.href}`;
    this.level = options.level;
    this.#ownResource = options.resource !== undefined;
    this.#resource = options.resource ?? createResource({}, options.env ?? process.env);
    this.#scope = options.scope ?? { name: 'sightline' };
    this.#maxQueue = int(options.maxQueueSize, 'maxQueueSize', 2048);
    this.#maxBatch = int(options.maxBatchSize, 'maxBatchSize', 512);
    this.#delay = int(options.scheduleDelayMillis, 'scheduleDelayMillis', 1000);
    this.#syncTimeout = int(options.flushSyncTimeoutMillis, 'flushSyncTimeoutMillis', 2000);
    if (options.syncFallback !== undefined && options.syncFallback !== 'stderr' && options.syncFallback !== 'none') {
      throw InvalidOption('syncFallback', options.syncFallback, '"stderr" or "none"');
    }
    this.#syncFallback = options.syncFallback ?? 'stderr';
  }

  /**
   * Uses `resource` for the records not sent yet, unless the `resource` option was given.
   * `sightline()` calls it with its tracer provider's resource, so logs and spans of one service
   * carry the same one.
   * @example
   * otlpLogs.useDefaultResource(provider.resource);
   */
  useDefaultResource(resource: ResourceData): void {
    if (!this.#ownResource) this.#resource = resource;
  }

  write(line: string, level: number): boolean {
    if (this.#closed || this.#lines.length >= this.#maxQueue) {
      this.#stats.dropped++;
      countDropped(this.#otlp, this.#closed ? 'shutdown' : 'queue_full', 1);
      return false;
    }
    this.#lines.push(line);
    this.#levels.push(level);
    this.#stats.written++;
    if (this.#draining === undefined) {
      if (this.#lines.length >= this.#maxBatch) this.#kick();
      else if (this.#timer === undefined) {
        this.#timer = setTimeout(() => this.#kick(), this.#delay);
        this.#timer.unref();
      }
    }
    return true;
  }

  #kick(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
      // a line written between the drain's last check and now still gets its timer
      if (this.#lines.length > 0 && this.#timer === undefined && !this.#closed) {
        this.#timer = setTimeout(() => this.#kick(), this.#delay);
        this.#timer.unref();
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#lines.length > 0) {
      const n = Math.min(this.#maxBatch, this.#lines.length);
      this.#inflightLines = this.#lines.splice(0, n);
      this.#inflightLevels = this.#levels.splice(0, n);
      this.#otlp.queued = this.#lines.length + n;
      try {
        const outcome = await this.#sender.send(this.#encode(this.#inflightLines, this.#inflightLevels));
        if (outcome.ok) {
          const rejected = Math.min(n, outcome.rejected);
          countDropped(this.#otlp, 'rejected', rejected);
          this.#otlp.exported += n - rejected;
        } else {
          countDropped(this.#otlp, outcome.reason ?? 'export_failed', n);
          this.#stats.errors++;
          report('otlp', 'export_failed', `OTLP log export to ${this.#sender.config.url.href} failed (${outcome.error?.message ?? 'unknown'}); lines are counted as failed, export goes on`, { key: 'otlp-logs-failed', error: outcome.error });
        }
      } catch {
        countDropped(this.#otlp, 'export_failed', n);
        this.#stats.errors++;
      }
      this.#inflightLines = [];
      this.#inflightLevels = [];
      this.#otlp.queued = this.#lines.length;
    }
  }

  #encode(lines: readonly string[], levels: readonly number[]): string | Buffer {
    const now = Date.now();
    const records: LogRecordData[] = lines.map((l, i) => lineToLogRecord(l, levels[i]!, this.#resource, this.#scope, now));
    return logsBody(this.#sender.config.protocol, records);
  }

  async flush(): Promise<void> {
    while (this.#lines.length > 0 || this.#draining !== undefined) {
      this.#kick();
      await this.#draining;
    }
  }

  /**
   * Sends everything not yet acknowledged (waiting lines and the batch in flight, which may thus
   * arrive twice) with one synchronous request through a child process, within
   * `flushSyncTimeoutMillis`. If that fails, the lines go to stderr (counted as `fallback`).
   */
  flushSync(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const lines = [...this.#inflightLines, ...this.#lines];
    const levels = [...this.#inflightLevels, ...this.#levels];
    this.#lines = [];
    this.#levels = [];
    if (lines.length === 0) return;
    let ok = false;
    try {
      ok = sendSync(this.#sender.config, this.#encode(lines, levels), this.#syncTimeout);
    } catch {
      ok = false;
    }
    if (ok) {
      this.#otlp.exported += lines.length;
      return;
    }
    this.#stats.errors++;
    countDropped(this.#otlp, 'export_failed', lines.length);
    if (this.#syncFallback === 'stderr') {
      try {
        writeSync(2, lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join(''));
        this.#stats.fallback += lines.length;
      } catch {
        // stderr gone too
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#sender.close();
  }

  stats(): OtlpLogDestinationStats {
    return { ...this.#stats, otlp: copyStats(this.#otlp) };
  }
}
