/**
 * Exemplars: the trace of one recent observation, attached to a counter or a histogram bucket so a
 * graph can jump to a trace. Filled from the request context when its span is sampled; rendered
 * only in OpenMetrics (text 0.0.4 has no syntax for them).
 */
import { storage } from '#internal/context';
import type { TraceIds } from '../context/index.js';
import { codePointLength, escapeLabelValue, formatValue } from './format.js';

/** The latest sampled observation of a series or bucket. Mutated in place to avoid allocation. */
export class Exemplar {
  traceId: string;
  spanId: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;

  constructor(trace: TraceIds, value: number) {
    this.traceId = trace.traceId;
    this.spanId = trace.spanId;
    this.value = value;
    this.timestampMs = Date.now();
  }

  update(trace: TraceIds, value: number): void {
    this.traceId = trace.traceId;
    this.spanId = trace.spanId;
    this.value = value;
    this.timestampMs = Date.now();
  }
}

/** The trace ids of the active span when it is sampled (W3C flags bit 0), else undefined. */
export function sampledTrace(): TraceIds | undefined {
  const ctx = storage.getStore();
  if (ctx === undefined) return undefined;
  const t = ctx.traceIds;
  return t !== undefined && (t.traceFlags & 1) === 1 ? t : undefined;
}

/** OpenMetrics: an exemplar's label set is at most 128 UTF-8 code points (names and values). */
export const EXEMPLAR_MAX_CODE_POINTS = 128;

/**
 * ` # {trace_id="…",span_id="…"} value timestamp` or '' when the label set would exceed the limit.
 * OpenMetrics timestamps are seconds as a float.
 */
export function renderExemplar(e: Exemplar): string {
  const size = 'trace_id'.length + 'span_id'.length + codePointLength(e.traceId) + codePointLength(e.spanId);
  if (size > EXEMPLAR_MAX_CODE_POINTS) return '';
  return ` # {trace_id="${escapeLabelValue(e.traceId)}",span_id="${escapeLabelValue(e.spanId)}"} ${formatValue(e.value)} ${e.timestampMs / 1000}`;
}
