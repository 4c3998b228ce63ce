import type { Attributes, ResourceData, ScopeData } from '../trace/index.js';
import { isValidSpanId, isValidTraceId } from '#internal/trace';

/** A log record for OTLP export. */
export interface LogRecordData {
  /** Epoch milliseconds, fractional. */
  readonly time: number;
  /** OTLP severity number: TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21. */
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: string;
  readonly attributes: Attributes;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly traceFlags?: number;
  readonly resource: ResourceData;
  readonly scope: ScopeData;
}

/** OTLP severity numbers (logs data model): TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21. */
export function severityOf(level: number): { severityNumber: number; severityText: string } {
  if (level >= 60) return { severityNumber: 21, severityText: 'FATAL' };
  if (level >= 50) return { severityNumber: 17, severityText: 'ERROR' };
  if (level >= 40) return { severityNumber: 13, severityText: 'WARN' };
  if (level >= 30) return { severityNumber: 9, severityText: 'INFO' };
  if (level >= 20) return { severityNumber: 5, severityText: 'DEBUG' };
  return { severityNumber: 1, severityText: 'TRACE' };
}

/** Fields of the log line that become record fields instead of attributes. */
const RESERVED = new Set(['time', 'level', 'msg', 'trace_id', 'span_id', 'trace_flags']);

function timeOf(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return fallback;
}

function flagsOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255) return v;
  if (typeof v === 'string' && /^[0-9a-f]{2}$/.test(v)) return parseInt(v, 16);
  return undefined;
}

/**
 * One finished JSON log line → an OTLP log record: `msg` is the body, `time` (epoch ms or ISO
 * string) the timestamp, `trace_id` / `span_id` / `trace_flags` the trace correlation, every other
 * field an attribute (nested objects become key-value lists). A line that is not a JSON object is
 * kept whole as the body, so nothing is lost.
 */
export function lineToLogRecord(line: string, level: number, resource: ResourceData, scope: ScopeData, now: number): LogRecordData {
  const sev = severityOf(level);
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    obj = undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return { time: now, ...sev, body: line.replace(/\n$/, ''), attributes: {}, resource, scope };
  }
  const o = obj as Record<string, unknown>;
  const attributes: Record<string, unknown> = {};
  for (const k in o) if (!RESERVED.has(k)) attributes[k] = o[k];
  const msg = o['msg'];
  const record: { -readonly [K in keyof LogRecordData]: LogRecordData[K] } = {
    time: timeOf(o['time'], now),
    ...sev,
    body: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
    // A line's fields may nest objects: the encoder writes those as kvlists (toAnyValue).
    attributes: attributes as Attributes,
    resource,
    scope,
  };
  const traceId = o['trace_id'];
  const spanId = o['span_id'];
  if (isValidTraceId(traceId)) record.traceId = traceId;
  if (isValidSpanId(spanId)) record.spanId = spanId;
  const flags = flagsOf(o['trace_flags']);
  if (flags !== undefined) record.traceFlags = flags;
  return record;
}
