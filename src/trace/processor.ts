import type { Context } from '@opentelemetry/api';
import type { SpanRecord } from './span-record.js';

/**
 * A span processor sees every recorded span: `onStart` when it starts (the live span, whose
 * `endTime` is 0 until it ends) and `onEnd` once it ended, as a `SpanRecord`. Both are called on the
 * application's hot path: they must be cheap and must not throw (the tracer guards them anyway).
 * Only sampled spans reach `onEnd` unless a processor asks for recorded-only spans too.
 * @example
 * const counter: SpanProcessor = {
 *   onEnd(span) { if (span.status.code === 2) errors++; },
 *   async forceFlush() {},
 *   async shutdown() {},
 * };
 */
export interface SpanProcessor {
  onStart?(span: SpanRecord, parentContext: Context): void;
  onEnd(span: SpanRecord): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
