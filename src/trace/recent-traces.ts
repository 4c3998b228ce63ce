import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidNumber, UnknownOption } from './errors.js';
import type { SpanRecord } from './span-record.js';
import { LocalTraces, type LocalTrace } from './local-traces.js';
import type { SpanProcessor } from './processor.js';

/** One local trace as the dashboard shows it. */
export interface TraceSummary {
  readonly traceId: string;
  /** Name of the local root span. */
  readonly name: string;
  /** Epoch ms of the local root's start. */
  readonly startTime: number;
  /** Duration of the local root, ms. */
  readonly duration: number;
  readonly errored: boolean;
  /** The spans kept (at most maxSpansPerTrace), in end order; ids of each are hex strings. */
  readonly spans: readonly SpanRecord[];
  /** Spans of this trace that were not kept. */
  readonly droppedSpans: number;
}

/** Sizes of the recent-traces store. */
export interface RecentTracesOptions {
  /** Most recent traces kept (default 100). */
  latest?: number;
  /** Slowest traces kept (default 20). */
  slowest?: number;
  /** Most recent errored traces kept (default 50). */
  errored?: number;
  /** Traces gathered at once while waiting for their root (default 500). */
  maxPendingTraces?: number;
  /** Spans kept per trace (default 200). */
  maxSpansPerTrace?: number;
}

const RECENT_TRACES_OPTION_KEYS = optionKeys<RecentTracesOptions>()(['latest', 'slowest', 'errored', 'maxPendingTraces', 'maxSpansPerTrace']);

/** Puts `item` in a ring of `cap` at `head`; returns the next head. */
function put(ring: TraceSummary[], head: number, cap: number, item: TraceSummary): number {
  if (ring.length < cap) {
    ring.push(item);
    return ring.length % cap;
  }
  ring[head] = item;
  return head + 1 === cap ? 0 : head + 1;
}

/** A ring's items, newest first. */
function newestFirst(ring: readonly TraceSummary[], head: number): TraceSummary[] {
  const out: TraceSummary[] = [];
  const n = ring.length;
  for (let k = 1; k <= n; k++) out.push(ring[(head - k + n) % n] as TraceSummary);
  return out;
}

function size(v: unknown, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw InvalidNumber(field, v, 'a non-negative integer');
  return v;
}

/**
 * A bounded in-memory store of recent local traces for the dashboard: the latest, the slowest
 * and the errored ones. It is a SpanProcessor: add it to the provider. Memory is bounded by the
 * option sizes times maxSpansPerTrace.
 * @example
 * const recent = new RecentTraces({ latest: 50 });
 * new TracerProvider({ processors: [recent] });
 * recent.slowest()[0]?.duration;
 */
export class RecentTraces implements SpanProcessor {
  readonly #pending: LocalTraces;
  readonly #sizes: { latest: number; slowest: number; errored: number };
  /** Ring of the latest: `#latestHead` is where the next one goes (the oldest, once full). */
  #latest: TraceSummary[] = [];
  #latestHead = 0;
  #slowest: TraceSummary[] = [];
  #errored: TraceSummary[] = [];
  #erroredHead = 0;
  #evicted = 0;
  readonly #onEvict = (): void => {
    this.#evicted++;
  };

  constructor(options: RecentTracesOptions = {}) {
    checkOptionKeys(options, RECENT_TRACES_OPTION_KEYS, UnknownOption, 'recentTraces', 'recentTraces');
    this.#sizes = {
      latest: size(options.latest, 'recent.latest', 100),
      slowest: size(options.slowest, 'recent.slowest', 20),
      errored: size(options.errored, 'recent.errored', 50),
    };
    this.#pending = new LocalTraces(Math.max(1, size(options.maxPendingTraces, 'recent.maxPendingTraces', 500)), Math.max(1, size(options.maxSpansPerTrace, 'recent.maxSpansPerTrace', 200)));
  }

  onEnd(span: SpanRecord): void {
    if ((span.traceFlags & 1) === 0) return;
    const t = this.#pending.add(span, this.#onEvict);
    if (t !== undefined) this.#store(t, span);
  }

  #store(t: LocalTrace, root: SpanRecord): void {
    // Encode the ids now (they are read anyway) so held spans release their id pools.
    for (const s of t.spans) {
      if (s.spanId === '' || s.parentSpanId === '') break;
    }
    const summary: TraceSummary = {
      traceId: t.traceId,
      name: root.name,
      startTime: root.startTime,
      duration: root.endTime - root.startTime,
      errored: t.errored,
      spans: t.spans,
      droppedSpans: t.overflow,
    };
    const { latest, slowest, errored } = this.#sizes;
    // Rings for the latest and the errored (overwriting the oldest: no shifting per trace).
    if (latest > 0) this.#latestHead = put(this.#latest, this.#latestHead, latest, summary);
    if (errored > 0 && summary.errored) this.#erroredHead = put(this.#errored, this.#erroredHead, errored, summary);
    if (slowest > 0) {
      const s = this.#slowest;
      if (s.length < slowest || summary.duration > (s[s.length - 1] as TraceSummary).duration) {
        let i = s.length;
        while (i > 0 && (s[i - 1] as TraceSummary).duration < summary.duration) i--;
        s.splice(i, 0, summary);
        if (s.length > slowest) s.pop();
      }
    }
  }

  /** Most recent first. */
  latest(): TraceSummary[] {
    return newestFirst(this.#latest, this.#latestHead);
  }

  /** Slowest first. */
  slowest(): TraceSummary[] {
    return [...this.#slowest];
  }

  /** Most recent first. */
  errored(): TraceSummary[] {
    return newestFirst(this.#errored, this.#erroredHead);
  }

  /** A stored trace by id. */
  get(traceId: string): TraceSummary | undefined {
    return this.#latest.find((t) => t.traceId === traceId) ?? this.#errored.find((t) => t.traceId === traceId) ?? this.#slowest.find((t) => t.traceId === traceId);
  }

  /** Traces still waiting for their root, and traces pushed out before their root ended. */
  stats(): { pendingTraces: number; evictedTraces: number } {
    return { pendingTraces: this.#pending.size, evictedTraces: this.#evicted };
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
