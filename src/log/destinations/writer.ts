import { Worker } from 'node:worker_threads';
import { REASONS, report } from '../../diagnostics/index.js';
import type { Reasons } from '../../diagnostics/index.js';
import { ACK, EXITED, RUNNING, STARTING, STATE } from './writer-control.js';

/**
 * The thread's environment: the process' own, without `NODE_OPTIONS`. A worker given `execArgv`
 * or `env` parses `NODE_OPTIONS` from its env, so `--require`/`--import` preloads would otherwise
 * still run in it.
 */
function threadEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

let workerOfThread: (t: WriterThread) => Worker | undefined;

/**
 * The main thread's handle on the log writer thread (one per process, started on first use).
 * Sequence numbers order every message; the shared control block holds the last one the thread
 * finished (`ACK`) and whether it is running (`STATE`).
 *
 * The thread runs only this package's code: it starts with an empty `execArgv` and without
 * `NODE_OPTIONS`, so the process' preloads (APM agents, `--import` register hooks) and flags such
 * as `--input-type` do not reach it.
 */
export class WriterThread {
  readonly #ctl = new Int32Array(new SharedArrayBuffer(8));
  readonly #entry: URL;
  #worker: Worker | undefined;
  #seq = 0;
  #nextId = 1;
  #dead = false;
  #waiters: { seq: number; resolve: () => void }[] = [];
  /** Highest seq of an 'acked' reply handled on this thread. */
  #replied = 0;
  readonly #statsListeners = new Map<number, (fallback: number, errors: number) => void>();
  readonly #countListeners = new Map<number, (name: string, n: number) => void>();

  static {
    workerOfThread = (t) => t.#worker;
  }

  /**
   * @param entry The thread's module: writer-thread beside this file, with this file's extension
   *   (`.js` when built; `.ts` when the sources run under a TypeScript loader, which must then
   *   make worker threads load TypeScript too — the test runner does, see scripts/).
   */
  constructor(entry: URL = new URL(`./writer-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)) {
    this.#entry = entry;
  }

  /** Whether the thread died (its destinations then write synchronously from the main thread). */
  get dead(): boolean {
    // The thread marks its own exit in the control block (its 'exit' handler runs on an uncaught
    // exception too), which this thread sees at once, before the Worker's 'exit' event arrives:
    // a main thread busy logging must not wait for a writer that is gone.
    if (!this.#dead && Atomics.load(this.#ctl, STATE) === EXITED) {
      this.#dead = true;
      process.stderr.write('sightline: log writer thread exited; destinations write synchronously\n');
    }
    return this.#dead;
  }

  /** Whether the thread has started handling messages (and has not exited). */
  get running(): boolean {
    return Atomics.load(this.#ctl, STATE) === RUNNING && !this.#dead;
  }

  get acked(): number {
    return Atomics.load(this.#ctl, ACK);
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const w = new Worker(this.#entry, {
      workerData: { ctl: this.#ctl.buffer },
      execArgv: [],
      env: threadEnv(),
      // Descriptors move between the threads (file() opens in this one, the thread closes):
      // tracking them per thread only makes Node warn "closed but not opened in unmanaged mode".
      trackUnmanagedFds: false,
      stdout: false,
      stderr: false,
      name: 'sightline-log-writer',
    });
    w.on('message', (m: { op: string; seq?: number; id?: number; fallback?: number; errors?: number; name?: string; n?: number; reason?: string; message?: string }) => {
      if (m.op === 'acked') this.#release(m.seq ?? 0);
      else if (m.op === 'stats') this.#statsListeners.get(m.id ?? 0)?.(m.fallback ?? 0, m.errors ?? 0);
      else if (m.op === 'count') this.#countListeners.get(m.id ?? 0)?.(m.name ?? '', m.n ?? 0);
      // The thread printed it already (it must, even while this thread is blocked at exit): count it here.
      else if (m.op === 'report') report('log', isLogReason(m.reason) ? m.reason : 'writer_failed', m.message ?? '', { print: false });
    });
    w.on('error', (e) => {
      this.#dead = true;
      report('log', 'writer_thread_failed', `log writer thread failed (${String(e)}); writing synchronously`, { error: e });
      this.#releaseAll();
    });
    w.on('exit', () => {
      this.#dead = true;
      this.#releaseAll();
    });
    // After the listeners: attaching a 'message' listener refs the port again.
    w.unref();
    this.#worker = w;
    return w;
  }

  /** Opens a sink in the thread, writing from `ring` (shared with it); returns its id. */
  open(kind: string, name: string, options: unknown, ring: SharedArrayBuffer, onStats: (fallback: number, errors: number) => void, onCount?: (name: string, n: number) => void): number {
    const id = this.#nextId++;
    this.#statsListeners.set(id, onStats);
    if (onCount !== undefined) this.#countListeners.set(id, onCount);
    this.post({ op: 'open', id, kind, name, options, ring });
    return id;
  }

  /** Posts one message; returns its sequence number. */
  post(msg: Record<string, unknown>, reply = false): number {
    const seq = ++this.#seq;
    const w = this.#start();
    w.postMessage({ ...msg, seq, reply });
    return seq;
  }

  /** Resolves once the thread has handled message `seq` (keeps the process alive meanwhile). */
  whenDone(seq: number): Promise<void> {
    if (this.#replied >= seq || this.dead) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ seq, resolve });
      this.#worker?.ref();
    });
  }

  /**
   * Resolves the waiters up to the 'acked' reply being handled. Not the shared counter: it runs
   * ahead of the message queue, and the thread's stats/count messages posted before this reply
   * must be applied before a flush() or close() resolves (stats() is then exact).
   */
  #release(seq: number): void {
    if (seq > this.#replied) this.#replied = seq;
    const done = this.#replied;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.seq <= done) {
        w.resolve();
        return false;
      }
      return true;
    });
    if (this.#waiters.length === 0) this.#worker?.unref();
  }

  #releaseAll(): void {
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
  }

  /**
   * Blocks until the thread has handled message `seq` or `timeoutMs` passed. Returns whether it
   * did. Used at exit, and briefly when a destination's buffer is full and its policy is to wait.
   */
  waitSync(seq: number, timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cur = Atomics.load(this.#ctl, ACK);
      if (cur >= seq) return true;
      if (this.dead) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // The thread notifies ACK on every acknowledgement, once running, and when it exits.
      Atomics.wait(this.#ctl, ACK, cur, Math.min(left, 50));
    }
  }

  /**
   * Blocks until the thread runs (or exited) or `timeoutMs` passed; returns whether it runs. Its
   * start (loading its modules) is not progress a full buffer could wait for: see ThreadDestination.
   */
  waitRunning(timeoutMs: number): boolean {
    if (Atomics.load(this.#ctl, STATE) === STARTING && this.#worker !== undefined) {
      const deadline = Date.now() + timeoutMs;
      for (let left = timeoutMs; left > 0 && Atomics.load(this.#ctl, STATE) === STARTING; left = deadline - Date.now()) {
        Atomics.wait(this.#ctl, STATE, STARTING, Math.min(left, 50));
      }
    }
    return this.running;
  }
}

function isLogReason(r: unknown): r is Reasons['log'] {
  return (REASONS.log as readonly unknown[]).includes(r);
}

let shared: WriterThread | undefined;

/** The process-wide writer thread. */
export function writerThread(): WriterThread {
  shared ??= new WriterThread();
  return shared;
}

/** @internal For writer-testing.ts only: the thread's Worker, once started. */
export function workerOf(t: WriterThread): Worker | undefined {
  return workerOfThread(t);
}

/** @internal For writer-testing.ts only: makes `t` the process-wide writer thread. */
export function replaceWriterThread(t: WriterThread): void {
  shared = t;
}
