import type {
  Exception,
  Link,
  Span as ApiSpan,
  SpanAttributeValue,
  SpanAttributes,
  SpanContext,
  SpanStatus,
  TimeInput,
  TraceState,
} from '@opentelemetry/api';
import { copyAttributes, sanitizeValue } from './attributes.js';
import type { AttributeValue, Attributes } from './attributes.js';
import { now, toEpochMs } from './clock.js';
import { hexId } from './ids.js';
import type { SpanLimits } from './limits.js';
import type { ResourceData } from './resource.js';
import type { ScopeData, SpanEventData, SpanLinkData, SpanRecord } from './span-record.js';

/** What a span needs from its provider: limits, and where to go when it ends (not part of the API). */
export interface SpanOwner {
  readonly limits: SpanLimits;
  readonly resource: ResourceData;
  endSpan(span: Span): void;
}

/**
 * Attributes an instrumentation records as raw values on a span (`span._lazy`), written with
 * `span._put(key, value)` by `fill` when first needed (not part of the API).
 */
export interface LazyAttributes {
  fill(span: Span): void;
}

/**
 * What the Tracer starts a span with. An id is either its hex string or a (buffer, offset) slice
 * of the id pool, encoded on first read (see ids.ts). @internal
 */
export interface SpanInit {
  readonly owner: SpanOwner;
  readonly scope: ScopeData;
  readonly name: string;
  readonly kind: number;
  /** Hex, or undefined with the slice below. */
  readonly traceId: string | undefined;
  readonly traceIdBuf: Buffer | undefined;
  readonly traceIdOff: number;
  /** Always a fresh pool slice. */
  readonly spanIdBuf: Buffer;
  readonly spanIdOff: number;
  /** Hex, or undefined with the slice below (both undefined for a root span). */
  readonly parentSpanId: string | undefined;
  readonly parentIdBuf: Buffer | undefined;
  readonly parentIdOff: number;
  readonly localRoot: boolean;
  readonly traceFlags: number;
  readonly traceState: TraceState | undefined;
  readonly startTime: number;
}

const EMPTY: never[] = [];
Object.freeze(EMPTY);
const UNSET: { readonly code: number; readonly message?: string } = Object.freeze({ code: 0 });

/**
 * A recording span. It implements the @opentelemetry/api `Span` and, once ended, is itself the
 * `SpanRecord` handed to processors and exporters (no copy at end). Fields are public for
 * exporters; change them only through the methods.
 * @example
 * const span = tracer.startSpan('load user');
 * span.setAttribute('user.id', id);
 * span.end();
 */
export class Span implements ApiSpan, SpanRecord {
  // Ids are held as pool slices and hex-encoded on first read (see ids.ts).
  /** @internal */ _traceId: string | undefined;
  /** @internal */ _tb: Buffer | undefined;
  /** @internal */ _to: number;
  /** @internal */ _spanId: string | undefined;
  /** @internal */ _sb: Buffer | undefined;
  /** @internal */ _so: number;
  /** @internal */ _parentSpanId: string | undefined;
  /** @internal */ _pb: Buffer | undefined;
  /** @internal */ _po: number;
  readonly traceState: string | undefined;
  readonly traceFlags: number;
  name: string;
  readonly kind: number;
  readonly startTime: number;
  /** 0 while the span runs. */
  endTime = 0;
  /** @internal the attributes set so far (read them through `attributes`) */
  _attrs: Attributes = {};
  /**
   * @internal attributes recorded as raw values by an instrumentation and written into
   * `attributes` only when something reads them (an exporter, the dashboard) or sets another
   * attribute: most spans of a busy server are never read attribute by attribute.
   */
  _lazy: LazyAttributes | undefined = undefined;
  /** @internal */
  _droppedAttrs = 0;
  events: SpanEventData[] = EMPTY;
  droppedEventsCount = 0;
  links: SpanLinkData[] = EMPTY;
  droppedLinksCount = 0;
  status: { readonly code: number; readonly message?: string } = UNSET;
  readonly resource: ResourceData;
  readonly scope: ScopeData;
  /** True when the parent is absent or remote: this span is the root of its local trace. */
  readonly localRoot: boolean;
  /** @internal */
  readonly _owner: SpanOwner;
  /** @internal number of distinct attribute keys */
  _attrCount = 0;
  /** @internal */
  _traceStateObj: TraceState | undefined;
  /** @internal cached SpanContext */
  _sc: SpanContext | undefined = undefined;

  /** @internal created by the Tracer */
  constructor(init: SpanInit) {
    this._owner = init.owner;
    this.resource = init.owner.resource;
    this.scope = init.scope;
    this.name = init.name;
    this.kind = init.kind;
    this._traceId = init.traceId;
    this._tb = init.traceIdBuf;
    this._to = init.traceIdOff;
    this._spanId = undefined;
    this._sb = init.spanIdBuf;
    this._so = init.spanIdOff;
    this._parentSpanId = init.parentSpanId;
    this._pb = init.parentIdBuf;
    this._po = init.parentIdOff;
    this.localRoot = init.localRoot;
    this.traceFlags = init.traceFlags;
    const traceState = init.traceState;
    this._traceStateObj = traceState;
    this.traceState = traceState === undefined ? undefined : traceState.serialize();
    this.startTime = init.startTime;
  }

  /** 32 lowercase hex chars. */
  get traceId(): string {
    let id = this._traceId;
    if (id === undefined) {
      id = this._traceId = hexId(this._tb as Buffer, this._to, 16);
      this._tb = undefined;
    }
    return id;
  }

  /** 16 lowercase hex chars. */
  get spanId(): string {
    let id = this._spanId;
    if (id === undefined) {
      id = this._spanId = hexId(this._sb as Buffer, this._so, 8);
      this._sb = undefined;
    }
    return id;
  }

  /** The parent's span id (local or remote), undefined for a root span. */
  get parentSpanId(): string | undefined {
    let id = this._parentSpanId;
    if (id === undefined && this._pb !== undefined) {
      id = this._parentSpanId = hexId(this._pb, this._po, 8);
      this._pb = undefined;
    }
    return id;
  }

  spanContext(): SpanContext {
    return (this._sc ??= {
      traceId: this.traceId,
      spanId: this.spanId,
      traceFlags: this.traceFlags,
      isRemote: false,
      traceState: this._traceStateObj,
    });
  }

  /** Duration in milliseconds (0 while running). */
  get duration(): number {
    return this.endTime === 0 ? 0 : this.endTime - this.startTime;
  }

  /** True once `end()` was called. */
  get ended(): boolean {
    return this.endTime !== 0;
  }

  /** Attribute values (with the limits applied). */
  get attributes(): Attributes {
    if (this._lazy !== undefined) this._fill();
    return this._attrs;
  }

  /** Attributes dropped by the count limit. */
  get droppedAttributesCount(): number {
    if (this._lazy !== undefined) this._fill();
    return this._droppedAttrs;
  }

  /** @internal writes the lazy attributes, in the order they would have been set. */
  _fill(): void {
    const lazy = this._lazy as LazyAttributes;
    this._lazy = undefined;
    try {
      lazy.fill(this);
    } catch {
      // an instrumentation's filler must not break an exporter
    }
  }

  setAttribute(key: string, value: SpanAttributeValue): this {
    if (this.endTime !== 0) return this;
    if (this._lazy !== undefined) this._fill();
    return this._put(key, value);
  }

  /** @internal sets one attribute with the limits applied, also after end (lazy attributes). */
  _put(key: string, value: SpanAttributeValue): this {
    if (typeof key !== 'string' || key === '' || key === '__proto__') return this;
    const limits = this._owner.limits;
    let v: unknown = value;
    // Fast path for the common scalar values; arrays and oversize strings go through sanitize.
    const t = typeof value;
    if (t !== 'number' && t !== 'boolean' && (t !== 'string' || (value as string).length > limits.attributeValueLengthLimit)) {
      v = sanitizeValue(value, limits.attributeValueLengthLimit);
      if (v === undefined) return this;
    }
    const attrs = this._attrs;
    if (!Object.hasOwn(attrs, key)) {
      if (this._attrCount >= limits.attributeCountLimit) {
        this._droppedAttrs++;
        return this;
      }
      this._attrCount++;
    }
    attrs[key] = v as AttributeValue;
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    if (this.endTime !== 0 || attributes === null || typeof attributes !== 'object') return this;
    for (const key in attributes) {
      if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key] as SpanAttributeValue); // api 1.9 types values as possibly undefined; setAttribute drops invalid ones
    }
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: SpanAttributes | TimeInput, startTime?: TimeInput): this {
    if (this.endTime !== 0) return this;
    const limits = this._owner.limits;
    if (this.events.length >= limits.eventCountLimit) {
      this.droppedEventsCount++;
      return this;
    }
    let attrs: SpanAttributes | undefined;
    let time = startTime;
    if (typeof attributesOrStartTime === 'number' || Array.isArray(attributesOrStartTime) || attributesOrStartTime instanceof Date) {
      time = attributesOrStartTime;
    } else if (attributesOrStartTime !== null && typeof attributesOrStartTime === 'object') {
      attrs = attributesOrStartTime;
    }
    const attributes: Attributes = {};
    const dropped = attrs === undefined ? 0 : copyAttributes(attributes, attrs, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit);
    if (this.events === EMPTY) this.events = [];
    this.events.push({ name: String(name), time: time === undefined ? now() : toEpochMs(time), attributes, droppedAttributesCount: dropped });
    return this;
  }

  addLink(link: Link): this {
    if (this.endTime !== 0 || link === null || typeof link !== 'object') return this;
    const sc = link.context;
    if (sc === null || typeof sc !== 'object') return this;
    const limits = this._owner.limits;
    if (this.links.length >= limits.linkCountLimit) {
      this.droppedLinksCount++;
      return this;
    }
    const attributes: Attributes = {};
    const dropped = link.attributes === undefined ? 0 : copyAttributes(attributes, link.attributes, limits.attributePerLinkCountLimit, limits.attributeValueLengthLimit);
    if (this.links === EMPTY) this.links = [];
    this.links.push({
      traceId: sc.traceId,
      spanId: sc.spanId,
      traceState: sc.traceState?.serialize(),
      traceFlags: sc.traceFlags,
      attributes,
      droppedAttributesCount: dropped + (link.droppedAttributesCount ?? 0),
    });
    return this;
  }

  addLinks(links: Link[]): this {
    if (Array.isArray(links)) for (const l of links) this.addLink(l);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // Spec: OK is final; UNSET is ignored; a description only accompanies ERROR.
    if (this.endTime !== 0 || this.status.code === 1 || status === null || typeof status !== 'object') return this;
    const code = status.code as number;
    if (code === 1) this.status = { code: 1 };
    else if (code === 2) this.status = typeof status.message === 'string' ? { code: 2, message: status.message } : { code: 2 };
    return this;
  }

  updateName(name: string): this {
    if (this.endTime === 0) this.name = String(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endTime !== 0) return;
    let t = endTime === undefined ? now() : toEpochMs(endTime);
    if (t < this.startTime) t = this.startTime;
    // A zero end time would read as "running": nudge it (only possible with an epoch-0 start).
    this.endTime = t === 0 ? Number.MIN_VALUE : t;
    this._owner.endSpan(this);
  }

  isRecording(): boolean {
    return this.endTime === 0;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    if (this.endTime !== 0) return;
    this.addEvent('exception', exceptionAttributes(exception), time);
  }
}

/** Semantic conventions for an `exception` event. */
export function exceptionAttributes(exception: unknown): SpanAttributes {
  const attrs: SpanAttributes = {};
  if (typeof exception === 'string') {
    attrs['exception.message'] = exception;
    return attrs;
  }
  if (exception !== null && typeof exception === 'object') {
    const e = exception as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown; constructor?: { name?: unknown } };
    const code = e.code;
    if (typeof code === 'string' || typeof code === 'number') attrs['exception.type'] = String(code);
    else if (typeof e.name === 'string') attrs['exception.type'] = e.name;
    if (typeof e.message === 'string') attrs['exception.message'] = e.message;
    if (typeof e.stack === 'string') attrs['exception.stacktrace'] = e.stack;
    return attrs;
  }
  attrs['exception.message'] = String(exception);
  return attrs;
}
