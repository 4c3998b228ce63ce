// One finished span as the encoders' tests start from: a server span with a parent, trace state,
// both trace flags, an error status and sub-millisecond times. Tests override what they examine.
import type { SpanRecord } from 'sightline/otlp';

export function spanRecord(over: Partial<SpanRecord> & Pick<SpanRecord, 'resource' | 'scope'>): SpanRecord {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: 'aaaaaaaaaaaaaaaa',
    traceState: 'congo=t61rcWkgMzE',
    traceFlags: 3,
    name: 'GET /orders/:id',
    kind: 1,
    startTime: 1700000000123.25,
    endTime: 1700000000125.5,
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 2, message: 'failed' },
    ...over,
  };
}
