import { randomFillSync } from 'node:crypto';

/**
 * Trace and span ids from pooled crypto randomness. One randomFillSync fills a pool buffer; an id
 * is a reserved slice of it, hex-encoded only when someone reads it (an exporter, a propagator,
 * the logger). Hex encoding is most of the cost of an id, and a sampled-out span usually never
 * has its ids read, so the hot path only moves an offset. A pool is never refilled in place: a
 * new buffer replaces it, and spans keep a reference to theirs until their ids are encoded.
 */
const POOL_BYTES = 8192;

/** @internal the current pool and the next free offset. */
export const idPool = { buf: Buffer.alloc(0), pos: 0 };

/** @internal reserves `bytes` random bytes; read `idPool.buf` after the call. */
export function reserveId(bytes: number): number {
  let pos = idPool.pos;
  if (pos + bytes > idPool.buf.length) {
    idPool.buf = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    pos = 0;
  }
  idPool.pos = pos + bytes;
  return pos;
}

const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/** @internal lowercase hex of `len` bytes at `off`; never all zero (W3C: an all-zero id is invalid). */
export function hexId(buf: Buffer, off: number, len: number): string {
  const s = buf.toString('hex', off, off + len);
  // Probability 2^-64 at most; replacing the last digit keeps the id random enough and valid.
  if (s === ZERO_TRACE || s === ZERO_SPAN) return `${s.slice(0, -1)}1`;
  return s;
}

/**
 * A new random trace id, 32 lowercase hex chars, never all zero.
 * @example
 * newTraceId(); // '4bf92f3577b34da6a3ce929d0e0e4736'
 */
export function newTraceId(): string {
  const off = reserveId(16);
  return hexId(idPool.buf, off, 16);
}

/**
 * A new random span id, 16 lowercase hex chars, never all zero.
 * @example
 * newSpanId(); // '00f067aa0ba902b7'
 */
export function newSpanId(): string {
  const off = reserveId(8);
  return hexId(idPool.buf, off, 8);
}

/**
 * (Not part of the API.) A trace id as the tracer holds it while deciding: either a hex string (from a parent)
 * or a pool slice. One scratch instance is reused by the tracer (sampling is synchronous).
 */
export interface TraceIdRef {
  str: string | undefined;
  buf: Buffer;
  off: number;
}

/** @internal the rightmost 56 bits of the trace id as a number (the W3C "random" part). */
export function traceRandomness(ref: TraceIdRef): number {
  if (ref.str !== undefined) return parseInt(ref.str.substring(18), 16);
  const b = ref.buf;
  const o = ref.off + 9;
  return b.readUIntBE(o, 6) * 256 + (b[o + 6] as number);
}

/** @internal the hex of a TraceIdRef. */
export function traceIdOf(ref: TraceIdRef): string {
  return ref.str ?? hexId(ref.buf, ref.off, 16);
}
