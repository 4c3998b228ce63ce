import type { Attributes, ResourceData, ScopeData, SpanRecord } from '../trace/index.js';
import type { LogRecordData } from './log-record.js';
import { group, isInt64BigInt, isInt64Number } from './json.js';
import { ProtoWriter } from './protobuf-writer.js';

/**
 * OTLP protobuf encoding (`ExportTraceServiceRequest`, `ExportLogsServiceRequest`), field for
 * field the same content as the JSON encoder in json.ts: the same grouping, the same fields left
 * out at their default, the same AnyValue mapping. Field numbers are those of opentelemetry-proto
 * (common.proto, resource.proto, trace.proto, logs.proto); trace and span ids are raw bytes,
 * timestamps fixed64 nanoseconds. Fields are written in field-number order, the canonical order.
 */

// The one writer of this module: encoding is synchronous, and the output is copied out.
const w = new ProtoWriter();

const TWO_32 = 4294967296;

/** fixed64 nanoseconds from epoch milliseconds, the same value toUnixNano spells in decimal. */
function writeTime(ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0) {
    w.fixed64(0, 0);
    return;
  }
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac >= 1e6) {
    whole += 1;
    frac -= 1e6;
  }
  // whole · 10^6 passes 2^53: multiply the 32-bit halves of `whole` separately (each product exact)
  const wh = Math.floor(whole / TWO_32);
  const p = (whole - wh * TWO_32) * 1e6 + frac;
  const lo = p % TWO_32;
  const hi = wh * 1e6 + Math.floor(p / TWO_32);
  w.fixed64(lo, hi);
}

// common.proto AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4,
// array_value 5, kvlist_value 6, bytes_value 7. A member of the oneof is written even at its
// default (an empty string, 0, false), or the value would read back as unset.
function writeAnyValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      w.string(1, value);
      return;
    case 'boolean':
      w.tag(2, 0);
      w.varint32(value ? 1 : 0);
      return;
    case 'number':
      if (isInt64Number(value)) {
        w.tag(3, 0);
        w.int64(value);
      } else {
        w.tag(4, 1);
        w.double(value);
      }
      return;
    case 'bigint':
      if (isInt64BigInt(value)) {
        w.tag(3, 0);
        w.int64Big(value);
      } else w.string(1, value.toString());
      return;
    case 'object': {
      if (value === null) return;
      if (depth >= 8) {
        w.string(1, '[depth limit]');
        return;
      }
      if (Array.isArray(value)) {
        w.begin(5);
        for (let i = 0; i < value.length; i++) {
          w.begin(1); // ArrayValue.values
          writeAnyValue(value[i], depth + 1);
          w.end();
        }
        w.end();
        return;
      }
      if (value instanceof Uint8Array) {
        w.bytes(7, value);
        return;
      }
      if (value instanceof Date) {
        w.string(1, Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
        return;
      }
      w.begin(6, 2);
      const o = value as Record<string, unknown>;
      for (const k in o) {
        if (!Object.hasOwn(o, k)) continue;
        const v = o[k];
        if (v !== undefined) writeKeyValue(1, k, v, depth + 1); // KeyValueList.values
      }
      w.end();
      return;
    }
    default:
      // A symbol or a function: written as text, as the JSON encoder writes it.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      if (value !== undefined) w.string(1, String(value));
  }
}

// common.proto KeyValue: key 1, value 2.
function writeKeyValue(field: number, key: string, value: unknown, depth: number): void {
  w.begin(field);
  w.string(1, key);
  w.begin(2);
  writeAnyValue(value, depth);
  w.end();
  w.end();
}

function writeAttributes(field: number, attributes: Attributes | Record<string, unknown>): void {
  for (const key in attributes) {
    const v = attributes[key];
    if (v !== undefined) writeKeyValue(field, key, v, 0);
  }
}

function writeUint32(field: number, v: number): void {
  w.tag(field, 0);
  w.varint32(v >>> 0);
}

// resource.proto Resource: attributes 1, dropped_attributes_count 2.
function writeResource(field: number, r: ResourceData): void {
  w.begin(field, 2);
  writeAttributes(1, r.attributes);
  if (r.droppedAttributesCount !== undefined && r.droppedAttributesCount > 0) writeUint32(2, r.droppedAttributesCount);
  w.end();
}

// common.proto InstrumentationScope: name 1, version 2.
function writeScope(field: number, s: ScopeData): void {
  w.begin(field);
  w.string(1, s.name);
  if (s.version !== undefined && s.version !== '') w.string(2, s.version);
  w.end();
}

// trace.proto Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6,
// start_time_unix_nano 7, end_time_unix_nano 8, attributes 9, dropped_attributes_count 10,
// events 11, dropped_events_count 12, links 13, dropped_links_count 14, status 15, flags 16.
function writeSpan(s: SpanRecord): void {
  w.begin(2, 2); // ScopeSpans.spans
  w.hexBytes(1, s.traceId);
  w.hexBytes(2, s.spanId);
  if (s.traceState !== undefined && s.traceState !== '') w.string(3, s.traceState);
  if (s.parentSpanId !== undefined && s.parentSpanId !== '') w.hexBytes(4, s.parentSpanId);
  w.string(5, s.name);
  // SpanKind: OTLP's UNSPECIFIED is 0, so the API kind shifts by one (SERVER 1 → 2).
  writeUint32(6, s.kind + 1);
  w.tag(7, 1);
  writeTime(s.startTime);
  w.tag(8, 1);
  writeTime(s.endTime);
  writeAttributes(9, s.attributes);
  if (s.droppedAttributesCount > 0) writeUint32(10, s.droppedAttributesCount);
  // Span.Event: time_unix_nano 1, name 2, attributes 3, dropped_attributes_count 4.
  for (const e of s.events) {
    w.begin(11);
    w.tag(1, 1);
    writeTime(e.time);
    w.string(2, e.name);
    writeAttributes(3, e.attributes);
    if (e.droppedAttributesCount > 0) writeUint32(4, e.droppedAttributesCount);
    w.end();
  }
  if (s.droppedEventsCount > 0) writeUint32(12, s.droppedEventsCount);
  // Span.Link: trace_id 1, span_id 2, trace_state 3, attributes 4, dropped_attributes_count 5, flags 6.
  for (const l of s.links) {
    w.begin(13);
    w.hexBytes(1, l.traceId);
    w.hexBytes(2, l.spanId);
    if (l.traceState !== undefined && l.traceState !== '') w.string(3, l.traceState);
    writeAttributes(4, l.attributes);
    if (l.droppedAttributesCount > 0) writeUint32(5, l.droppedAttributesCount);
    if (l.traceFlags !== undefined && (l.traceFlags & 0xff) !== 0) {
      w.tag(6, 5);
      w.fixed32(l.traceFlags & 0xff);
    }
    w.end();
  }
  if (s.droppedLinksCount > 0) writeUint32(14, s.droppedLinksCount);
  // Status: message 2, code 3 (present even when empty, as in the JSON form).
  w.begin(15);
  if (s.status.message !== undefined && s.status.message !== '') w.string(2, s.status.message);
  if (s.status.code !== 0) writeUint32(3, s.status.code);
  w.end();
  // Span.flags (fixed32): bits 0–7 are the W3C trace flags.
  if ((s.traceFlags & 0xff) !== 0) {
    w.tag(16, 5);
    w.fixed32(s.traceFlags & 0xff);
  }
  w.end();
}

/**
 * Spans → `ExportTraceServiceRequest` in protobuf, grouped by resource and scope.
 * @example
 * const body = encodeTracesProtobuf(spans); // POST to /v1/traces with content-type application/x-protobuf
 */
export function encodeTracesProtobuf(spans: readonly SpanRecord[]): Buffer {
  // ExportTraceServiceRequest.resource_spans 1; ResourceSpans: resource 1, scope_spans 2,
  // schema_url 3; ScopeSpans: scope 1, spans 2, schema_url 3.
  return encodeGrouped(spans, writeSpan);
}

/**
 * The shape both requests share: field 1 repeats resource groups (resource 1, scope groups 2,
 * schema_url 3), each scope group holds its scope (1), its items (2, written by `item`) and its
 * schema_url (3).
 */
function encodeGrouped<T extends { readonly resource: ResourceData; readonly scope: ScopeData }>(items: readonly T[], item: (x: T) => void): Buffer {
  w.reset();
  for (const g of group(items)) {
    w.begin(1, 3);
    writeResource(1, g.resource);
    for (const s of g.scopes) {
      w.begin(2, 3);
      writeScope(1, s.scope);
      for (const x of s.items) item(x);
      if (s.scope.schemaUrl !== undefined && s.scope.schemaUrl !== '') w.string(3, s.scope.schemaUrl);
      w.end();
    }
    if (g.resource.schemaUrl !== undefined && g.resource.schemaUrl !== '') w.string(3, g.resource.schemaUrl);
    w.end();
  }
  return w.finish();
}

// logs.proto LogRecord: time_unix_nano 1, severity_number 2, severity_text 3, body 5,
// attributes 6, dropped_attributes_count 7, flags 8, trace_id 9, span_id 10,
// observed_time_unix_nano 11.
function writeLogRecord(r: LogRecordData): void {
  w.begin(2, 2); // ScopeLogs.log_records
  w.tag(1, 1);
  writeTime(r.time);
  if (r.severityNumber !== 0) writeUint32(2, r.severityNumber);
  if (r.severityText !== '') w.string(3, r.severityText);
  w.begin(5, 2);
  w.string(1, r.body);
  w.end();
  writeAttributes(6, r.attributes);
  if (r.traceFlags !== undefined && (r.traceFlags & 0xff) !== 0) {
    w.tag(8, 5);
    w.fixed32(r.traceFlags & 0xff);
  }
  if (r.traceId !== undefined) w.hexBytes(9, r.traceId);
  if (r.spanId !== undefined) w.hexBytes(10, r.spanId);
  w.tag(11, 1); // observed time: when the line was written, as the JSON form says too
  writeTime(r.time);
  w.end();
}

/**
 * Log records → `ExportLogsServiceRequest` in protobuf, grouped by resource and scope.
 * @example
 * const body = encodeLogsProtobuf(records); // POST to /v1/logs with content-type application/x-protobuf
 */
export function encodeLogsProtobuf(records: readonly LogRecordData[]): Buffer {
  // ExportLogsServiceRequest.resource_logs 1; ResourceLogs: resource 1, scope_logs 2,
  // schema_url 3; ScopeLogs: scope 1, log_records 2, schema_url 3.
  return encodeGrouped(records, writeLogRecord);
}

/** Reads a varint at `pos`; returns [value, next position], or undefined past the end. */
function readVarint(b: Uint8Array, pos: number): [number, number] | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) return undefined;
    const byte = b[pos++]!;
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, pos];
    mul *= 128;
  }
  return undefined;
}

/** Walks the fields of one message in b[start, end): calls `onField` per field; false when malformed. */
function eachField(b: Uint8Array, start: number, end: number, onField: (field: number, wire: number, value: number, from: number, to: number) => void): boolean {
  let pos = start;
  while (pos < end) {
    const t = readVarint(b, pos);
    if (t === undefined) return false;
    pos = t[1];
    const field = Math.floor(t[0] / 8);
    const wire = t[0] % 8;
    if (wire === 0) {
      const v = readVarint(b, pos);
      if (v === undefined) return false;
      onField(field, wire, v[0], pos, v[1]);
      pos = v[1];
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else if (wire === 2) {
      const l = readVarint(b, pos);
      if (l === undefined || l[1] + l[0] > end) return false;
      onField(field, wire, l[0], l[1], l[1] + l[0]);
      pos = l[1] + l[0];
    } else return false;
  }
  return pos === end;
}

/**
 * How many items a protobuf `Export{Trace,Logs}ServiceResponse` says were refused: its
 * `partial_success` (field 1) holds `rejected_spans` / `rejected_log_records` (field 1, int64).
 * 0 for an empty or malformed answer.
 */
export function rejectedInProtobufResponse(body: Uint8Array): number {
  let rejected = 0;
  const ok = eachField(body, 0, body.length, (field, wire, _v, from, to) => {
    if (field !== 1 || wire !== 2) return;
    eachField(body, from, to, (f, wt, value) => {
      if (f === 1 && wt === 0) rejected = value;
    });
  });
  return ok && Number.isFinite(rejected) && rejected > 0 && rejected < 2 ** 53 ? rejected : 0;
}
