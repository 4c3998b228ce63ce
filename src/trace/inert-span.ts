import type { Span as ApiSpan, SpanContext } from '@opentelemetry/api';

/**
 * The recording half of the API's `Span`, doing nothing: shared by the spans that only carry a
 * span context (unsampled local spans, remote parents extracted from headers).
 */
export abstract class InertSpan implements ApiSpan {
  abstract spanContext(): SpanContext;
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
  recordException(): void {}
}
