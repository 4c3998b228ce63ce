import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidOption, UnknownOption } from './errors.js';

/** Options of per-message rate limiting. */
export interface RateLimitOptions {
  /** Lines allowed per key per window (the bucket's capacity and refill per window). */
  max: number;
  /** Window length in ms (default 1000). A summary line is written at the end of each window with suppressed lines. */
  windowMs?: number;
  /** Most keys tracked at once (default 1000); further keys share one bucket. */
  maxKeys?: number;
}

const RATE_LIMIT_KEYS = optionKeys<RateLimitOptions>()(['max', 'windowMs', 'maxKeys']);

interface Bucket {
  tokens: number;
  last: number;
  suppressed: number;
  level: number;
}

/**
 * A token bucket per key (the message, or a key the caller gives). Suppressed lines are counted;
 * at the end of the window one summary line per key says how many were suppressed.
 */
export class RateLimiter {
  readonly #max: number;
  readonly #window: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #emit: (level: number, key: string, suppressed: number) => void;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  suppressedTotal = 0;

  constructor(o: RateLimitOptions, emit: (level: number, key: string, suppressed: number) => void, now: () => number = Date.now) {
    if (typeof o !== 'object' || o === null) throw InvalidOption('rateLimit', 'rateLimit must be an object like { max: 100, windowMs: 1000 }');
    checkOptionKeys(o, RATE_LIMIT_KEYS, UnknownOption, 'rateLimit', 'rateLimit');
    if (!(Number.isInteger(o.max) && o.max > 0)) throw InvalidOption('rateLimit.max', 'max must be a positive integer');
    const w = o.windowMs ?? 1000;
    if (!(Number.isFinite(w) && w > 0)) throw InvalidOption('rateLimit.windowMs', 'windowMs must be a positive number');
    this.#max = o.max;
    this.#window = w;
    this.#maxKeys = o.maxKeys ?? 1000;
    this.#emit = emit;
    this.#now = now;
  }

  #lastForget = -Infinity;

  /** Whether a line with this key may be written now. */
  allow(key: string, level: number): boolean {
    const now = this.#now();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#forgetIdle(now);
      if (this.#buckets.size >= this.#maxKeys) {
        key = '…other keys';
        b = this.#buckets.get(key);
      }
      if (b === undefined) {
        b = { tokens: this.#max, last: now, suppressed: 0, level };
        this.#buckets.set(key, b);
      }
    }
    // Refill: max tokens per window, continuously.
    const elapsed = now - b.last;
    if (elapsed > 0) {
      b.tokens = Math.min(this.#max, b.tokens + (elapsed * this.#max) / this.#window);
      b.last = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    b.suppressed++;
    if (level > b.level) b.level = level;
    this.suppressedTotal++;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flushSummaries(), this.#window);
      this.#timer.unref();
    }
    return false;
  }

  /**
   * The map is full: forget the buckets idle for over a window with nothing to summarise, at most
   * once per window (the scan is O(maxKeys)), so keys that were never suppressed — and so never
   * started the summary timer that also forgets them — do not push new keys into the overflow.
   */
  #forgetIdle(now: number): void {
    if (now - this.#lastForget < this.#window) return;
    this.#lastForget = now;
    for (const [key, b] of this.#buckets) {
      if (b.suppressed === 0 && now - b.last > this.#window) this.#buckets.delete(key);
    }
  }

  /** Writes the summary lines now (end of window, or at flush/exit). */
  flushSummaries(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const now = this.#now();
    for (const [key, b] of this.#buckets) {
      if (b.suppressed > 0) {
        const n = b.suppressed;
        b.suppressed = 0;
        this.#emit(b.level, key, n);
      }
      // Forget buckets idle for over a window, so the map does not fill up with one-off keys
      // (which would then share the overflow bucket). Such a bucket has refilled (its stored
      // tokens are as of its last use), so forgetting it changes nothing for its key.
      if (now - b.last > this.#window) this.#buckets.delete(key);
    }
  }
}
