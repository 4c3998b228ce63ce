import { Worker } from 'node:worker_threads';
import { REASONS, report } from '../../diagnostics/index.js';
import type { Reasons } from '../../diagnostics/index.js';

/**
 * The main thread's handle on the log writer thread (one per process, started on first use).
 * Sequence numbers order every message; `ack[0]` holds the last one the thread finished.
 */
export class WriterThread {
  readonly #ack = new Int32Array(new SharedArrayBuffer(4));
  #worker: Worker | undefined;
  #seq = 0;
  #nextId = 1;
  #dead = false;
  #waiters: { seq: number; resolve: () => void }[] = [];
  /** Highest seq of an 'acked' reply handled on this thread. */
  #replied = 0;
  readonly #statsListeners = new Map<number, (fallback: number, errors: number) => void>();
  readonly #countListeners = new Map<number, (name: string, n: number) => void>();

  /** Whether the thread died (its destinations then write synchronously from the main thread). */
  get dead(): boolean {
    return this.#dead;
  }

  get acked(): number {
    return Atomics.load(this.#ack, 0);
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const options = { workerData: { ack: this.#ack.buffer }, stdout: false, stderr: false, name: 'sightline-log-writer' };
    let w: Worker;
    if (import.meta.url.endsWith('.ts')) {
      // Running from TypeScript sources (tests): loader hooks are per thread, so register tsx in
      // the writer thread before loading its entry.
      const entry = new URL('./writer-thread.ts', import.meta.url).href;
      const tsx = import.meta.resolve('tsx/esm/api');
      w = new Worker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`, { ...options, eval: true });
    } else {
      w = new Worker(new URL('./writer-thread.js', import.meta.url), options);
    }
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

  /**
   * @internal Stops the thread as if it had crashed (tests of the fallback that writes from the
   * main thread). Resolves once it is gone and marked dead.
   */
  async kill(): Promise<void> {
    const w = this.#worker;
    if (w === undefined || this.#dead) return;
    await w.terminate();
    this.#dead = true;
    this.#releaseAll();
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
    if (this.#replied >= seq || this.#dead) return Promise.resolve();
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
      const cur = Atomics.load(this.#ack, 0);
      if (cur >= seq) return true;
      if (this.#dead) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.#ack, 0, cur, Math.min(left, 50));
    }
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
