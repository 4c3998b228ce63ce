import { envInt } from '../env.js';
import { InvalidNumber, UnknownOption } from './errors.js';
import { checkOptionKeys, optionKeys } from '../errors.js';

/** Bounds on what one span may hold; whatever goes over is dropped and counted on the span. */
export interface SpanLimits {
  /** Attributes per span (default 128, env OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT). */
  attributeCountLimit: number;
  /** Characters per string attribute value, also inside arrays (default unlimited, env OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT). */
  attributeValueLengthLimit: number;
  /** Events per span (default 128, env OTEL_SPAN_EVENT_COUNT_LIMIT). */
  eventCountLimit: number;
  /** Links per span (default 128, env OTEL_SPAN_LINK_COUNT_LIMIT). */
  linkCountLimit: number;
  /** Attributes per event (default 128, env OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT). */
  attributePerEventCountLimit: number;
  /** Attributes per link (default 128, env OTEL_LINK_ATTRIBUTE_COUNT_LIMIT). */
  attributePerLinkCountLimit: number;
}

const ENV: Record<keyof SpanLimits, string[]> = {
  attributeCountLimit: ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'],
  attributeValueLengthLimit: ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
  eventCountLimit: ['OTEL_SPAN_EVENT_COUNT_LIMIT'],
  linkCountLimit: ['OTEL_SPAN_LINK_COUNT_LIMIT'],
  attributePerEventCountLimit: ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'],
  attributePerLinkCountLimit: ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'],
};

const LIMIT_KEYS = optionKeys<SpanLimits>()([
  'attributeCountLimit', 'attributeValueLengthLimit', 'eventCountLimit', 'linkCountLimit', 'attributePerEventCountLimit', 'attributePerLinkCountLimit',
]);

const DEFAULTS: SpanLimits = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
};

/** Options first, then the environment, then the defaults. Throws on a bad option. */
export function resolveLimits(options: Partial<SpanLimits> | undefined, env: NodeJS.ProcessEnv): SpanLimits {
  const out = { ...DEFAULTS };
  if (typeof options === 'object' && options !== null) checkOptionKeys(options, LIMIT_KEYS, UnknownOption, 'limits', 'limits');
  for (const key of Object.keys(DEFAULTS) as (keyof SpanLimits)[]) {
    const v = options?.[key];
    if (v !== undefined) {
      if (typeof v !== 'number' || !(v >= 0) || (v !== Infinity && !Number.isInteger(v))) {
        throw InvalidNumber(`limits.${key}`, v, 'a non-negative integer or Infinity');
      }
      out[key] = v;
      continue;
    }
    for (const name of ENV[key]) {
      const e = envInt(env, name, 'trace', false);
      if (e !== undefined) {
        out[key] = e;
        break;
      }
    }
  }
  return out;
}
