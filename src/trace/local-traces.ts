import type { SpanRecord } from './span-record.js';

/**
 * Spans of local traces (same trace id, in this process) gathered until the local root ends.
 * Bounded: at most `maxTraces` open traces (the oldest is evicted to make room) and
 * `maxSpansPerTrace` spans each (more are counted, not kept).
 */
export interface LocalTrace {
  readonly traceId: string;
  readonly spans: SpanRecord[];
  /** Any span of it had status ERROR. */
  errored: boolean;
  /** Spans not kept because the trace was full. */
  overflow: number;
}

/** The root of its local trace: no parent, or a remote one. */
export function isLocalRoot(span: SpanRecord): boolean {
  const flag = (span as { localRoot?: unknown }).localRoot;
  return typeof flag === 'boolean' ? flag : span.parentSpanId === undefined;
}

export class LocalTraces {
  readonly #open = new Map<string, LocalTrace>();
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;

  constructor(maxTraces: number, maxSpansPerTrace: number) {
    this.maxTraces = maxTraces;
    this.maxSpansPerTrace = maxSpansPerTrace;
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Adds an ended span. Returns the trace when this span completes it (a local root), after
   * removing it; `evict` receives a trace pushed out to make room.
   */
  add(span: SpanRecord, evict: (t: LocalTrace) => void): LocalTrace | undefined {
    const id = span.traceId;
    let t = this.#open.size === 0 ? undefined : this.#open.get(id);
    if (t === undefined && isLocalRoot(span)) {
      // A local root with no span gathered before it (a one-span request): complete at once.
      return { traceId: id, spans: [span], errored: span.status.code === 2, overflow: 0 };
    }
    if (t === undefined) {
      if (this.#open.size >= this.maxTraces) {
        const oldest = this.#open.keys().next().value as string;
        const old = this.#open.get(oldest) as LocalTrace;
        this.#open.delete(oldest);
        evict(old);
      }
      t = { traceId: id, spans: [], errored: false, overflow: 0 };
      this.#open.set(id, t);
    }
    if (span.status.code === 2) t.errored = true;
    if (t.spans.length < this.maxSpansPerTrace) t.spans.push(span);
    else t.overflow++;
    if (!isLocalRoot(span)) return undefined;
    this.#open.delete(id);
    return t;
  }

  /** Removes and returns every open trace. */
  drain(): LocalTrace[] {
    const all = [...this.#open.values()];
    this.#open.clear();
    return all;
  }
}
