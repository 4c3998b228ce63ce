import type { Redactor } from './redact.js';

/**
 * The safe serializer: any value becomes valid JSON text, never throwing. Circular references,
 * BigInt, Buffer, Map/Set, typed arrays, throwing getters, `toJSON`, Errors (cause chains and
 * AggregateError members) and huge strings are all handled; redaction is applied at every depth.
 */

export interface SerializeLimits {
  /** Strings longer than this are cut and marked `…[truncated N chars]` (default 16384). */
  maxStringLength: number;
  /** Nesting depth beyond which objects print as `"[Object]"` (default 10). */
  maxDepth: number;
  /** Array items / Map and Set entries / object keys kept per container (default 1000). */
  maxItems: number;
}

export const DEFAULT_LIMITS: SerializeLimits = { maxStringLength: 16_384, maxDepth: 10, maxItems: 1000 };

const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** What JSON.stringify would escape in a string: quote, backslash, controls, surrogates (lone ones are escaped; pairs are left to it). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(s)` for a string: short strings with nothing to escape (ids, paths, addresses,
 * most messages) are quoted directly, which is about twice as fast as the generic stringifier.
 */
export function jsonString(s: string): string {
  return s.length <= 256 && !NEEDS_ESCAPE.test(s) ? '"' + s + '"' : JSON.stringify(s);
}

export class Serializer {
  readonly #redactor: Redactor;
  readonly #limits: SerializeLimits;
  readonly #keyCache = new Map<string, string>();
  /** ECS profile writes errors as `error.type`/`error.message`/`error.stack_trace`. */
  readonly #ecs: boolean;

  constructor(redactor: Redactor, limits: SerializeLimits, ecs = false) {
    this.#redactor = redactor;
    this.#limits = limits;
    this.#ecs = ecs;
  }

  /** `,"key":` for a key, cached. */
  key(k: string): string {
    let s = this.#keyCache.get(k);
    if (s === undefined) {
      s = ',' + JSON.stringify(k) + ':';
      if (this.#keyCache.size < 10_000) this.#keyCache.set(k, s);
    }
    return s;
  }

  /** A string value as JSON, truncated and pattern-redacted. */
  string(s: string): string {
    const max = this.#limits.maxStringLength;
    if (s.length > max) {
      let cut = max;
      const c = s.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut--; // keep surrogate pairs whole
      s = `${s.slice(0, cut)}…[truncated ${s.length - cut} chars]`;
    }
    if (this.#redactor.hasPatterns) s = this.#redactor.redactString(s);
    return jsonString(s);
  }

  /**
   * The members of a fields object as a `,"k":v…` fragment (empty string when none).
   * Never throws.
   */
  fields(obj: object): string {
    try {
      return this.#members(obj, 0, [], this.#redactor.hasPaths ? this.#redactor.rootStates() : undefined);
    } catch (e) {
      // Last resort (e.g. a Proxy whose ownKeys trap throws): still one valid line.
      return `,"log_serialize_error":${JSON.stringify(describeThrow(e))}`;
    }
  }

  /** One value as JSON text (for top-level errors and bindings). Never throws. */
  value(v: unknown): string {
    try {
      return this.#value(v, 0, [], this.#redactor.hasPaths ? this.#redactor.rootStates() : undefined) ?? 'null';
    } catch (e) {
      return JSON.stringify(`[unserializable: ${describeThrow(e)}]`);
    }
  }

  /** An Error as JSON object text. */
  error(e: unknown): string {
    return this.value(e instanceof Error ? e : { message: String(e) });
  }

  #members(obj: object, depth: number, seen: object[], states: number[] | undefined): string {
    const red = this.#redactor;
    let out = '';
    let n = 0;
    for (const k in obj) {
      if (!hasOwn(obj, k)) continue;
      if (++n > this.#limits.maxItems) {
        out += `,"…":${JSON.stringify(`${Object.keys(obj).length - this.#limits.maxItems} more keys`)}`;
        break;
      }
      let next = states;
      if (states !== undefined) {
        const r = red.step(states, k);
        if (r.matched) {
          out += this.key(k) + red.censorJson;
          continue;
        }
        next = r.next.length > 0 ? r.next : undefined;
      }
      if (red.isSecretKey(k)) {
        out += this.key(k) + red.censorJson;
        continue;
      }
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[k];
      } catch (e) {
        out += this.key(k) + JSON.stringify(`[Throws: ${describeThrow(e)}]`);
        continue;
      }
      const s = this.#value(v, depth + 1, seen, next);
      if (s !== undefined) out += this.key(k) + s;
    }
    return out;
  }

  /** JSON text of a value, or undefined when JSON would omit it (undefined, functions, symbols). */
  #value(v: unknown, depth: number, seen: object[], states: number[] | undefined): string | undefined {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return Number.isFinite(v) ? String(v) : `"${v}"`;
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return `"${v}"`;
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      default:
        break;
    }
    if (v === null) return 'null';
    const o = v as object;
    if (seen.includes(o)) return '"[Circular]"';
    if (depth > this.#limits.maxDepth) return Array.isArray(o) ? '"[Array]"' : '"[Object]"';
    seen.push(o);
    try {
      return this.#object(o, depth, seen, states);
    } catch (e) {
      return JSON.stringify(`[Throws: ${describeThrow(e)}]`);
    } finally {
      seen.pop();
    }
  }

  #object(o: object, depth: number, seen: object[], states: number[] | undefined): string {
    const max = this.#limits.maxItems;
    if (Array.isArray(o)) return this.#array(o, depth, seen, states);
    if (o instanceof Error) return this.#errorObject(o, depth, seen, states);
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? '"Invalid Date"' : `"${o.toISOString()}"`;
    if (Buffer.isBuffer(o)) {
      const b = o.length > max * 16 ? o.subarray(0, max * 16) : o;
      const tail = b.length < o.length ? `,"truncated":${o.length - b.length}` : '';
      return `{"type":"Buffer","length":${o.length},"base64":"${b.toString('base64')}"${tail}}`;
    }
    if (ArrayBuffer.isView(o)) {
      const arr = o as unknown as ArrayLike<number | bigint>;
      const n = Math.min(arr.length, max);
      let s = '[';
      for (let i = 0; i < n; i++) s += (i > 0 ? ',' : '') + (this.#value(arr[i], depth + 1, seen, undefined) ?? 'null');
      if (arr.length > n) s += `,"…${arr.length - n} more"`;
      return s + ']';
    }
    if (o instanceof Map) {
      let s = '';
      let i = 0;
      for (const [k, val] of o) {
        if (i++ >= max) {
          s += `,"…":"${o.size - max} more entries"`;
          break;
        }
        const key = typeof k === 'string' ? k : safeString(k);
        const member = this.#members({ [key]: val }, depth, seen, states);
        s += member;
      }
      return `{${s.slice(1)}}`;
    }
    if (o instanceof Set) return this.#array([...take(o, max + 1)], depth, seen, states, o.size);
    if (o instanceof RegExp) return JSON.stringify(String(o));
    if (o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise) return `"[${o.constructor.name}]"`;
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const j: unknown = toJSON.call(o);
      if (j === o) return this.#plain(o, depth, seen, states);
      return this.#value(j, depth, seen, states) ?? 'null';
    }
    return this.#plain(o, depth, seen, states);
  }

  #plain(o: object, depth: number, seen: object[], states: number[] | undefined): string {
    const m = this.#members(o, depth, seen, states);
    return `{${m.slice(1)}}`;
  }

  #array(a: readonly unknown[], depth: number, seen: object[], states: number[] | undefined, size = a.length): string {
    const max = this.#limits.maxItems;
    const n = Math.min(a.length, max);
    let s = '[';
    for (let i = 0; i < n; i++) {
      let next = states;
      if (states !== undefined) {
        const r = this.#redactor.step(states, String(i));
        if (r.matched) {
          s += (i > 0 ? ',' : '') + this.#redactor.censorJson;
          continue;
        }
        next = r.next.length > 0 ? r.next : undefined;
      }
      let v: unknown;
      try {
        v = a[i];
      } catch (e) {
        v = `[Throws: ${describeThrow(e)}]`;
      }
      s += (i > 0 ? ',' : '') + (this.#value(v, depth + 1, seen, next) ?? 'null');
    }
    if (size > n) s += `${n > 0 ? ',' : ''}"…${size - n} more items"`;
    return s + ']';
  }

  #errorObject(e: Error, depth: number, seen: object[], states: number[] | undefined): string {
    let type: string;
    let message: unknown;
    let stack: unknown;
    try {
      type = e.name !== undefined && e.name !== 'Error' ? String(e.name) : (e.constructor?.name ?? 'Error');
      message = e.message;
      stack = e.stack;
    } catch {
      type = 'Error';
    }
    let s = `{"type":${this.string(type)},"message":${this.string(String(message ?? ''))}`;
    if (typeof stack === 'string') s += (this.#ecs ? ',"stack_trace":' : ',"stack":') + this.string(stack);
    // Own enumerable fields such as `code`, `errno`, `statusCode` (an enumerable `cause` among them).
    s += this.#members(e, depth, seen, states);
    if (!Object.prototype.propertyIsEnumerable.call(e, 'cause')) {
      let cause: unknown;
      try {
        cause = (e as { cause?: unknown }).cause;
      } catch (err) {
        cause = `[Throws: ${describeThrow(err)}]`;
      }
      const c = cause === undefined ? undefined : this.#value(cause, depth + 1, seen, undefined);
      if (c !== undefined) s += `,"cause":${c}`;
    }
    if (e instanceof AggregateError && Array.isArray(e.errors) && !Object.prototype.propertyIsEnumerable.call(e, 'errors')) {
      s += `,"errors":${this.#array(e.errors, depth, seen, undefined)}`;
    }
    return s + '}';
  }
}

function* take<T>(it: Iterable<T>, n: number): Generator<T> {
  let i = 0;
  for (const x of it) {
    if (i++ >= n) return;
    yield x;
  }
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'object' && v !== null ? Object.prototype.toString.call(v) : String(v);
  } catch {
    return '[unprintable]';
  }
}

/** A short description of something thrown, never throwing itself. */
export function describeThrow(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return String(e);
  } catch {
    return 'unknown error';
  }
}
