import { writeAllSync } from './fd-sink.js';
import type { Destination, DestinationStats, LevelName } from '../destination.js';
import { registerForExit, unregisterForExit } from '../exit.js';
import { InvalidDestination, InvalidOption } from '../errors.js';
import { parseLevelName } from '../levels.js';
import { describeThrow } from '../serialize.js';

/**
 * What the logger needs of a Node stream: `write(chunk, callback)` returning false under
 * backpressure, and `on('drain' | 'error' | 'close')`. Every `stream.Writable` (files, sockets,
 * `process.stdout`, a `PassThrough`, a transport's input) has them.
 */
export interface WritableLike {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeListener?(event: string, listener: (...args: any[]) => void): unknown;
  readonly writableNeedDrain?: boolean;
  readonly writableEnded?: boolean;
  readonly destroyed?: boolean;
}

/** Options of {@link writable}. */
export interface WritableOptions {
  /** Minimum level of this destination. */
  level?: LevelName;
  /**
   * Most bytes (UTF-8) held here while the stream applies backpressure (default 8 MiB). Beyond
   * it lines are dropped, counted (`stats().dropped`) and reported once on stderr. What the
   * stream buffers itself (up to its `highWaterMark`) comes on top.
   */
  maxBuffer?: number;
  /** Longest wait of `flush()` for a stream that does not drain (default 10 000 ms). */
  flushTimeoutMs?: number;
}

/** Whether `v` looks like a Node Writable rather than a Sightline destination. */
export function isWritableLike(v: unknown): v is WritableLike {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['write'] === 'function' && typeof o['on'] === 'function' && typeof o['flushSync'] !== 'function';
}

/**
 * A destination writing to a Node `stream.Writable`.
 *
 * Each line is handed to `stream.write()` at once while the stream accepts more. Once `write()`
 * returns false (backpressure), lines are joined into one pending string here — bounded by
 * `maxBuffer`, beyond which they are dropped and counted — and handed over in one `write()`
 * when the stream emits `drain`. The caller never waits.
 *
 * `flush()` resolves when the stream has called back for every line (or after
 * `flushTimeoutMs`). At exit, crash and signals `flushSync()` hands the pending lines to the
 * stream regardless of backpressure: a stream that writes synchronously (`process.stdout` to a
 * file, pipe or terminal on Linux) writes them before the process ends; an asynchronous one
 * (`fs.createWriteStream`, a socket) may not get to. Use `file()` or `stdout()` where every line
 * must survive a crash.
 *
 * A stream that errors or is destroyed never crashes the app: the destination counts it
 * (`stats().errors`), warns once on stderr, and writes later lines to stderr
 * (`stats().fallback`). The stream is the caller's: `close()` stops writing to it but does not
 * end it.
 */
export class WritableDestination implements Destination {
  readonly name: string;
  readonly level: LevelName | undefined;
  readonly #stream: WritableLike;
  readonly #max: number;
  readonly #flushTimeout: number;
  readonly #stats: DestinationStats = { written: 0, dropped: 0, fallback: 0, errors: 0 };
  /** Lines accepted while the stream was under backpressure, and their UTF-8 size. */
  #pending = '';
  #pendingBytes = 0;
  /** Writes handed to the stream that have not called back yet. */
  #outstanding = 0;
  #blocked: boolean;
  #failed = false;
  #closed = false;
  #warnedDrop = false;
  #waiters: (() => void)[] = [];

  constructor(stream: WritableLike, options: WritableOptions = {}, field = 'destination') {
    if (!isWritableLike(stream)) throw InvalidDestination(field, 'a stream needs write() and on()');
    if (stream.writableEnded === true || stream.destroyed === true) throw InvalidDestination(field, 'the stream has already ended or been destroyed');
    if (typeof options !== 'object' || options === null) throw InvalidOption(field, 'options must be an object');
    this.#stream = stream;
    this.name = `stream:${streamName(stream)}`;
    this.level = options.level === undefined ? undefined : parseLevelName(options.level, `${field}.level`) as LevelName;
    this.#max = positive(options.maxBuffer, 8 * 1024 * 1024, `${field}.maxBuffer`);
    this.#flushTimeout = positive(options.flushTimeoutMs, 10_000, `${field}.flushTimeoutMs`);
    this.#blocked = stream.writableNeedDrain === true;
    stream.on('drain', this.#onDrain);
    stream.on('error', this.#onError);
    stream.on('close', this.#onClose);
    registerForExit(this);
  }

  write(line: string, _level: number): boolean {
    if (this.#closed) return this.#dropLine();
    if (this.#failed) {
      this.#stats.written++;
      this.#toStderr(line);
      return true;
    }
    if (this.#blocked) {
      const n = Buffer.byteLength(line, 'utf8');
      if (this.#pendingBytes + n > this.#max) return this.#dropLine();
      this.#pending += line;
      this.#pendingBytes += n;
      this.#stats.written++;
      return true;
    }
    this.#stats.written++;
    this.#hand(line);
    return true;
  }

  /** Hands `text` to the stream; notes backpressure. */
  #hand(text: string): void {
    this.#outstanding++;
    let ok: boolean;
    try {
      ok = this.#stream.write(text, this.#written);
    } catch (e) {
      // A duck-typed stream that throws: same as an 'error' event (its callback will not come).
      this.#outstanding--;
      this.#fail(e);
      this.#toStderr(text);
      return;
    }
    if (ok === false) this.#blocked = true;
  }

  readonly #written = (err?: Error | null): void => {
    this.#outstanding--;
    if (err !== undefined && err !== null) this.#fail(err);
    this.#settle();
  };

  readonly #onDrain = (): void => {
    this.#blocked = false;
    if (this.#pending === '' || this.#failed) return;
    const text = this.#pending;
    this.#pending = '';
    this.#pendingBytes = 0;
    this.#hand(text);
  };

  readonly #onError = (err: unknown): void => {
    this.#fail(err);
  };

  readonly #onClose = (): void => {
    // Closed under us (destroyed, or ended by its owner): later lines have nowhere to go.
    if (!this.#closed) this.#fail(new Error('the stream was closed'));
  };

  #fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#stats.errors++;
    process.stderr.write(`sightline: log destination ${this.name} failed (${describeThrow(err)}); its lines go to stderr\n`);
    if (this.#pending !== '') {
      const text = this.#pending;
      this.#pending = '';
      this.#pendingBytes = 0;
      this.#toStderr(text);
    }
    this.#settle();
  }

  #toStderr(text: string): void {
    try {
      writeAllSync(2, text);
      this.#stats.fallback++;
    } catch {
      this.#stats.errors++;
    }
  }

  #dropLine(): false {
    this.#stats.dropped++;
    if (!this.#warnedDrop) {
      this.#warnedDrop = true;
      process.stderr.write(`sightline: log destination ${this.name} is ${this.#closed ? 'closed' : 'full'}; dropping lines (counted in stats().dropped)\n`);
    }
    return false;
  }

  #idle(): boolean {
    return this.#failed || (this.#pending === '' && this.#outstanding <= 0);
  }

  /** Wakes `flush()` callers once everything handed over has called back. */
  #settle(): void {
    if (this.#waiters.length === 0 || !this.#idle()) return;
    const w = this.#waiters;
    this.#waiters = [];
    for (const resolve of w) resolve();
  }

  flush(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#flushTimeout);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  flushSync(): void {
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#pendingBytes = 0;
    if (this.#failed) this.#toStderr(text);
    else this.#hand(text);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    // The 'error' listener stays: a late error must not become an uncaught exception.
    if (typeof this.#stream.removeListener === 'function') {
      this.#stream.removeListener('drain', this.#onDrain);
      this.#stream.removeListener('close', this.#onClose);
    }
    unregisterForExit(this);
  }

  stats(): DestinationStats {
    return { ...this.#stats };
  }
}

/**
 * Writes log lines to a Node `stream.Writable` (a stream passed directly as `destination` is
 * wrapped by this, with the default options).
 * @example
 * import { PassThrough } from 'node:stream';
 * const out = new PassThrough();
 * createLogger({ destination: writable(out, { level: 'info', maxBuffer: 1024 * 1024 }) });
 */
export function writable(stream: WritableLike, options: WritableOptions = {}): WritableDestination {
  return new WritableDestination(stream, options);
}

function streamName(s: WritableLike): string {
  const o = s as { path?: unknown; fd?: unknown; constructor?: { name?: unknown } };
  if (typeof o.path === 'string') return o.path;
  if (typeof o.fd === 'number') return `fd:${o.fd}`;
  const c = o.constructor?.name;
  return typeof c === 'string' && c !== '' ? c : 'Writable';
}

function positive(v: unknown, dflt: number, field: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw InvalidOption(field, `${field.split('.').pop()} must be a positive number`);
  return v;
}
