import type { Span as ApiSpan, SpanContext, TraceState } from '@opentelemetry/api';
import { InertSpan } from './inert-span.js';
import { hexId, newSpanId } from './ids.js';

const NO_BUF = Buffer.alloc(0);

/**
 * A span that is not recorded (sampled out, suppressed, or standing for a remote context). It is
 * its own SpanContext, so creating one costs a single small object; its ids are hex-encoded only
 * if read (see ids.ts).
 */
export class NonRecordingSpan extends InertSpan implements ApiSpan, SpanContext {
  /** @internal */ _traceId: string | undefined;
  /** @internal */ _tb: Buffer | undefined;
  /** @internal */ _to: number;
  /** @internal */ _spanId: string | undefined;
  /** @internal */ _sb: Buffer;
  /** @internal */ _so: number;
  readonly traceFlags: number;
  readonly isRemote: boolean;
  readonly traceState: TraceState | undefined;

  /** Ids as hex strings; the tracer may instead pass `undefined` ids with pool slices (internal). */
  constructor(
    traceId: string | undefined,
    spanId: string | undefined,
    traceFlags: number,
    traceState?: TraceState,
    isRemote = false,
    tb?: Buffer,
    to = 0,
    sb: Buffer = NO_BUF,
    so = 0,
  ) {
    super();
    this._traceId = traceId;
    this._tb = tb;
    this._to = to;
    this._spanId = spanId;
    this._sb = sb;
    this._so = so;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
    this.isRemote = isRemote;
  }

  get traceId(): string {
    return (this._traceId ??= hexId(this._tb as Buffer, this._to, 16));
  }

  get spanId(): string {
    return (this._spanId ??= this._sb === NO_BUF ? newSpanId() : hexId(this._sb, this._so, 8));
  }

  spanContext(): SpanContext {
    return this;
  }
}

/** The invalid span returned when tracing is suppressed. */
export const INVALID_SPAN = new NonRecordingSpan('00000000000000000000000000000000', '0000000000000000', 0);
