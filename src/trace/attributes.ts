/** An attribute value as OpenTelemetry defines it: a primitive or a homogeneous array of one. */
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

/**
 * Attribute validation shared by spans, events, links and resources. Per the OpenTelemetry
 * attribute rules: a value is a string, a number, a boolean or a homogeneous array of one of those
 * (null/undefined allowed inside); anything else is ignored. Strings are truncated to the limit.
 * A `bigint` (or an array of them) is kept too, though the API's types leave it out: OTLP's
 * int64 carries it exactly, where a number past 2^53 has already lost digits.
 */

/** The value to store, or undefined when it must be ignored. Arrays are copied. */
export function sanitizeValue(value: unknown, maxLength: number): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return value.length > maxLength ? value.slice(0, maxLength) : value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object':
      return Array.isArray(value) ? sanitizeArray(value, maxLength) : undefined;
    default:
      return undefined;
  }
}

function sanitizeArray(value: readonly unknown[], maxLength: number): AttributeValue | undefined {
  let kind: string | undefined;
  const out: unknown[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    let v = value[i];
    if (v !== null && v !== undefined) {
      const t = typeof v;
      if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'bigint') return undefined;
      if (kind === undefined) kind = t;
      else if (kind !== t) return undefined;
      if (t === 'string' && (v as string).length > maxLength) v = (v as string).slice(0, maxLength);
    }
    out[i] = v;
  }
  return out as AttributeValue;
}

/**
 * Copies valid attributes from `input` into `target` up to `countLimit` distinct keys; returns
 * how many were dropped for the limit.
 */
export function copyAttributes(target: Attributes, input: Readonly<Record<string, unknown>>, countLimit: number, maxLength: number): number {
  let count = 0;
  for (const _ in target) count++;
  let dropped = 0;
  for (const key in input) {
    if (!Object.hasOwn(input, key) || key === '' || key === '__proto__') continue;
    const v = sanitizeValue(input[key], maxLength);
    if (v === undefined) continue;
    if (!Object.hasOwn(target, key)) {
      if (count >= countLimit) {
        dropped++;
        continue;
      }
      count++;
    }
    target[key] = v;
  }
  return dropped;
}
