import type { Reasons } from '../../diagnostics/index.js';

/**
 * Sinks run inside the log writer thread (see writer-thread.ts). A sink does the real I/O for one
 * destination: it may block (the thread is ours), or return a promise for asynchronous I/O such as
 * sockets. Throwing (or rejecting) means the batch failed: the thread writes it to stderr instead,
 * counts it, warns once, and keeps trying the sink with later batches.
 */
interface SinkBase {
  /** Re-opens the underlying file (SIGHUP after an external logrotate). */
  reopen?(): void | Promise<void>;
  /** Releases resources after the last write. */
  close(): void | Promise<void>;
}

/** A sink that takes text: the thread decodes each batch from UTF-8 for it. */
export interface TextSink extends SinkBase {
  readonly bytes?: false;
  /** Writes a batch of whole lines. */
  write(data: string): void | Promise<void>;
}

/**
 * A sink that takes the batch's UTF-8 bytes as they lie in the destination's shared buffer (no
 * copy, no decoding). The bytes are only valid until `write` returns or its promise settles.
 */
export interface ByteSink extends SinkBase {
  readonly bytes: true;
  /** Writes a batch of whole lines. */
  write(data: Buffer): void | Promise<void>;
}

export type Sink = TextSink | ByteSink;

/** What the writer thread offers a sink. */
export interface SinkEnv {
  /** Writes one notice line to stderr (prefixed `sightline:`), e.g. a recovery; not counted. */
  warn(message: string): void;
  /**
   * Reports a problem: written to stderr like `warn` when `print` (default true; a sink that
   * prints once passes false after that), and counted in every case as
   * `sightline_internal_errors_total{pillar="log",reason}`.
   */
  report(reason: Reasons['log'], message: string, print?: boolean): void;
  /**
   * Adds `n` to a sink-specific counter, reported in the destination's `stats()` (e.g.
   * `rotations`, `reconnects`). The names `dropped` and `fallback` add to the destination's own
   * `dropped` and `fallback` counts.
   */
  count(name: string, n?: number): void;
}

/**
 * Thrown by a sink whose batch failed after its first `writtenChars` characters (a text sink) or
 * bytes (a byte sink) were written (e.g. a rotation in the middle of the batch, then a full
 * disk): only the rest goes to stderr.
 */
export interface PartialWriteError extends Error {
  writtenChars: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind takes its own options, structured-cloned from the main thread
export type SinkFactory = (options: any, env: SinkEnv) => Sink | Promise<Sink>;
