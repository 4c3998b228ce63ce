import { writeAllSync } from './fd-sink.js';
import type { Destination, DestinationStats, LevelName } from '../destination.js';
import { registerForExit, unregisterForExit } from '../exit.js';
import { InvalidDestination, InvalidOption, UnknownOption } from '../errors.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { parseLevelName } from '../levels.js';
import { describeThrow } from '../serialize.js';
import { report } from '../../diagnostics/index.js';
import { positive } from './thread-destination.js';

/**
 * What the logger needs of a Node stream: `write(chunk, callback)` returning false under
 * backpressure, and `on('drain' | 'error' | 'close')`. Every `stream.Writable` (files, sockets,
 * `process.stdout`, a `PassThrough`, a transport's input) has them.
 */
export interface WritableLike {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly writableNeedDrain?: boolean;
  readonly writableEnded?: boolean;
  readonly writableLength?: number;
  readonly destroyed?: boolean;
}

/** What some stream-like writers add (pino's sonic-boom destination): used when present. */
interface FlushableStream {
  flush(callback: (error?: Error | null) => void): void;
  flushSync(): void;
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

const WRITABLE_OPTION_KEYS = optionKeys<WritableOptions>()(['level', 'maxBuffer', 'flushTimeoutMs']);

/**
 * Whether `v` looks like a Node Writable (an event emitter with `write`) rather than a Sightline
 * destination (which has `flushSync` and `stats`).
 */
export function isWritableLike(v: unknown): v is WritableLike {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (typeof o['write'] !== 'function' || typeof o['on'] !== 'function') return false;
  return typeof o['flushSync'] !== 'function' || typeof o['stats'] !== 'function';
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
 * stream regardless of backpressure, then calls the stream's own `flushSync()` if it has one
 * (pino's sonic-boom does): a stream that writes synchronously (`process.stdout` to a file, pipe
 * or terminal on Linux, sonic-boom) writes them before the process ends; an asynchronous one
 * (`fs.createWriteStream`, a socket) may not get to. Use `file()` or `stdout()` where every line
 * must survive a crash.
 *
 * Stream-likes that are not Node streams (no `writableLength`, such as sonic-boom) may ignore
 * write callbacks: for them `flush()` waits for the backlog to drain and then for the stream's
 * own `flush(callback)`, if it has one.
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
  /** A Node stream: it calls back for each write, which is how `flush()` knows it is done. */
  readonly #acks: boolean;
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
    checkOptionKeys(options, WRITABLE_OPTION_KEYS, UnknownOption, 'writable()', field);
    this.#stream = stream;
    this.name = `stream:${streamName(stream)}`;
    this.level = options.level === undefined ? undefined : parseLevelName(options.level, `${field}.level`) as LevelName;
    this.#max = positive(options.maxBuffer, 8 * 1024 * 1024, `${field}.maxBuffer`);
    this.#flushTimeout = positive(options.flushTimeoutMs, 10_000, `${field}.flushTimeoutMs`);
    this.#blocked = stream.writableNeedDrain === true;
    this.#acks = typeof stream.writableLength === 'number';
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
    let ok: boolean;
    try {
      if (this.#acks) {
        this.#outstanding++;
        ok = this.#stream.write(text, this.#written);
      } else ok = this.#stream.write(text);
    } catch (e) {
      // A stream that throws (sonic-boom once destroyed): same as an 'error' event, and its
      // callback will not come.
      if (this.#acks) this.#outstanding--;
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
    report('log', 'destination_failed', `log destination ${this.name} failed (${describeThrow(err)}); its lines go to stderr`, { print: true, error: err });
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
    report('log', 'line_dropped', `log destination ${this.name} is ${this.#closed ? 'closed' : 'full'}; dropping lines (counted in stats().dropped)`, { print: !this.#warnedDrop });
    this.#warnedDrop = true;
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
    const wake = (): void => {
      for (const resolve of w) resolve();
    };
    const own = this.#own();
    if (own === undefined || this.#failed) return wake();
    try {
      own.flush(wake);
    } catch {
      wake();
    }
  }

  /** The stream's own flush/flushSync, for stream-likes that do not call back per write. */
  #own(): FlushableStream | undefined {
    const s = this.#stream as Partial<FlushableStream>;
    return !this.#acks && typeof s.flush === 'function' ? (s as FlushableStream) : undefined;
  }

  flush(): Promise<void> {
    if (this.#idle() && this.#own() === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      // Not unref'd: an awaited flush settles within flushTimeoutMs even when nothing else
      // keeps the process alive.
      const timer = setTimeout(done, this.#flushTimeout);
      let once = false;
      function done(): void {
        if (once) return;
        once = true;
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
      this.#settle();
    });
  }

  flushSync(): void {
    if (this.#pending !== '') {
      const text = this.#pending;
      this.#pending = '';
      this.#pendingBytes = 0;
      if (this.#failed) this.#toStderr(text);
      else this.#hand(text);
    }
    const s = this.#stream as Partial<FlushableStream>;
    if (this.#failed || typeof s.flushSync !== 'function') return;
    try {
      s.flushSync();
    } catch {
      // not ready, or destroyed: nothing more can be done synchronously
    }
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
