import fs from 'node:fs';
import type { Sink } from './sink.js';

/** Blocking write of a whole buffer to a descriptor, retrying partial writes and EAGAIN. */
export function writeAllSync(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  let spins = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
      spins = 0;
    } catch (e) {
      // A non-blocking pipe that is full: wait a little and retry (bounded: ~10 s in total).
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN' && spins++ < 10_000) {
        Atomics.wait(SLEEPER, 0, 0, 1);
        continue;
      }
      throw e;
    }
  }
}
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Options of the descriptor sink. */
export interface FdSinkOptions {
  /** An open descriptor (stdout 1, stderr 2, or one the main thread opened). */
  fd: number;
  /** When set, `reopen()` re-opens this path for appending and swaps the descriptor. */
  path?: string;
  /** Whether the sink owns the descriptor (closes it on close). */
  own?: boolean;
}

/** Writes to a file descriptor. Used for stdout, stderr and plain files. */
export function createFdSink(o: FdSinkOptions): Sink {
  let fd = o.fd;
  return {
    bytes: true,
    write(data) {
      writeAllSync(fd, data);
    },
    reopen() {
      if (o.path === undefined) return;
      const next = fs.openSync(o.path, 'a');
      const old = fd;
      fd = next;
      try {
        fs.closeSync(old);
      } catch {
        // already closed
      }
    },
    close() {
      if (o.own === true || o.path !== undefined) {
        try {
          fs.closeSync(fd);
        } catch {
          // already closed
        }
      }
    },
  };
}
