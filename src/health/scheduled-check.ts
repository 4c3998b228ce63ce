import { performance } from 'node:perf_hooks';
import { cleanOutput, describeError, normalizeOutcome } from './result.js';
import type { CheckFunction, CheckResult, HealthStatus } from './result.js';

/** Which probes a check feeds. */
export type ProbeName = 'liveness' | 'readiness' | 'startup';

/** What the registry needs to know about one check. */
export interface ResolvedCheck {
  name: string;
  run: CheckFunction;
  probes: ReadonlySet<ProbeName>;
  critical: boolean;
  timeoutMs: number;
  intervalMs: number;
  componentId: string;
  componentType: string;
  measurement: string;
}

/**
 * One check running in the background: a timer loop of run → settle or time out → wait
 * `intervalMs` → run. At most one call to the dependency is ever outstanding: while a timed-out
 * call has not settled, the next ticks report "still pending" instead of calling again, so a
 * black-holed dependency never accumulates calls however often the probes are hit.
 */
export class ScheduledCheck {
  readonly def: ResolvedCheck;
  /** The latest result, undefined before the first run settles. */
  latest: CheckResult | undefined;
  /** Runs started (for self-metrics and tests). */
  calls = 0;
  #pending: Promise<unknown> | undefined;
  #pendingSince = 0;
  #running: Promise<CheckResult> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(def: ResolvedCheck) {
    this.def = def;
  }

  /** Starts the loop: the first run happens on the next turn of the event loop. */
  start(): void {
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs now (joining a run in progress) and reschedules the loop after it. Never rejects. */
  runNow(): Promise<CheckResult> {
    if (this.#running !== undefined) return this.#running;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const p = this.#runOnce().then((r) => {
      this.latest = r;
      this.#running = undefined;
      this.#schedule(this.def.intervalMs);
      return r;
    });
    this.#running = p;
    return p;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timer = undefined;
      void this.runNow();
    }, ms);
    // Background checks must never keep a process alive on their own.
    t.unref();
    this.#timer = t;
  }

  #runOnce(): Promise<CheckResult> {
    const def = this.def;
    const time = new Date().toISOString();
    const t0 = performance.now();
    if (this.#pending !== undefined) {
      const ago = Math.round(t0 - this.#pendingSince);
      return Promise.resolve(failed(time, 0, `previous call still pending after ${ago} ms (not calling again until it settles)`));
    }
    this.calls++;
    const ac = new AbortController();
    let returned: unknown;
    try {
      returned = def.run({ signal: ac.signal, timeoutMs: def.timeoutMs });
    } catch (e) {
      return Promise.resolve(failed(time, performance.now() - t0, `check threw synchronously: ${describeError(e)}`));
    }
    if (typeof (returned as { then?: unknown } | null)?.then !== 'function') {
      return Promise.resolve(failed(time, performance.now() - t0,
        `check returned ${returned === null ? 'null' : typeof returned} instead of a Promise: make the check function async`));
    }
    const call = Promise.resolve(returned as PromiseLike<unknown>);
    this.#pending = call;
    this.#pendingSince = t0;
    const clear = (): void => {
      if (this.#pending === call) this.#pending = undefined;
    };
    call.then(clear, clear);
    return new Promise<CheckResult>((resolve) => {
      const timer = setTimeout(() => {
        ac.abort(new Error(`health check timed out after ${def.timeoutMs} ms`));
        resolve(failed(time, def.timeoutMs, `timed out after ${def.timeoutMs} ms`));
      }, def.timeoutMs);
      timer.unref();
      call.then((v) => {
        clearTimeout(timer);
        const d = performance.now() - t0;
        const n = normalizeOutcome(v);
        resolve({
          status: n.status,
          time,
          durationMs: d,
          observedValue: n.observedValue ?? roundMs(d),
          observedUnit: n.observedValue === undefined ? 'ms' : n.observedUnit,
          output: n.output,
        });
      }, (e: unknown) => {
        clearTimeout(timer);
        resolve(failed(time, performance.now() - t0, describeError(e)));
      });
    });
  }
}

function roundMs(d: number): number {
  return Math.round(d * 1000) / 1000;
}

function failed(time: string, d: number, output: string, status: HealthStatus = 'fail'): CheckResult {
  return { status, time, durationMs: d, observedValue: roundMs(d), observedUnit: 'ms', output: cleanOutput(output) };
}
