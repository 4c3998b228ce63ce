import type { Server } from 'node:http';
import { constants } from 'node:os';
import { report as reportProblem } from '../diagnostics/index.js';
import { envString } from '../env.js';
import { flushAllSync } from '#internal/log';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidShutdownOption, UnknownOption } from './errors.js';

/** What the shutdown manager needs of the health registry. */
export interface ShutdownHealth {
  markShuttingDown(): void;
}

/** What the shutdown manager logs through (a sightline/log Logger fits). */
export interface ShutdownLogger {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

/** Options of {@link createShutdown}. */
export interface ShutdownOptions {
  /** Readiness fails at once when shutdown begins. */
  health?: ShutdownHealth;
  /** Servers to drain (more with `addServer`). */
  servers?: Server[];
  /** Signals that start a shutdown (default SIGTERM and SIGINT); `false`: only `shutdown()` does. */
  signals?: NodeJS.Signals[] | false;
  /** Readiness probe period, ms (default 5000); with `failureThreshold` gives the drain delay. */
  readinessPeriodMs?: number;
  /** Readiness probe failure threshold (default 2). */
  failureThreshold?: number;
  /**
   * Keep serving this long after readiness fails. Default: readinessPeriodMs × failureThreshold
   * when running in Kubernetes (`KUBERNETES_SERVICE_HOST` set) or when either of those two options
   * is given — there a load balancer keeps routing until the probe has failed; 0 elsewhere, so a
   * Ctrl-C or a plain SIGTERM does not wait for a probe nobody sends.
   */
  drainDelayMs?: number;
  /** Environment read for `KUBERNETES_SERVICE_HOST` (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** After `server.close()`, in-flight requests get this long before their connections are cut (default 10000). */
  requestDeadlineMs?: number;
  /** Default timeout of each hook (default 5000). */
  hookTimeoutMs?: number;
  /** The orchestrator's grace period, ms (terminationGracePeriodSeconds × 1000; default 30000). */
  gracePeriodMs?: number;
  /** The backstop exits (code 1) this long after the signal, whatever is still running (default gracePeriodMs − 2000). */
  backstopMs?: number;
  /** Progress lines (info) and failures (warn/error). */
  logger?: ShutdownLogger;
  /** How to exit (default `process.exit`); `false`: do not exit, `shutdown()` just resolves. */
  exit?: ((code: number) => void) | false;
}

/** Every key of {@link ShutdownOptions}: any other throws SL_ERR_HEALTH_UNKNOWN_OPTION. */
export const SHUTDOWN_OPTION_KEYS = optionKeys<ShutdownOptions>()([
  'health', 'servers', 'signals', 'readinessPeriodMs', 'failureThreshold', 'drainDelayMs', 'env', 'requestDeadlineMs', 'hookTimeoutMs',
  'gracePeriodMs', 'backstopMs', 'logger', 'exit',
]);

/** One hook's outcome. */
export interface HookReport {
  name: string;
  kind: 'hook' | 'flush';
  ok: boolean;
  timedOut: boolean;
  error?: string;
}

/** What a completed shutdown did. */
export interface ShutdownReport {
  reason: string;
  /** Connections cut at the request deadline (0 when every in-flight request finished). */
  forcedConnections: number;
  /** Requests still in flight when connections were cut. */
  abandonedRequests: number;
  hooks: HookReport[];
  exitCode: number;
}

/** Where the shutdown is. */
export type ShutdownPhase = 'idle' | 'draining' | 'closing' | 'hooks' | 'flushing' | 'done';

interface Hook {
  name: string;
  fn: () => unknown;
  timeoutMs: number;
  kind: 'hook' | 'flush';
}

interface Tracked {
  server: Server;
  inFlight: number;
  closing: boolean;
}

function msOption(v: unknown, field: string, dflt: number, allowZero = true): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw InvalidShutdownOption(field, `${field} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return v;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Graceful shutdown, in the order Kubernetes needs (see docs/health.md):
 * signal → readiness 503 (liveness stays 200) → keep serving for the drain delay →
 * `server.close()` + close idle keep-alive connections → wait for in-flight requests up to the
 * deadline, then cut the rest → shutdown hooks (close pools), each with a timeout → flush hooks
 * (spans, pushes, logs) → exit 0. An unref'd backstop exits before the grace period ends; a second
 * signal exits at once (128 + signal number).
 *
 * The logger's own signal listener (sightline/log) re-raises the signal only when it is the only
 * listener: with this manager listening, the manager owns the exit.
 *
 * @example
 * const shutdown = createShutdown({ health, servers: [server], logger: log });
 * shutdown.onShutdown('postgres', () => pool.end());
 * shutdown.onFlush('traces', () => provider.shutdown());
 */
export class GracefulShutdown {
  readonly drainDelayMs: number;
  readonly requestDeadlineMs: number;
  readonly hookTimeoutMs: number;
  readonly backstopMs: number;
  readonly #health: ShutdownHealth | undefined;
  readonly #logger: ShutdownLogger | undefined;
  readonly #exit: ((code: number) => void) | undefined;
  readonly #signals: NodeJS.Signals[];
  readonly #servers: Tracked[] = [];
  readonly #hooks: Hook[] = [];
  #phase: ShutdownPhase = 'idle';
  #running: Promise<ShutdownReport> | undefined;
  readonly #onSignal: (signal: NodeJS.Signals) => void;

  constructor(options: ShutdownOptions = {}) {
    if (typeof options !== 'object' || options === null) throw InvalidShutdownOption(undefined, 'options must be an object');
    checkOptionKeys(options, SHUTDOWN_OPTION_KEYS, UnknownOption, 'createShutdown()');
    const period = msOption(options.readinessPeriodMs, 'readinessPeriodMs', 5000);
    const threshold = options.failureThreshold ?? 2;
    if (!Number.isInteger(threshold) || threshold < 1) throw InvalidShutdownOption('failureThreshold', 'failureThreshold must be an integer ≥ 1');
    const env = options.env ?? process.env;
    const probed = envString(env, 'KUBERNETES_SERVICE_HOST') !== undefined || options.readinessPeriodMs !== undefined || options.failureThreshold !== undefined;
    this.drainDelayMs = msOption(options.drainDelayMs, 'drainDelayMs', probed ? period * threshold : 0);
    this.requestDeadlineMs = msOption(options.requestDeadlineMs, 'requestDeadlineMs', 10_000);
    this.hookTimeoutMs = msOption(options.hookTimeoutMs, 'hookTimeoutMs', 5000, false);
    const grace = msOption(options.gracePeriodMs, 'gracePeriodMs', 30_000, false);
    this.backstopMs = msOption(options.backstopMs, 'backstopMs', Math.max(1, grace - 2000), false);
    if (this.backstopMs >= grace) throw InvalidShutdownOption('backstopMs', 'backstopMs must be shorter than gracePeriodMs, so the process exits before the orchestrator kills it');
    if (options.health !== undefined && typeof options.health?.markShuttingDown !== 'function') throw InvalidShutdownOption('health', 'health needs markShuttingDown() (pass a Health)');
    this.#health = options.health;
    this.#logger = options.logger;
    const exit = options.exit;
    if (exit !== undefined && exit !== false && typeof exit !== 'function') throw InvalidShutdownOption('exit', 'exit must be a function or false');
    this.#exit = exit === false ? undefined : exit ?? ((code: number) => process.exit(code));
    const signals = options.signals === false ? [] : options.signals ?? ['SIGTERM', 'SIGINT'];
    if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string' || !(s in constants.signals))) {
      throw InvalidShutdownOption('signals', 'signals must be an array of signal names such as "SIGTERM", or false');
    }
    this.#signals = signals;
    for (const s of options.servers ?? []) this.addServer(s);
    this.#onSignal = (signal) => this.#signal(signal);
    for (const s of this.#signals) process.on(s, this.#onSignal);
  }

  get phase(): ShutdownPhase {
    return this.#phase;
  }

  /** Requests being served right now across the tracked servers. */
  get inFlight(): number {
    return this.#servers.reduce((n, t) => n + t.inFlight, 0);
  }

  /** Drains this server too. Track it before it serves traffic, so its in-flight count is exact. */
  addServer(server: Server): this {
    if (typeof server !== 'object' || server === null || typeof server.close !== 'function') throw InvalidShutdownOption('servers', 'not a node:http server');
    if (this.#servers.some((t) => t.server === server)) return this;
    const t: Tracked = { server, inFlight: 0, closing: false };
    // Prepended so it runs before the app's listener can send headers.
    server.prependListener('request', (_req, res) => {
      t.inFlight++;
      // After close(), requests still arriving on kept-alive sockets are served, then the socket closes.
      if (t.closing && !res.headersSent) res.setHeader('connection', 'close');
      res.once('close', () => {
        t.inFlight--;
      });
    });
    this.#servers.push(t);
    return this;
  }

  /**
   * Registers an app hook run after the servers are drained (close pools, queues), in
   * registration order, each bounded by `timeoutMs`.
   */
  onShutdown(name: string, fn: () => unknown, options: { timeoutMs?: number } = {}): this {
    this.#hooks.push(this.#hook(name, fn, options, 'hook'));
    return this;
  }

  /** Registers a telemetry flush run after every app hook (spans, pushes, logs last). */
  onFlush(name: string, fn: () => unknown, options: { timeoutMs?: number } = {}): this {
    this.#hooks.push(this.#hook(name, fn, options, 'flush'));
    return this;
  }

  /**
   * Runs the shutdown (once; later calls get the same promise). Exits at the end unless `exit: false`.
   * @example
   * process.on('message', (m) => { if (m === 'shutdown') void shutdown.shutdown('ipc'); });
   */
  shutdown(reason = 'shutdown()'): Promise<ShutdownReport> {
    this.#running ??= this.#run(reason);
    return this.#running;
  }

  /** Removes the signal listeners (the logger's own signal handling applies again). */
  dispose(): void {
    for (const s of this.#signals) process.removeListener(s, this.#onSignal);
  }

  #hook(name: string, fn: () => unknown, options: { timeoutMs?: number }, kind: Hook['kind']): Hook {
    if (typeof name !== 'string' || name === '') throw InvalidShutdownOption('name', 'a hook needs a name');
    if (typeof fn !== 'function') throw InvalidShutdownOption(name, 'a hook must be a function');
    return { name, fn, kind, timeoutMs: msOption(options.timeoutMs, `${name}.timeoutMs`, this.hookTimeoutMs, false) };
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#running === undefined) {
      void this.shutdown(signal);
      return;
    }
    // Second signal: the operator insists.
    this.#logger?.warn('second signal: exiting now', { signal });
    flushAllSync();
    const code = 128 + (constants.signals[signal] ?? 15);
    if (this.#exit !== undefined) this.#exit(code);
  }

  async #run(reason: string): Promise<ShutdownReport> {
    const report: ShutdownReport = { reason, forcedConnections: 0, abandonedRequests: 0, hooks: [], exitCode: 0 };
    const backstop = setTimeout(() => {
      reportProblem('health', 'shutdown_backstop', `graceful shutdown did not finish within ${this.backstopMs} ms (phase ${this.#phase}); exiting`, { print: true });
      this.#logger?.error('graceful shutdown backstop: exiting', { phase: this.#phase, backstopMs: this.backstopMs });
      flushAllSync();
      this.#exit?.(1);
    }, this.backstopMs);
    // The backstop must not by itself keep a finished process alive.
    backstop.unref();

    this.#phase = 'draining';
    this.#health?.markShuttingDown();
    this.#logger?.info('shutdown: readiness now fails; draining', { reason, drainDelayMs: this.drainDelayMs });
    if (this.drainDelayMs > 0) await sleep(this.drainDelayMs);

    this.#phase = 'closing';
    const abandoned = this.inFlight;
    const cut = await this.#closeServers();
    if (cut > 0) {
      report.forcedConnections = cut;
      report.abandonedRequests = abandoned;
      this.#logger?.warn('shutdown: request deadline reached; cut open connections', { connections: cut, requestDeadlineMs: this.requestDeadlineMs });
    }

    this.#phase = 'hooks';
    for (const h of this.#hooks.filter((x) => x.kind === 'hook')) report.hooks.push(await this.#runHook(h));
    this.#phase = 'flushing';
    this.#logger?.info('shutdown: complete; flushing telemetry', { reason });
    for (const h of this.#hooks.filter((x) => x.kind === 'flush')) report.hooks.push(await this.#runHook(h));
    flushAllSync();
    this.#phase = 'done';
    clearTimeout(backstop);
    this.dispose();
    if (this.#exit !== undefined) this.#exit(0);
    return report;
  }

  async #closeServers(): Promise<number> {
    const pending: Promise<void>[] = [];
    for (const t of this.#servers) {
      t.closing = true;
      if (!t.server.listening) continue;
      pending.push(new Promise<void>((resolve) => t.server.close(() => resolve())));
      t.server.closeIdleConnections();
    }
    if (pending.length === 0) return 0;
    // Keep-alive sockets go idle when their last response ends: close them as they do.
    const sweep = setInterval(() => {
      for (const t of this.#servers) t.server.closeIdleConnections();
    }, 25);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.requestDeadlineMs);
    });
    const outcome = await Promise.race([Promise.all(pending).then(() => 'closed' as const), deadline]);
    clearInterval(sweep);
    clearTimeout(timer);
    if (outcome === 'closed') return 0;
    let cut = 0;
    for (const t of this.#servers) {
      cut += t.inFlight;
      t.server.closeAllConnections();
    }
    await Promise.race([Promise.all(pending), sleep(100)]);
    return Math.max(cut, 1);
  }

  async #runHook(h: Hook): Promise<HookReport> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), h.timeoutMs);
    });
    try {
      const r = await Promise.race([Promise.resolve().then(h.fn), timeout]);
      if (r === 'timeout') {
        this.#logger?.warn('shutdown hook timed out', { hook: h.name, timeoutMs: h.timeoutMs });
        return { name: h.name, kind: h.kind, ok: false, timedOut: true };
      }
      return { name: h.name, kind: h.kind, ok: true, timedOut: false };
    } catch (e) {
      this.#logger?.error('shutdown hook failed', { hook: h.name, err: e instanceof Error ? e : String(e) });
      return { name: h.name, kind: h.kind, ok: false, timedOut: false, error: describe(e) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Creates a graceful shutdown manager listening for SIGTERM and SIGINT.
 * @example
 * createShutdown({ health, servers: [server], drainDelayMs: 10_000, gracePeriodMs: 30_000 });
 */
export function createShutdown(options: ShutdownOptions = {}): GracefulShutdown {
  return new GracefulShutdown(options);
}
