import { writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { Logger } from '#internal/log';
import { flushAllSync } from '#internal/log';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidCrashOption, UnknownOption } from './errors.js';
import type { ErrorGroups } from './error-groups.js';

/** What crash capture needs of a logger (a sightline/log Logger fits). */
export interface FatalLogger {
  fatal(msg: string, fields?: object): void;
  flush?(): Promise<void>;
}

/** What crash capture needs of a metrics registry (a sightline/metrics Registry fits). */
export interface CounterRegistry {
  counter(def: { name: string; help: string; labelNames: string[] }): { inc(labels: Record<string, string>, n?: number): void };
}

/** Options of {@link installCrashCapture}. */
export interface CrashCaptureOptions {
  /** Where the one fatal line goes. */
  logger?: FatalLogger;
  /** Gets `process_uncaught_errors_total{type}`. */
  registry?: CounterRegistry;
  /** Gets each uncaught error as a group occurrence. */
  errorGroups?: ErrorGroups;
  /**
   * Exit like Node does by default (code 1) after recording and flushing — the default, true.
   * `false` opts out: errors are recorded and the process keeps running.
   */
  exit?: boolean;
  /** Deadline for the async flushers before exiting (ms, default 2000). */
  flushTimeoutMs?: number;
  /** Async flushers run before exit (spans, pending pushes); logs are flushed synchronously anyway. */
  flushers?: (() => Promise<unknown>)[];
  /** Called to exit (default `process.exit`); tests and embedders may replace it. */
  exitFn?: (code: number) => void;
}

/** Every key of {@link CrashCaptureOptions}. @internal */
export const CRASH_OPTION_KEYS = optionKeys<CrashCaptureOptions>()(['logger', 'registry', 'errorGroups', 'exit', 'flushTimeoutMs', 'flushers', 'exitFn']);

/** The installed capture. */
export interface CrashCapture {
  /** Adds an async flusher run before exit. */
  addFlusher(fn: () => Promise<unknown>): void;
  /** Errors recorded so far, by type. */
  readonly counts: { uncaughtException: number; unhandledRejection: number };
  /** Removes every listener installed. */
  uninstall(): void;
}

type Origin = 'uncaughtException' | 'unhandledRejection';

let active: CrashCapture | undefined;

/**
 * Records uncaught exceptions and unhandled rejections — one fatal log line with the serialized
 * error and the active trace context, `process_uncaught_errors_total{type}`, an error-group
 * occurrence — flushes, then keeps Node's default outcome: print the error, exit 1 (unhandled
 * rejections behave as under Node's default `--unhandled-rejections=throw`).
 *
 * If the app has its own `uncaughtException` (or `unhandledRejection`) listener, the error is
 * recorded and the app's listener decides what happens: crash capture neither exits nor prints.
 *
 * @example
 * import { installCrashCapture, ErrorGroups } from 'sightline/health';
 * installCrashCapture({ logger: log, registry, errorGroups: new ErrorGroups(), flushers: [() => provider.forceFlush()] });
 */
export function installCrashCapture(options: CrashCaptureOptions = {}): CrashCapture {
  if (typeof options !== 'object' || options === null) throw InvalidCrashOption(undefined, 'options must be an object');
  checkOptionKeys(options, CRASH_OPTION_KEYS, UnknownOption, 'installCrashCapture()');
  const timeout = options.flushTimeoutMs ?? 2000;
  if (typeof timeout !== 'number' || !(timeout > 0)) throw InvalidCrashOption('flushTimeoutMs', 'flushTimeoutMs must be a positive number');
  if (options.logger !== undefined && typeof options.logger?.fatal !== 'function') throw InvalidCrashOption('logger', 'logger needs a fatal() method');
  if (options.registry !== undefined && typeof options.registry?.counter !== 'function') throw InvalidCrashOption('registry', 'registry needs a counter() method');
  if (active !== undefined) active.uninstall();
  const exitFn = options.exitFn ?? ((code: number) => process.exit(code));
  const keepRunning = options.exit === false;
  const flushers = [...(options.flushers ?? [])];
  const counter = options.registry?.counter({
    name: 'process_uncaught_errors_total',
    help: 'Uncaught exceptions and unhandled rejections, by type',
    labelNames: ['type'],
  });
  const counts = { uncaughtException: 0, unhandledRejection: 0 };
  const recorded = new WeakSet<object>();
  let exiting = false;

  const record = (err: unknown, origin: Origin): void => {
    // The process is already going down for an earlier error: under Node's default this code
    // would never have run, so its error is not recorded as a second crash.
    if (exiting) return;
    if (typeof err === 'object' && err !== null) {
      if (recorded.has(err)) return;
      recorded.add(err);
    }
    counts[origin]++;
    try {
      counter?.inc({ type: origin });
    } catch {
      // a metrics failure must not mask the crash
    }
    // Group before logging: the fatal line is also published to the log error channel, and the
    // table counts one Error object once, so the group keeps the more precise source.
    options.errorGroups?.record(err, origin);
    try {
      const msg = origin === 'uncaughtException' ? 'uncaught exception' : 'unhandled rejection';
      options.logger?.fatal(msg, err instanceof Error ? { err, origin } : { err: { type: typeof err, message: safeString(err) }, origin });
    } catch {
      // the logger never throws, but a custom one might
    }
    // Make the line durable now: after an uncaught error the process may die at any moment, and
    // an app handler that exits later must not depend on the exit-time flush alone.
    flushAllSync();
  };

  // The monitor runs before Node's own handling and changes nothing about it; it also sees the
  // rejections Node raises as uncaught exceptions (origin 'unhandledRejection').
  const onMonitor = (err: unknown, origin: Origin): void => record(err, origin);

  const fatal = (err: unknown): void => {
    if (exiting) {
      // A second crash during the flush: stop now (the first one was reported already).
      flushAllSync();
      exitFn(1);
      return;
    }
    exiting = true;
    // Node's own report comes first, so a second crash or a kill during the flush cannot lose it.
    reportLikeNode(err);
    flushAllSync();
    // Lines were made durable synchronously (every sightline destination flushes on `flushAllSync`),
    // so only the async flushers (spans) and a foreign logger's own flush are waited for.
    const waits = flushers.map((f) => Promise.resolve().then(f).catch(() => undefined));
    if (options.logger !== undefined && !(options.logger instanceof Logger)) waits.push(Promise.resolve().then(() => options.logger?.flush?.()).catch(() => undefined));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout);
    });
    void Promise.race([Promise.all(waits), deadline]).then(() => {
      clearTimeout(timer);
      flushAllSync();
      exitFn(1);
    });
  };

  // The monitor has recorded it already (it always runs first).
  const onUncaught = (err: unknown): void => {
    // The app listens too: it decides (it may exit, or carry on).
    if (process.listenerCount('uncaughtException') > 1) return;
    if (keepRunning) return;
    fatal(err);
  };

  // Only present while the app itself listens for unhandledRejection (or when opted out of exit):
  // adding it otherwise would turn off Node's default (raise as uncaught exception).
  const onRejection = (reason: unknown): void => record(reason, 'unhandledRejection');
  let rejectionInstalled = false;
  const syncRejectionListener = (): void => {
    const others = process.listeners('unhandledRejection').filter((l) => l !== onRejection).length;
    const want = keepRunning || others > 0;
    if (want && !rejectionInstalled) {
      rejectionInstalled = true;
      process.on('unhandledRejection', onRejection);
    } else if (!want && rejectionInstalled) {
      rejectionInstalled = false;
      process.removeListener('unhandledRejection', onRejection);
    }
  };
  const onNewListener = (event: string | symbol, listener: unknown): void => {
    if (event === 'unhandledRejection' && listener !== onRejection) queueMicrotask(syncRejectionListener);
  };
  const onRemoveListener = (event: string | symbol, listener: unknown): void => {
    if (event === 'unhandledRejection' && listener !== onRejection) queueMicrotask(syncRejectionListener);
  };

  process.on('uncaughtExceptionMonitor', onMonitor);
  process.on('uncaughtException', onUncaught);
  process.on('newListener', onNewListener);
  process.on('removeListener', onRemoveListener);
  syncRejectionListener();

  const capture: CrashCapture = {
    addFlusher(fn) {
      flushers.push(fn);
    },
    counts,
    uninstall() {
      process.removeListener('uncaughtExceptionMonitor', onMonitor);
      process.removeListener('uncaughtException', onUncaught);
      process.removeListener('newListener', onNewListener);
      process.removeListener('removeListener', onRemoveListener);
      if (rejectionInstalled) process.removeListener('unhandledRejection', onRejection);
      rejectionInstalled = false;
      if (active === capture) active = undefined;
    },
  };
  active = capture;
  return capture;
}

/**
 * Writes what Node prints for an uncaught error (`util.inspect(err)`, then the Node version), with
 * a synchronous write: the process exits right after.
 */
function reportLikeNode(err: unknown): void {
  try {
    writeSync(2, `${inspect(err)}\n\nNode.js ${process.version}\n`);
  } catch {
    // stderr closed: nothing to report to
  }
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? v : inspect(v, { depth: 2, breakLength: Infinity }).slice(0, 1000);
  } catch {
    return '[unprintable]';
  }
}
