import type { Attributes } from './attributes.js';
import type { ResourceData } from './resource.js';

/**
 * A finished span as processors and exporters see it (the tracer produces it at `end()`; the
 * OTLP encoder and the in-process views consume it).
 */

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
