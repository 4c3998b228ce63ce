import { report } from '../../diagnostics/index.js';
import { writeAllSync } from './fd-sink.js';
import { writerThread } from './writer.js';
import type { WriterThread } from './writer.js';
import type { Destination, DestinationStats, LevelName } from '../destination.js';
import { registerForExit, unregisterForExit } from '../exit.js';
import { optionKeys } from '../../errors.js';
import { InvalidOption } from '../errors.js';
import { parseLevelName } from '../levels.js';

/** Buffering options shared by every thread-backed destination. */
export interface BufferOptions {
  /** Minimum level of this destination. */
  level?: LevelName;
  /**
   * Most bytes (UTF-8) held for this destination, buffered here or handed to the writer thread
   * and not yet written (default 8 MiB). Bounds memory when the destination is slower than the
   * app; memory is only touched as far as the backlog reaches.
   */
  maxBuffer?: number;
  /**
   * What to do when the buffer is full: `'block'` waits up to `maxWaitMs` for the writer to catch
   * up (not counting the time the writer thread takes to start), then drops; `'drop'` drops at
   * once. Dropped lines are counted (`stats().dropped`) and reported once on stderr. Default
   * `'block'`. A writer thread that died never causes drops: the main thread writes itself.
   */
  onFull?: 'block' | 'drop';
  /** Longest wait when full with `onFull: 'block'` (default 1000 ms). */
  maxWaitMs?: number;
  /** Lines are handed over in batches of about this many bytes (default 64 KiB)… */
  batchSize?: number;
  /** …or after this many milliseconds, whichever comes first (default 10). */
  flushIntervalMs?: number;
  /** Longest wait for the writer at process exit (default 10 000 ms). */
  exitTimeoutMs?: number;
}

/** Every key of {@link BufferOptions} (the destinations' own lists start with these). @internal */
export const BUFFER_OPTION_KEYS = optionKeys<BufferOptions>()(['level', 'maxBuffer', 'onFull', 'maxWaitMs', 'batchSize', 'flushIntervalMs', 'exitTimeoutMs']);

/** A batch handed to the writer thread: bytes [start, end) of the ring, acknowledged by `seq`. */
interface Inflight {
  seq: number;
  start: number;
  end: number;
}

/**
 * Encodes `s` as UTF-8 into `buf` at `offset`; returns the bytes written. Node's Buffer has an
 * undeclared `utf8Write` that `buf.write(s, offset)` calls after checking its arguments: used
 * directly when present (it has been for every Node release), else the documented method.
 */
const encodeInto: (buf: Buffer, s: string, offset: number) => number =
  typeof (Buffer.prototype as { utf8Write?: unknown }).utf8Write === 'function'
    ? (buf, s, offset) => (buf as Buffer & { utf8Write(s: string, offset: number): number }).utf8Write(s, offset)
    : (buf, s, offset) => buf.write(s, offset);

/** Below this many bytes of ring the write position never wraps early (see `#softEnd`). */
const SOFT_MIN = 1024 * 1024;

/**
 * A destination whose I/O runs in the log writer thread.
 *
 * Lines are joined into one pending string (a concatenation: no copy, no system call per line)
 * whose room in a SharedArrayBuffer ring both threads see is reserved at once (3 bytes per UTF-16
 * unit, the most UTF-8 needs). When a batch is handed over, the string is encoded as UTF-8 into
 * the ring in one pass (cheaper than a pass per line) and only its byte range is posted; the
 * thread writes those bytes where they are and acknowledges the batch through the shared
 * counter, which frees them. Because the main thread still sees every byte it handed over,
 * `flushSync` at exit can write whatever the thread did not finish itself: nothing accepted is
 * lost.
 *
 * The ring is `maxBuffer` bytes, but the write position goes back to the start as soon as the
 * thread has caught up (or past `#softEnd` when the start is free), so only the memory the
 * backlog needs is ever touched.
 */
export class ThreadDestination implements Destination {
  readonly name: string;
  readonly level: LevelName | undefined;
  readonly #thread: WriterThread;
  readonly #id: number;
  readonly #size: number;
  readonly #ring: Buffer;
  readonly #drop: boolean;
  readonly #maxWait: number;
  readonly #batch: number;
  readonly #softEnd: number;
  readonly #interval: number;
  readonly #exitTimeout: number;
  /** Direct synchronous fallback when the thread is gone: the descriptor, if the sink has one. */
  readonly #directFd: number | undefined;
  /**
   * Pending (not yet handed over) lines: bytes already encoded at [#start, #pos) (a line placed
   * exactly, when the ring was nearly full), then `#text`, which always fits at `#pos` even at
   * 3 bytes per UTF-16 unit: `#pos + 3 * #text.length <= #limit`.
   */
  #start = 0;
  #pos = 0;
  #text = '';
  /** Where the free space at `#pos` ends (a cached, conservative bound; see `#freeEnd`). */
  #limit: number;
  #inflight: Inflight[] = [];
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
    const size = positive(o.maxBuffer, 8 * 1024 * 1024, `${field}.maxBuffer`);
    if (!Number.isSafeInteger(Math.ceil(size)) || size > 2 ** 31 - 1) throw InvalidOption(`${field}.maxBuffer`, 'maxBuffer must be at most 2 GiB - 1');
    this.#size = Math.ceil(size);
    if (o.onFull !== undefined && o.onFull !== 'block' && o.onFull !== 'drop') throw InvalidOption(`${field}.onFull`, "onFull must be 'block' or 'drop'");
    this.#drop = o.onFull === 'drop';
    this.#maxWait = positive(o.maxWaitMs, 1000, `${field}.maxWaitMs`, true);
    // A batch never takes more than half the ring, so one can be written while the next fills.
    this.#batch = Math.max(1, Math.min(positive(o.batchSize, 64 * 1024, `${field}.batchSize`), Math.floor(this.#size / 2)));
    this.#softEnd = Math.min(this.#size, Math.max(SOFT_MIN, 4 * this.#batch));
    this.#interval = positive(o.flushIntervalMs, 10, `${field}.flushIntervalMs`, true);
    this.#exitTimeout = positive(o.exitTimeoutMs, 10_000, `${field}.exitTimeoutMs`, true);
    this.#directFd = directFd;
    const sab = new SharedArrayBuffer(this.#size);
    this.#ring = Buffer.from(sab);
    this.#limit = this.#size;
    this.#thread = writerThread();
    this.#id = this.#thread.open(kind, name, sinkOptions, sab, (fallback, errors) => {
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
    const text = this.#text;
    // Fast path: room for the pending text and this line even at 3 UTF-8 bytes per unit.
    if (text.length === 0 || this.#pos + (text.length + line.length) * 3 > this.#limit) {
      if (!this.#place(line)) return this.#dropLine();
    } else {
      this.#text = text + line;
    }
    this.#stats.written++;
    if (this.#text.length + (this.#pos - this.#start) >= this.#batch) this.#handOver(false);
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
    // Counted every time, printed once per destination.
    report('log', 'line_dropped', `log destination ${this.name} is ${this.#closed ? 'closed' : 'full'}; dropping lines (counted in stats().dropped)`, { print: !this.#warnedDrop });
    this.#warnedDrop = true;
    return false;
  }

  /** Frees acknowledged batches. */
  #reap(): void {
    const done = this.#thread.acked;
    const q = this.#inflight;
    let i = 0;
    while (i < q.length && q[i]!.seq <= done) i++;
    if (i > 0) q.splice(0, i);
  }

  /**
   * Where free space at `#pos` ends. Batches are freed in order, so the only obstacle ahead of the
   * write position is the oldest batch in flight, when it lies ahead (the ring has wrapped).
   */
  #freeEnd(): number {
    const head = this.#inflight[0];
    if (head === undefined) return this.#size;
    return head.start >= this.#pos ? head.start : this.#size;
  }

  /**
   * Accepts `line` when the fast path could not (or returns false): starts a new pending run
   * (going back to the ring's start when it can); else encodes the pending text and places the
   * line exactly, wrapping when the end is reached, or applies the `onFull` policy.
   */
  #place(line: string): boolean {
    this.#reap();
    if (this.#text.length === 0 && this.#pos === this.#start) {
      // Nothing pending: go back to the start when the thread caught up, or early once past
      // the soft end, so a steady stream touches only the first part of the ring.
      const head = this.#inflight[0];
      if (head === undefined) this.#start = this.#pos = 0;
      else if (this.#pos >= this.#softEnd && head.start < this.#pos && head.start >= this.#batch) this.#start = this.#pos = 0;
    }
    this.#limit = this.#freeEnd();
    if (this.#pos + (this.#text.length + line.length) * 3 <= this.#limit) {
      this.#text += line;
      return true;
    }
    // The reservation does not fit: encode what is pending (it fits), then place this line by
    // its exact size.
    this.#encodeText();
    const need = Buffer.byteLength(line, 'utf8');
    if (need > this.#size) return false;
    for (;;) {
      if (this.#fits(need)) {
        this.#pos += encodeInto(this.#ring, line, this.#pos);
        return true;
      }
      if (this.#thread.dead) {
        // No writer: write everything from here, synchronously, rather than lose it.
        this.#writeUnacked();
        this.#writePending();
        continue;
      }
      if (this.#drop || this.#maxWait === 0) return false;
      // After one wait timed out, do not wait again until the writer has made progress: a
      // stalled destination must not turn every log call into a one-second pause.
      if (this.#stalledAt === this.#thread.acked) return false;
      this.#handOver(false);
      if (this.#inflight[0] === undefined) continue;
      // A thread still loading has not had its chance to catch up: its start (seconds, on a
      // loaded machine) does not count against maxWaitMs, only against exitTimeoutMs.
      this.#thread.waitRunning(this.#exitTimeout);
      const deadline = Date.now() + this.#maxWait;
      let ok = false;
      while (!ok) {
        const left = deadline - Date.now();
        const oldest = this.#inflight[0];
        if (oldest === undefined || left <= 0 || this.#thread.dead) break;
        this.#thread.waitSync(oldest.seq, left);
        this.#reap();
        ok = this.#fits(need);
      }
      if (ok) {
        this.#stalledAt = -1;
        this.#pos += encodeInto(this.#ring, line, this.#pos);
        return true;
      }
      if (this.#thread.dead) continue;
      this.#stalledAt = this.#thread.acked;
      return false;
    }
  }

  /** Encodes the pending text at `#pos` (its room was reserved). */
  #encodeText(): void {
    const text = this.#text;
    if (text.length === 0) return;
    this.#text = '';
    this.#pos += encodeInto(this.#ring, text, this.#pos);
  }

  /** Whether `need` bytes fit at `#pos`, wrapping to the ring's start when only that helps. */
  #fits(need: number): boolean {
    if (this.#pos === this.#start && this.#inflight.length === 0) this.#start = this.#pos = 0;
    this.#limit = this.#freeEnd();
    if (this.#pos + need <= this.#limit) return true;
    // The ring has wrapped and its oldest batch is right ahead: only its acknowledgement helps.
    if (this.#limit !== this.#size) return false;
    // Too little room before the end: wrap, if the start of the ring has room (up to the oldest
    // byte still held). The pending run must stay contiguous, so it is handed over first.
    const front = this.#inflight[0]?.start ?? this.#start;
    if (need > front) return false;
    if (this.#pos > this.#start) this.#handOver(false);
    this.#start = this.#pos = 0;
    this.#limit = this.#freeEnd();
    return need <= this.#limit;
  }

  /** Sends the pending bytes to the thread; returns the sequence number to wait for. */
  #handOver(reply: boolean): number {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#encodeText();
    // No writer: what it had not acknowledged goes first, so nothing is lost or reordered.
    if (this.#thread.dead && this.#inflight.length > 0) this.#writeUnacked();
    if (this.#pos === this.#start) {
      if (reply) return this.#thread.post({ op: 'ping', id: this.#id }, true);
      // Nothing new: what remains to wait for is the last batch already handed over.
      return this.#inflight.at(-1)?.seq ?? this.#thread.acked;
    }
    const start = this.#start;
    const end = this.#pos;
    this.#start = end;
    if (this.#thread.dead) {
      this.#writeDirect(this.#ring.subarray(start, end));
      return this.#thread.acked;
    }
    const seq = this.#thread.post({ op: 'write', id: this.#id, start, end }, reply);
    this.#inflight.push({ seq, start, end });
    return seq;
  }

  /** Writes, from this thread, every batch the thread has not acknowledged (oldest first). */
  #writeUnacked(): void {
    this.#reap();
    const q = this.#inflight;
    this.#inflight = [];
    for (const b of q) this.#writeDirect(this.#ring.subarray(b.start, b.end));
    this.#limit = this.#freeEnd();
  }

  #writePending(): void {
    this.#encodeText();
    if (this.#pos > this.#start) this.#writeDirect(this.#ring.subarray(this.#start, this.#pos));
    this.#start = this.#pos = 0;
    this.#limit = this.#freeEnd();
  }

  /** Last resort when the writer thread is gone: write from this thread. */
  #writeDirect(data: Uint8Array): void {
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
    // The thread did not finish in time (or died): write what it has not acknowledged ourselves.
    if (!this.#thread.waitSync(seq, this.#exitTimeout)) this.#writeUnacked();
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

/** A positive (or, with `allowZero`, non-negative) number option, else SL_ERR_LOG_INVALID_OPTION naming `field`. */
export function positive(v: unknown, dflt: number, field: string, allowZero = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw InvalidOption(field, `${field.split('.').pop()} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return v;
}
