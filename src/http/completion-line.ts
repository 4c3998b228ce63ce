/**
 * The completion line's fields, serialized by code made for its known keys: no fields object, no
 * generic walk, key fragments and redaction decided once per logger. Strings that come from the
 * request (path, user agent) still go through the logger's string serializer (length limit and
 * value patterns); a key that the logger's redaction rules censor is written censored.
 */
import type { Logger } from '../log/index.js';
import { KNOWN_METHODS } from './methods.js';

const KEYS = ['method', 'route', 'path', 'status', 'duration_ms', 'bytes', 'client_address', 'user_agent'] as const;
type Key = (typeof KEYS)[number];

/** Most distinct routes whose JSON text is kept (routes are templates: few). */
const MAX_ROUTES = 1024;

/** `.001` … `.999` with trailing zeros dropped (`.5`, `.25`): the fraction of a whole-µs millisecond value. */
const MILLI_FRACTION: readonly string[] = Array.from({ length: 1000 }, (_, f) => (f === 0 ? '' : `.${String(f).padStart(3, '0').replace(/0+$/, '')}`));

/**
 * `String(ms)` for a duration rounded to whole microseconds (`Math.round(s * 1e6) / 1e3`), without
 * the shortest-round-trip double formatting: for k = ms·1000 below 1e15 the shortest decimal that
 * reads back as ms is k/1000 itself, so the text is k's integer part and a table fraction.
 * Anything else (negative, larger, not whole microseconds) goes through `String`.
 */
export function millisText(ms: number): string {
  const k = Math.round(ms * 1000);
  if (!(k >= 0 && k < 1e15) || k / 1000 !== ms) return String(ms);
  const whole = Math.floor(k / 1000);
  return String(whole) + MILLI_FRACTION[k - whole * 1000]!;
}

interface RouteJson {
  route: string;
  path: string;
}

/** @internal */
export class CompletionLine {
  readonly #log: Logger;
  /** `,"key":` per key, or `,"key":"[REDACTED]"` when the logger censors that key. */
  readonly #key: Record<Key, string>;
  readonly #censored: Record<Key, boolean>;
  /** Per route: its `,"route":…` text, and the `,"path":…` text of a path equal to the route (a static route). */
  readonly #routes = new Map<string, RouteJson>();
  readonly #methods = new Map<string, string>();
  #lastAddr: string | undefined = undefined;
  #lastAddrJson = '';

  constructor(log: Logger) {
    this.#log = log;
    const key = {} as Record<Key, string>;
    const censored = {} as Record<Key, boolean>;
    for (const k of KEYS) {
      const plain = log.jsonKey(k);
      censored[k] = plain === undefined;
      key[k] = plain ?? `,${JSON.stringify(k)}:${log.censorJson}`;
    }
    this.#key = key;
    this.#censored = censored;
    for (const m of KNOWN_METHODS) this.#methods.set(m, JSON.stringify(m));
  }

  #string(k: Key, v: string): string {
    return this.#censored[k] ? this.#key[k] : this.#key[k] + this.#log.jsonString(v);
  }

  #number(k: Key, v: number): string {
    // JSON has no NaN/Infinity: what JSON.stringify writes for them.
    return this.#censored[k] ? this.#key[k] : this.#key[k] + (Number.isFinite(v) ? String(v) : 'null');
  }

  #route(route: string): RouteJson {
    let json = this.#routes.get(route);
    if (json === undefined) {
      json = {
        route: this.#censored.route ? this.#key.route : this.#key.route + this.#log.jsonString(route),
        path: this.#string('path', route),
      };
      if (this.#routes.size < MAX_ROUTES) this.#routes.set(route, json);
    }
    return json;
  }

  /** `,"method":…,"route":…` for one request; undefined values are left out, as in any line. */
  render(method: string | undefined, route: string, path: string, status: number | string, durationMs: number, bytes: number | undefined, clientAddress: string | undefined, userAgent: string | undefined): string {
    let s = '';
    if (method !== undefined) {
      const m = this.#methods.get(method);
      s += m !== undefined && !this.#censored.method ? this.#key.method + m : this.#string('method', method);
    }
    const r = this.#route(route);
    s += r.route;
    s += path === route ? r.path : this.#string('path', path);
    s += typeof status === 'number' ? this.#number('status', status) : this.#string('status', status);
    s += this.#censored.duration_ms ? this.#key.duration_ms : Number.isFinite(durationMs) ? this.#key.duration_ms + millisText(durationMs) : this.#key.duration_ms + 'null';
    if (bytes !== undefined) s += this.#number('bytes', bytes);
    if (clientAddress !== undefined) {
      // Most lines come from the same few peers (a proxy, a load balancer): keep the last one.
      if (clientAddress !== this.#lastAddr) {
        this.#lastAddrJson = this.#string('client_address', clientAddress);
        this.#lastAddr = clientAddress;
      }
      s += this.#lastAddrJson;
    }
    if (userAgent !== undefined) s += this.#string('user_agent', userAgent);
    return s;
  }
}
