/**
 * One store's health as its callers see it: the first failure of an outage is reported (counted
 * and printed once), later failures of the same outage are counted only, and the first success
 * after it is logged as a recovery when a logger was given.
 */
import { report } from '../../diagnostics/index.js';

/** What a store may log (a Sightline logger or anything with `info`). */
export interface StoreLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}

export class OutageTracker {
  readonly #description: string;
  readonly #logger: StoreLogger | undefined;
  readonly #redact: (text: string) => string;
  #down = false;
  #since = 0;
  #failures = 0;

  constructor(description: string, logger: StoreLogger | undefined, redact: (text: string) => string = (t) => t) {
    this.#description = description;
    this.#logger = logger;
    this.#redact = redact;
  }

  /** True between a failure and the next success. */
  get down(): boolean {
    return this.#down;
  }

  /** Records a failed operation (`what`: `save`, `pull`, `open`). */
  failed(what: string, error: unknown, nowMs: number): void {
    this.#failures++;
    const reason = this.#redact(error instanceof Error ? error.message : String(error));
    const first = !this.#down;
    if (first) {
      this.#down = true;
      this.#since = nowMs;
      this.#failures = 1;
    }
    report(
      'slo',
      'store_failed',
      `the SLO store ${this.#description} failed (${what}: ${reason}); SLO state stays in memory and is written when the store is back`,
      { print: first, error: first ? new Error(reason) : undefined },
    );
  }

  /** Records a successful operation; logs the recovery after an outage. */
  succeeded(nowMs: number): void {
    if (!this.#down) return;
    this.#down = false;
    try {
      this.#logger?.info(`the SLO store ${this.#description} is back`, {
        store: this.#description,
        outageMs: Math.max(0, nowMs - this.#since),
        failures: this.#failures,
      });
    } catch {
      // a failing logger does not change the store's state
    }
  }
}
