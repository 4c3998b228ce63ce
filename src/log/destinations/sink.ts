/**
 * Sinks run inside the log writer thread (see writer-thread.ts). A sink does the real I/O for one
 * destination: it may block (the thread is ours), or return a promise for asynchronous I/O such as
 * sockets. Throwing (or rejecting) means the batch failed: the thread writes it to stderr instead,
 * counts it, warns once, and keeps trying the sink with later batches.
 */
export interface Sink {
  /** Writes a batch of whole lines. */
  write(data: string): void | Promise<void>;
  /** Re-opens the underlying file (SIGHUP after an external logrotate). */
  reopen?(): void | Promise<void>;
  /** Releases resources after the last write. */
  close(): void | Promise<void>;
}

/** What the writer thread offers a sink. */
export interface SinkEnv {
  /** Writes one warning line to stderr (prefixed `sightline:`). */
  warn(message: string): void;
  /**
   * Adds `n` to a sink-specific counter, reported in the destination's `stats()` (e.g.
   * `rotations`, `reconnects`). The names `dropped` and `fallback` add to the destination's own
   * `dropped` and `fallback` counts.
   */
  count(name: string, n?: number): void;
}

/**
 * Thrown by a sink whose batch failed after its first `writtenChars` characters were written
 * (e.g. a rotation in the middle of the batch, then a full disk): only the rest goes to stderr.
 */
export interface PartialWriteError extends Error {
  writtenChars: number;
}

export type SinkFactory = (options: any, env: SinkEnv) => Sink | Promise<Sink>;
