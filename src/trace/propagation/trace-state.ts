import type { TraceState as ApiTraceState } from '@opentelemetry/api';

/** Trace Context Level 2 §3.3.1.1: at most 32 list members. */
export const MAX_TRACESTATE_MEMBERS = 32;
/** §3.3.1.5: propagate at least 512 characters of the combined header; we truncate beyond it. */
export const MAX_TRACESTATE_LENGTH = 512;
/** §3.3.1.5: entries longer than this are the first removed when truncating. */
const LARGE_ENTRY = 128;

/**
 * §3.3.1.3.1 (as simplified in Level 2): a lowercase letter or digit, then up to 255 of
 * `a-z 0-9 _ - * / @`.
 */
export function isValidTraceStateKey(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 256) return false;
  const c0 = key.charCodeAt(0);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 48 && c0 <= 57))) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) continue;
    // _ - * / @
    if (c === 95 || c === 45 || c === 42 || c === 47 || c === 64) continue;
    return false;
  }
  return true;
}

/**
 * §3.3.1.3.2: 1 to 256 printable ASCII characters (0x20–0x7E) except `,` and `=`, the last one
 * not a space.
 */
export function isValidTraceStateValue(value: string): boolean {
  const n = value.length;
  if (n === 0 || n > 256) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 44 || c === 61) return false;
  }
  return value.charCodeAt(n - 1) !== 32;
}

/**
 * An immutable W3C `tracestate` (Trace Context Level 2 §3.3), implementing the
 * `@opentelemetry/api` TraceState interface. Members are ordered, most recently set first.
 * Invalid keys or values passed to `set` are ignored (nothing throws at run time).
 * @example
 * const ts = TraceState.parse('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7') ?? new TraceState();
 * ts.set('sightline', 'x').serialize(); // 'sightline=x,congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'
 */
export class TraceState implements ApiTraceState {
  readonly #keys: readonly string[];
  readonly #values: readonly string[];
  #serialized: string | undefined;

  constructor(keys: readonly string[] = [], values: readonly string[] = []) {
    this.#keys = keys;
    this.#values = values;
  }

  /**
   * Parses one or several `tracestate` header values, combined in order (§3.3.1.4). Returns
   * undefined when the combination is malformed: a bad member or more than 32 members discards
   * the whole header (§3.3.1.1). A key seen again keeps its first (leftmost, most recent) value
   * and the later member is dropped, so the rest of the state still propagates (the W3C test
   * suite accepts a kept or discarded duplicate). Empty members (`a=1,,b=2`) are allowed.
   */
  static parse(header: string | readonly string[] | undefined): TraceState | undefined {
    if (header === undefined) return undefined;
    const combined = typeof header === 'string' ? header : Array.isArray(header) ? header.join(',') : undefined;
    if (typeof combined !== 'string') return undefined;
    const keys: string[] = [];
    const values: string[] = [];
    // A header without OWS or empty members and within 512 chars is re-emitted as received, so a
    // forwarded tracestate costs no rebuild (the usual case: we pass on what we were given).
    let canonical = combined.length <= MAX_TRACESTATE_LENGTH;
    let start = 0;
    const n = combined.length;
    while (start <= n) {
      let end = combined.indexOf(',', start);
      if (end === -1) end = n;
      // §3.3.1.1: OWS around list members.
      let a = start;
      let b = end;
      while (a < b && (combined.charCodeAt(a) === 32 || combined.charCodeAt(a) === 9)) a++;
      while (b > a && (combined.charCodeAt(b - 1) === 32 || combined.charCodeAt(b - 1) === 9)) b--;
      if (a !== start || b !== end || a === b) canonical = false;
      if (a < b) {
        const eq = combined.indexOf('=', a);
        if (eq === -1 || eq >= b) return undefined;
        const key = combined.slice(a, eq);
        const value = combined.slice(eq + 1, b);
        if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return undefined;
        if (keys.includes(key)) {
          // The leftmost member is the one its vendor updated last; the later one is stale.
          canonical = false;
          start = end + 1;
          continue;
        }
        keys.push(key);
        values.push(value);
        if (keys.length > MAX_TRACESTATE_MEMBERS) return undefined;
      }
      start = end + 1;
    }
    const ts = new TraceState(keys, values);
    if (canonical) ts.#serialized = combined;
    return ts;
  }

  /** §3.3.1.2 / OTel API: adds or updates `key`, moving it to the front; the rightmost member goes past 32. */
  set(key: string, value: string): TraceState {
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return this;
    const keys = [key];
    const values = [value];
    for (let i = 0; i < this.#keys.length && keys.length < MAX_TRACESTATE_MEMBERS; i++) {
      const k = this.#keys[i]!;
      if (k === key) continue;
      keys.push(k);
      values.push(this.#values[i]!);
    }
    return new TraceState(keys, values);
  }

  /** Removes `key`. */
  unset(key: string): TraceState {
    const i = this.#keys.indexOf(key);
    if (i === -1) return this;
    return new TraceState(this.#keys.filter((_, j) => j !== i), this.#values.filter((_, j) => j !== i));
  }

  /** Value of `key`, if present. */
  get(key: string): string | undefined {
    const i = this.#keys.indexOf(key);
    return i === -1 ? undefined : this.#values[i];
  }

  /** Number of members. */
  get size(): number {
    return this.#keys.length;
  }

  /** Member keys, front first. */
  keys(): string[] {
    return [...this.#keys];
  }

  /**
   * The header value. Beyond 512 characters, whole entries are removed (§3.3.1.5): first those
   * longer than 128 characters (rightmost first), then from the right.
   */
  serialize(): string {
    if (this.#serialized !== undefined) return this.#serialized;
    const entries = this.#keys.map((k, i) => `${k}=${this.#values[i]!}`);
    let total = entries.reduce((s, e) => s + e.length, 0) + Math.max(0, entries.length - 1);
    if (total > MAX_TRACESTATE_LENGTH) {
      for (let i = entries.length - 1; i >= 0 && total > MAX_TRACESTATE_LENGTH; i--) {
        const e = entries[i]!;
        if (e.length > LARGE_ENTRY) {
          total -= e.length + (entries.length > 1 ? 1 : 0);
          entries.splice(i, 1);
        }
      }
      while (total > MAX_TRACESTATE_LENGTH && entries.length > 0) {
        const e = entries.pop()!;
        total -= e.length + (entries.length > 0 ? 1 : 0);
      }
    }
    this.#serialized = entries.join(',');
    return this.#serialized;
  }
}
