/**
 * The data model shared by the tracer (producer) and the OTLP encoders/exporters (consumers).
 * A finished span is handed to processors and exporters as a `SpanRecord`; a log line exported
 * over OTLP becomes a `LogRecordData`.
 */

/**
 * An attribute value: @opentelemetry/api's `AttributeValue`, plus `bigint` (exported as an exact
 * int64 `intValue`), which JavaScript callers may pass.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | bigint
  | readonly (string | null | undefined)[]
  | readonly (number | null | undefined)[]
  | readonly (boolean | null | undefined)[]
  | readonly (bigint | null | undefined)[];

export type Attributes = Record<string, AttributeValue | undefined>;

/** Resource: who produced the telemetry (service.name, host.name, …). */
export interface ResourceData {
  readonly attributes: Attributes;
  readonly droppedAttributesCount?: number;
  readonly schemaUrl?: string;
}

/** Instrumentation scope: which library produced it. */
export interface ScopeData {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

export interface SpanEventData {
  readonly name: string;
  /** Epoch milliseconds, fractional (sub-millisecond precision). */
  readonly time: number;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface SpanLinkData {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState?: string;
  readonly traceFlags?: number;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

/** A finished span. Ids are lowercase hex (32 and 16 chars). */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** Serialized W3C tracestate, if any. */
  readonly traceState: string | undefined;
  /** W3C flags: bit 0 sampled, bit 1 random. */
  readonly traceFlags: number;
  readonly name: string;
  /** @opentelemetry/api SpanKind: INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4 (OTLP = +1). */
  readonly kind: number;
  /** Epoch milliseconds, fractional. */
  readonly startTime: number;
  /** Epoch milliseconds, fractional. */
  readonly endTime: number;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEventData[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLinkData[];
  readonly droppedLinksCount: number;
  /** @opentelemetry/api SpanStatusCode: UNSET 0, OK 1, ERROR 2 (same numbers in OTLP). */
  readonly status: { readonly code: number; readonly message?: string };
  readonly resource: ResourceData;
  readonly scope: ScopeData;
}

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
