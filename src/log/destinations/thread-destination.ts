import { writeAllSync } from './fd-sink.js';
import { writerThread } from './writer.js';
import type { WriterThread } from './writer.js';
import type { Destination, DestinationStats, LevelName } from '../destination.js';
import { registerForExit, unregisterForExit } from '../exit.js';
import { InvalidOption } from '../errors.js';
import { parseLevelName } from '../levels.js';

/** Buffering options shared by every thread-backed destination. */
export interface BufferOptions {
  /** Minimum level of this destination. */
  level?: LevelName;
  /**
   * Most characters held for this destination, buffered here or handed to the writer thread and
   * not yet written (default 8 Mi). Bounds memory when the destination is slower than the app.
   */
  maxBuffer?: number;
  /**
   * What to do when the buffer is full: `'block'` waits up to `maxWaitMs` for the writer to catch
   * up, then drops; `'drop'` drops at once. Dropped lines are counted (`stats().dropped`) and
   * reported once on stderr. Default `'block'`.
   */
  onFull?: 'block' | 'drop';
  /** Longest wait when full with `onFull: 'block'` (default 1000 ms). */
  maxWaitMs?: number;
  /** Lines are handed over in batches of about this many characters (default 64 Ki)… */
  batchSize?: number;
  /** …or after this many milliseconds, whichever comes first (default 10). */
  flushIntervalMs?: number;
  /** Longest wait for the writer at process exit (default 10 000 ms). */
  exitTimeoutMs?: number;
}

interface Inflight {
  seq: number;
  data: string;
}

/**
 * A destination whose I/O runs in the log writer thread. `write` appends to a string buffer (no
 * syscall per line); batches go to the thread by message; `flushSync` hands over the rest and
 * waits for the thread, so nothing accepted is lost at exit.
 */
export class ThreadDestination implements Destination {
  readonly name: string;
  readonly level: LevelName | undefined;
  readonly #thread: WriterThread;
  readonly #id: number;
  readonly #max: number;
  readonly #drop: boolean;
  readonly #maxWait: number;
  readonly #batch: number;
  readonly #interval: number;
  readonly #exitTimeout: number;
  /** Direct synchronous fallback when the thread is gone: the descriptor, if the sink has one. */
  readonly #directFd: number | undefined;
  #pending = '';
  #pendingLen = 0;
  #inflight: Inflight[] = [];
  #inflightLen = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #warnedDrop = false;
  #stalledAt = -1;
  readonly #stats: DestinationStats = { written: 0, dropped: 0, fallback: 0, errors: 0 };
  /** Counters reported by the sink in the writer thread (rotations, reconnects, …). */
  readonly #sinkStats: Record<string, number> = {};

  constructor(kind: string, name: string, sinkOptions: unknown, o: BufferOptions = {}, directFd?: number, field = 'destination') {
    this.name = name;
    this.level = o.level === undefined ? undefined : parseLevelName(o.level, `${field}.level`) as LevelName;
    this.#max = positive(o.maxBuffer, 8 * 1024 * 1024, `${field}.maxBuffer`);
    if (o.onFull !== undefined && o.onFull !== 'block' && o.onFull !== 'drop') throw InvalidOption(`${field}.onFull`, "onFull must be 'block' or 'drop'");
    this.#drop = o.onFull === 'drop';
    this.#maxWait = positive(o.maxWaitMs, 1000, `${field}.maxWaitMs`, true);
    this.#batch = positive(o.batchSize, 64 * 1024, `${field}.batchSize`);
    this.#interval = positive(o.flushIntervalMs, 10, `${field}.flushIntervalMs`, true);
    this.#exitTimeout = positive(o.exitTimeoutMs, 10_000, `${field}.exitTimeoutMs`, true);
    this.#directFd = directFd;
    this.#thread = writerThread();
    this.#id = this.#thread.open(kind, name, sinkOptions, (fallback, errors) => {
      this.#stats.fallback += fallback;
      this.#stats.errors += errors;
    }, (counter, n) => {
      if (counter === 'dropped' || counter === 'fallback') this.#stats[counter] += n;
      else this.#sinkStats[counter] = (this.#sinkStats[counter] ?? 0) + n;
    });
    registerForExit(this);
  }

  write(line: string, _level: number): boolean {
    if (this.#closed) return this.#dropLine();
    const len = line.length;
    if (this.#pendingLen + this.#inflightLen + len > this.#max && !this.#makeRoom(len)) return this.#dropLine();
    this.#pending += line;
    this.#pendingLen += len;
    this.#stats.written++;
    if (this.#pendingLen >= this.#batch) this.#handOver(false);
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onTimer, this.#interval);
      this.#timer.unref();
    }
    return true;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#handOver(false);
  };

  #dropLine(): false {
    this.#stats.dropped++;
    if (!this.#warnedDrop) {
      this.#warnedDrop = true;
      process.stderr.write(`sightline: log destination ${this.name} is ${this.#closed ? 'closed' : 'full'}; dropping lines (counted in stats().dropped)\n`);
    }
    return false;
  }

  /** Frees acknowledged batches from the in-flight list. */
  #reap(): void {
    const done = this.#thread.acked;
    let i = 0;
    while (i < this.#inflight.length && this.#inflight[i]!.seq <= done) {
      this.#inflightLen -= this.#inflight[i]!.data.length;
      i++;
    }
    if (i > 0) this.#inflight.splice(0, i);
  }

  #makeRoom(len: number): boolean {
    this.#reap();
    if (this.#pendingLen + this.#inflightLen + len <= this.#max) return true;
    if (this.#thread.dead) {
      // No writer: write everything from here, synchronously, rather than lose it.
      const rest = this.#inflight.map((b) => b.data).join('') + this.#pending;
      this.#inflight = [];
      this.#inflightLen = 0;
      this.#pending = '';
      this.#pendingLen = 0;
      this.#writeDirect(rest);
      return true;
    }
    if (this.#drop || this.#maxWait === 0) return false;
    // After one wait timed out, do not wait again until the writer has made progress: a stalled
    // destination must not turn every log call into a one-second pause.
    if (this.#stalledAt === this.#thread.acked) return false;
    this.#handOver(false);
    const deadline = Date.now() + this.#maxWait;
    while (this.#inflightLen + len > this.#max) {
      const first = this.#inflight[0];
      const left = deadline - Date.now();
      if (first === undefined || left <= 0) break;
      this.#thread.waitSync(first.seq, left);
      this.#reap();
    }
    const ok = this.#pendingLen + this.#inflightLen + len <= this.#max;
    this.#stalledAt = ok ? -1 : this.#thread.acked;
    return ok;
  }

  /** Sends the pending buffer to the thread. */
  #handOver(reply: boolean): number {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#reap();
    if (this.#pendingLen === 0) {
      if (reply) return this.#thread.post({ op: 'ping', id: this.#id }, true);
      // Nothing new: what remains to wait for is the last batch already handed over.
      return this.#inflight.at(-1)?.seq ?? this.#thread.acked;
    }
    const data = this.#pending;
    this.#pending = '';
    this.#pendingLen = 0;
    if (this.#thread.dead) {
      this.#writeDirect(data);
      return this.#thread.acked;
    }
    const seq = this.#thread.post({ op: 'write', id: this.#id, data }, reply);
    this.#inflight.push({ seq, data });
    this.#inflightLen += data.length;
    return seq;
  }

  /** Last resort when the writer thread is gone: write from this thread. */
  #writeDirect(data: string): void {
    try {
      writeAllSync(this.#directFd ?? 2, data);
    } catch {
      try {
        writeAllSync(2, data);
        this.#stats.fallback += 1;
      } catch {
        this.#stats.errors += 1;
      }
    }
  }

  async flush(): Promise<void> {
    const seq = this.#handOver(true);
    await this.#thread.whenDone(seq);
    this.#reap();
  }

  flushSync(): void {
    const seq = this.#handOver(false);
    if (this.#inflight.length === 0) return;
    if (!this.#thread.waitSync(seq, this.#exitTimeout)) {
      // The thread did not finish in time (or died): write what it has not acknowledged ourselves.
      this.#reap();
      const rest = this.#inflight.map((b) => b.data).join('');
      this.#inflight = [];
      this.#inflightLen = 0;
      if (rest.length > 0) this.#writeDirect(rest);
    }
    this.#reap();
  }

  /** Re-opens the underlying file (after an external logrotate moved it). */
  reopen(): void {
    this.#handOver(false);
    this.#thread.post({ op: 'reopen', id: this.#id });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    const seq = this.#thread.post({ op: 'close', id: this.#id }, true);
    await this.#thread.whenDone(seq);
    unregisterForExit(this);
  }

  /** The common counters, plus the sink's own (e.g. `rotations`, `reconnects`), as of the last report. */
  stats(): DestinationStats & Record<string, number> {
    return { ...this.#sinkStats, ...this.#stats };
  }
}

function positive(v: number | undefined, dflt: number, field: string, allowZero = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw InvalidOption(field, `${field.split('.').pop()} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return v;
}
