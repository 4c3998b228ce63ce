/**
 * No lost lines: every destination with buffered output is flushed synchronously when the process
 * exits — normally, through `process.exit()`, after an uncaught exception or unhandled rejection
 * (Node emits 'exit' for those too), and on SIGTERM/SIGINT — without changing what the app does.
 *
 * Signals: installing a listener would cancel Node's default action (terminate). So our listener
 * flushes, and then, only if no other listener exists (the app did not take over the signal), it
 * removes itself and re-raises the signal so the process dies by it exactly as it would have.
 */
interface Flushable {
  flushSync(): void;
}

const live = new Set<Flushable>();
let installed = false;

export function registerForExit(d: Flushable): void {
  live.add(d);
  if (!installed) install();
}

export function unregisterForExit(d: Flushable): void {
  live.delete(d);
}

/** Flushes every live destination synchronously; never throws. */
export function flushAllSync(): void {
  for (const d of live) {
    try {
      d.flushSync();
    } catch {
      // a destination that cannot flush must not stop the others
    }
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  flushAllSync();
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function install(): void {
  installed = true;
  process.on('exit', flushAllSync);
  for (const s of SIGNALS) {
    process.on(s, onSignal);
  }
}
