import type { Attributes, ResourceData, ScopeData, SpanRecord } from '../trace/index.js';
import type { LogRecordData } from './log-record.js';

/**
 * OTLP/HTTP JSON encoding (opentelemetry-proto, "JSON Protobuf Encoding"): lowerCamelCase
 * fields, trace and span ids as hex strings (not base64), enums as integers, 64-bit integers as
 * decimal strings. Fields at their default value are omitted, as the proto JSON mapping allows.
 */

/** proto `AnyValue` in its JSON form. */
export type AnyValueJson =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | string }
  | { bytesValue: string }
  | { arrayValue: { values?: AnyValueJson[] } }
  | { kvlistValue: { values?: KeyValueJson[] } }
  | Record<string, never>;

export interface KeyValueJson {
  key: string;
  value: AnyValueJson;
}

/**
 * Epoch milliseconds (fractional) → exact decimal nanoseconds, without going through a float
 * multiplication that would lose the low digits past 2^53.
 */
export function toUnixNano(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac >= 1e6) {
    whole += 1;
    frac -= 1e6;
  }
  if (whole === 0) return String(frac);
  return `${whole}${String(frac).padStart(6, '0')}`;
}

const INT64_LIMIT = 2 ** 63; // exactly representable as a double

/** An integer number int64 can hold: -2^63 ≤ v < 2^63. */
export function isInt64Number(v: number): boolean {
  return Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT;
}

/** A BigInt int64 can hold. */
export function isInt64BigInt(v: bigint): boolean {
  return v >= -0x8000000000000000n && v < 0x8000000000000000n;
}

/** A JS value → proto AnyValue (JSON mapping). Depth-limited so cyclic input cannot recurse forever. */
export function toAnyValue(value: unknown, depth = 0): AnyValueJson {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (Number.isSafeInteger(value)) return { intValue: String(value) };
      // An integer past 2^53 is still an integer (its digits are those of the double): int64
      // holds it exactly up to 2^63, so it goes out as one rather than as a double.
      if (isInt64Number(value)) return { intValue: BigInt(value).toString() };
      // proto JSON spells non-finite doubles as strings
      if (Number.isNaN(value)) return { doubleValue: 'NaN' };
      if (value === Infinity) return { doubleValue: 'Infinity' };
      if (value === -Infinity) return { doubleValue: '-Infinity' };
      return { doubleValue: value };
    case 'bigint':
      // outside int64 the exact decimal digits are kept, as a string
      return isInt64BigInt(value) ? { intValue: value.toString() } : { stringValue: value.toString() };
    case 'object': {
      if (value === null) return {};
      if (depth >= 8) return { stringValue: '[depth limit]' };
      // empty repeated fields are omitted, as the proto JSON mapping prints them
      if (Array.isArray(value)) return value.length === 0 ? { arrayValue: {} } : { arrayValue: { values: value.map((v) => toAnyValue(v, depth + 1)) } };
      if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      if (value instanceof Date) return { stringValue: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
      const values: KeyValueJson[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) values.push({ key: k, value: toAnyValue(v, depth + 1) });
      }
      return values.length === 0 ? { kvlistValue: {} } : { kvlistValue: { values } };
    }
    default:
      return value === undefined ? {} : { stringValue: String(value) };
  }
}

/** Attributes → proto `repeated KeyValue`; undefined values are skipped. */
export function toKeyValues(attributes: Attributes | Record<string, unknown>): KeyValueJson[] {
  const out: KeyValueJson[] = [];
  for (const key in attributes) {
    const v = attributes[key];
    if (v !== undefined) out.push({ key, value: toAnyValue(v) });
  }
  return out;
}

function resourceJson(r: ResourceData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attributes = toKeyValues(r.attributes);
  if (attributes.length > 0) out['attributes'] = attributes;
  if (r.droppedAttributesCount !== undefined && r.droppedAttributesCount > 0) out['droppedAttributesCount'] = r.droppedAttributesCount;
  return out;
}

function scopeJson(s: ScopeData): Record<string, unknown> {
  const out: Record<string, unknown> = { name: s.name };
  if (s.version !== undefined && s.version !== '') out['version'] = s.version;
  return out;
}

function scopeKey(s: ScopeData): string {
  return `${s.name}\u0000${s.version ?? ''}\u0000${s.schemaUrl ?? ''}`;
}

/** BigInt attribute values in a key: as an object, which no attribute value can be, so `5n` and `"5"` differ. */
function keyReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? { bigint: v.toString() } : v;
}

function resourceKey(r: ResourceData): string {
  return JSON.stringify([r.attributes, r.schemaUrl ?? ''], keyReplacer);
}

/** Groups items by resource (by value), then by scope (name, version, schema URL), keeping order. */
export function group<T extends { resource: ResourceData; scope: ScopeData }>(items: readonly T[]): { resource: ResourceData; scopes: { scope: ScopeData; items: T[] }[] }[] {
  const byResource = new Map<ResourceData, string>();
  const groups = new Map<string, { resource: ResourceData; scopes: Map<string, { scope: ScopeData; items: T[] }> }>();
  for (const item of items) {
    let rk = byResource.get(item.resource);
    if (rk === undefined) {
      rk = resourceKey(item.resource);
      byResource.set(item.resource, rk);
    }
    let g = groups.get(rk);
    if (g === undefined) {
      g = { resource: item.resource, scopes: new Map() };
      groups.set(rk, g);
    }
    const sk = scopeKey(item.scope);
    let s = g.scopes.get(sk);
    if (s === undefined) {
      s = { scope: item.scope, items: [] };
      g.scopes.set(sk, s);
    }
    s.items.push(item);
  }
  return [...groups.values()].map((g) => ({ resource: g.resource, scopes: [...g.scopes.values()] }));
}

function withSchema(obj: Record<string, unknown>, schemaUrl: string | undefined): Record<string, unknown> {
  if (schemaUrl !== undefined && schemaUrl !== '') obj['schemaUrl'] = schemaUrl;
  return obj;
}

function spanJson(s: SpanRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    traceId: s.traceId,
    spanId: s.spanId,
  };
  if (s.traceState !== undefined && s.traceState !== '') out['traceState'] = s.traceState;
  if (s.parentSpanId !== undefined && s.parentSpanId !== '') out['parentSpanId'] = s.parentSpanId;
  // Span.flags (fixed32): bits 0–7 are the W3C trace flags.
  if ((s.traceFlags & 0xff) !== 0) out['flags'] = s.traceFlags & 0xff;
  out['name'] = s.name;
  // SpanKind: OTLP's UNSPECIFIED is 0, so the API kind shifts by one (SERVER 1 → 2).
  out['kind'] = s.kind + 1;
  out['startTimeUnixNano'] = toUnixNano(s.startTime);
  out['endTimeUnixNano'] = toUnixNano(s.endTime);
  const attributes = toKeyValues(s.attributes);
  if (attributes.length > 0) out['attributes'] = attributes;
  if (s.droppedAttributesCount > 0) out['droppedAttributesCount'] = s.droppedAttributesCount;
  if (s.events.length > 0) {
    out['events'] = s.events.map((e) => {
      const ev: Record<string, unknown> = { timeUnixNano: toUnixNano(e.time), name: e.name };
      const a = toKeyValues(e.attributes);
      if (a.length > 0) ev['attributes'] = a;
      if (e.droppedAttributesCount > 0) ev['droppedAttributesCount'] = e.droppedAttributesCount;
      return ev;
    });
  }
  if (s.droppedEventsCount > 0) out['droppedEventsCount'] = s.droppedEventsCount;
  if (s.links.length > 0) {
    out['links'] = s.links.map((l) => {
      const link: Record<string, unknown> = { traceId: l.traceId, spanId: l.spanId };
      if (l.traceState !== undefined && l.traceState !== '') link['traceState'] = l.traceState;
      const a = toKeyValues(l.attributes);
      if (a.length > 0) link['attributes'] = a;
      if (l.droppedAttributesCount > 0) link['droppedAttributesCount'] = l.droppedAttributesCount;
      if (l.traceFlags !== undefined && (l.traceFlags & 0xff) !== 0) link['flags'] = l.traceFlags & 0xff;
      return link;
    });
  }
  if (s.droppedLinksCount > 0) out['droppedLinksCount'] = s.droppedLinksCount;
  const status: Record<string, unknown> = {};
  if (s.status.code !== 0) status['code'] = s.status.code;
  if (s.status.message !== undefined && s.status.message !== '') status['message'] = s.status.message;
  out['status'] = status;
  return out;
}

/**
 * Spans → `ExportTraceServiceRequest` (JSON mapping), grouped by resource and scope.
 * @example
 * JSON.stringify(encodeTraces(spans)); // POST to /v1/traces with content-type application/json
 */
export function encodeTraces(spans: readonly SpanRecord[]): { resourceSpans: Record<string, unknown>[] } {
  return {
    resourceSpans: group(spans).map((g) => withSchema({
      resource: resourceJson(g.resource),
      scopeSpans: g.scopes.map((s) => withSchema({ scope: scopeJson(s.scope), spans: s.items.map(spanJson) }, s.scope.schemaUrl)),
    }, g.resource.schemaUrl)),
  };
}

function logJson(r: LogRecordData): Record<string, unknown> {
  const t = toUnixNano(r.time);
  const out: Record<string, unknown> = { timeUnixNano: t, observedTimeUnixNano: t };
  if (r.severityNumber !== 0) out['severityNumber'] = r.severityNumber;
  if (r.severityText !== '') out['severityText'] = r.severityText;
  out['body'] = { stringValue: r.body };
  const attributes = toKeyValues(r.attributes);
  if (attributes.length > 0) out['attributes'] = attributes;
  if (r.traceFlags !== undefined && (r.traceFlags & 0xff) !== 0) out['flags'] = r.traceFlags & 0xff;
  if (r.traceId !== undefined) out['traceId'] = r.traceId;
  if (r.spanId !== undefined) out['spanId'] = r.spanId;
  return out;
}

/**
 * Log records → `ExportLogsServiceRequest` (JSON mapping), grouped by resource and scope.
 * @example
 * JSON.stringify(encodeLogs(records)); // POST to /v1/logs
 */
export function encodeLogs(records: readonly LogRecordData[]): { resourceLogs: Record<string, unknown>[] } {
  return {
    resourceLogs: group(records).map((g) => withSchema({
      resource: resourceJson(g.resource),
      scopeLogs: g.scopes.map((s) => withSchema({ scope: scopeJson(s.scope), logRecords: s.items.map(logJson) }, s.scope.schemaUrl)),
    }, g.resource.schemaUrl)),
  };
}
