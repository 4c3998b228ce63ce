import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidComponent, InvalidNumber, InvalidRatio, UnknownOption } from './errors.js';
import type { SpanRecord } from './span-record.js';
import { isLocalRoot, LocalTraces, type LocalTrace } from './local-traces.js';
import type { SpanProcessor } from './processor.js';
import { sampleByRatio } from './sampler.js';

/** Options of the tail-aware sampler. */
export interface TailSamplingOptions {
  /** Fraction of ordinary (fast, successful) local traces kept, 0..1 (default 0.1). */
  ratio?: number;
  /** A local trace whose root lasted at least this long (ms) is kept (default 1000). */
  latencyThresholdMs?: number;
  /** Local traces held at once (default 1000); the oldest is decided early to make room. */
  maxTraces?: number;
  /** Spans held per local trace (default 512); more are dropped and counted. */
  maxSpansPerTrace?: number;
  /** Decisions remembered for spans that end after their local root (default 4096). */
  decisionCacheSize?: number;
}

const TAIL_OPTION_KEYS = optionKeys<TailSamplingOptions>()(['ratio', 'latencyThresholdMs', 'maxTraces', 'maxSpansPerTrace', 'decisionCacheSize']);

/** Counters of the tail-aware sampler. */
export interface TailSamplingStats {
  /** Local traces waiting for their root. */
  heldTraces: number;
  /** Local traces kept / dropped by a decision. */
  keptTraces: number;
  droppedTraces: number;
  /** Spans forwarded / discarded. */
  keptSpans: number;
  droppedSpans: number;
  /** Traces decided early because too many were held. */
  evictedTraces: number;
  /** Spans discarded because their trace held maxSpansPerTrace already. */
  overflowSpans: number;
}

function positiveInt(v: unknown, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw InvalidNumber(field, v, 'a positive integer');
  return v;
}

/**
 * The tail-aware sampler: holds the spans of each local trace until its local root ends, then
 * keeps the whole local trace if any span errored or the root lasted at least
 * `latencyThresholdMs`, and otherwise keeps it with probability `ratio` (by trace id, so all
 * services with the same ratio agree). Kept spans go to the `next` processors.
 * Use it with a head sampler that records everything (the default parentbased_always_on).
 * @example
 * new TracerProvider({ processors: [new TailSamplingProcessor([new BatchSpanProcessor(otlp)], { ratio: 0.05, latencyThresholdMs: 500 })] });
 */
export class TailSamplingProcessor implements SpanProcessor {
  readonly ratio: number;
  readonly latencyThresholdMs: number;
  readonly #next: SpanProcessor[];
  readonly #traces: LocalTraces;
  readonly #decisions = new Map<string, boolean>();
  readonly #decisionCacheSize: number;
  readonly #stats: TailSamplingStats = { heldTraces: 0, keptTraces: 0, droppedTraces: 0, keptSpans: 0, droppedSpans: 0, evictedTraces: 0, overflowSpans: 0 };
  readonly #evict = (t: LocalTrace): void => {
    this.#stats.evictedTraces++;
    this.#decide(t, t.errored || sampleByRatio(t.traceId, this.ratio));
  };

  constructor(next: SpanProcessor[], options: TailSamplingOptions = {}) {
    if (!Array.isArray(next)) throw InvalidComponent('tail.next', 'SpanProcessor[]', 'onEnd');
    for (const p of next) if (p === null || typeof p !== 'object' || typeof p.onEnd !== 'function') throw InvalidComponent('tail.next', 'SpanProcessor', 'onEnd');
    checkOptionKeys(options, TAIL_OPTION_KEYS, UnknownOption, 'tail', 'tail');
    this.#next = next;
    const ratio = options.ratio ?? 0.1;
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) throw InvalidRatio('tail.ratio', ratio);
    this.ratio = ratio;
    const latency = options.latencyThresholdMs ?? 1000;
    if (typeof latency !== 'number' || !(latency >= 0)) throw InvalidNumber('tail.latencyThresholdMs', latency, 'a non-negative number of milliseconds');
    this.latencyThresholdMs = latency;
    this.#traces = new LocalTraces(positiveInt(options.maxTraces, 'tail.maxTraces', 1000), positiveInt(options.maxSpansPerTrace, 'tail.maxSpansPerTrace', 512));
    this.#decisionCacheSize = positiveInt(options.decisionCacheSize, 'tail.decisionCacheSize', 4096);
  }

  onStart(span: SpanRecord, parentContext: import('@opentelemetry/api').Context): void {
    for (const p of this.#next) p.onStart?.(span, parentContext);
  }

  onEnd(span: SpanRecord): void {
    if ((span.traceFlags & 1) === 0) return;
    const decided = this.#decisions.get(span.traceId);
    if (decided !== undefined && !isLocalRoot(span)) {
      // A span ending after its local root: follow the decision taken for the trace.
      if (decided) this.#forward(span);
      else this.#stats.droppedSpans++;
      return;
    }
    const t = this.#traces.add(span, this.#evict);
    if (t === undefined) return;
    const slow = span.endTime - span.startTime >= this.latencyThresholdMs;
    this.#decide(t, t.errored || slow || sampleByRatio(t.traceId, this.ratio));
  }

  #decide(t: LocalTrace, keep: boolean): void {
    const d = this.#decisions;
    d.delete(t.traceId);
    d.set(t.traceId, keep);
    if (d.size > this.#decisionCacheSize) d.delete(d.keys().next().value as string);
    this.#stats.overflowSpans += t.overflow;
    if (keep) {
      this.#stats.keptTraces++;
      for (const s of t.spans) this.#forward(s);
    } else {
      this.#stats.droppedTraces++;
      this.#stats.droppedSpans += t.spans.length;
    }
  }

  #forward(span: SpanRecord): void {
    this.#stats.keptSpans++;
    for (const p of this.#next) p.onEnd(span);
  }

  /** Decides every held trace now (errored or by ratio), then flushes the next processors. */
  async forceFlush(): Promise<void> {
    for (const t of this.#traces.drain()) this.#decide(t, t.errored || sampleByRatio(t.traceId, this.ratio));
    await Promise.all(this.#next.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    for (const t of this.#traces.drain()) this.#decide(t, t.errored || sampleByRatio(t.traceId, this.ratio));
    await Promise.all(this.#next.map((p) => p.shutdown()));
  }

  /** A snapshot of the counters, plus those of the next processors that keep some. */
  stats(): TailSamplingStats & Record<string, number> {
    const out: TailSamplingStats & Record<string, number> = { ...this.#stats, heldTraces: this.#traces.size };
    for (const p of this.#next) {
      const s = typeof (p as { stats?: unknown }).stats === 'function' ? (p as unknown as { stats(): Record<string, number> }).stats() : undefined;
      if (s === undefined) continue;
      for (const k of ['dropped', 'queued', 'exported', 'exportFailures', 'exportTimeouts']) {
        if (typeof s[k] === 'number') out[k] = (out[k] ?? 0) + s[k];
      }
    }
    return out;
  }
}
