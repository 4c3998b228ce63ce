/**
 * A small protobuf wire-format writer (https://protobuf.dev/programming-guides/encoding/) for the
 * OTLP encoder: one growing Buffer, no per-field allocation. A length-delimited field reserves
 * room for its length prefix (`begin`), its content is written in place, and `end` fills the
 * length in, moving the content only when the prefix needs another size than was reserved.
 */

const TWO_32 = 4294967296;

/** Bytes a varint of `v` (0 ≤ v < 2^32) takes. */
function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  /** For each open length-delimited field: where its prefix starts, and how many bytes it reserved. */
  readonly #starts: number[] = [];
  readonly #reserved: number[] = [];
  readonly #initialSize: number;

  constructor(initialSize = 64 * 1024) {
    this.#initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Starts a new message, dropping whatever was written (and an oversized buffer). */
  reset(): void {
    this.pos = 0;
    this.#starts.length = 0;
    this.#reserved.length = 0;
    if (this.buf.length > 64 * this.#initialSize) this.buf = Buffer.allocUnsafe(this.#initialSize);
  }

  /** A copy of the bytes written since `reset`. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned varint below 2^32. */
  varint32(v: number): void {
    this.#ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A 64-bit varint given as two unsigned 32-bit halves. */
  #varint64(lo: number, hi: number): void {
    this.#ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (hi !== 0) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint32(((field << 3) | wireType) >>> 0);
  }

  /** `int64` from an integer number with |v| < 2^63 (exact: halving by 2^32 loses nothing). */
  int64(v: number): void {
    if (v >= 0 && v < TWO_32) {
      this.varint32(v);
      return;
    }
    const neg = v < 0;
    const a = neg ? -v : v;
    let lo = a % TWO_32 >>> 0;
    let hi = Math.floor(a / TWO_32) >>> 0;
    if (neg) {
      // two's complement of the 64-bit magnitude
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    }
    this.#varint64(lo, hi);
  }

  /** `int64` from a BigInt within [-2^63, 2^63). */
  int64Big(v: bigint): void {
    this.#varint64(Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn));
  }

  fixed32(v: number): void {
    this.#ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** `fixed64` given as two unsigned 32-bit halves. */
  fixed64(lo: number, hi: number): void {
    this.#ensure(8);
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(v: number): void {
    this.#ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** A `string` field (tag included), UTF-8. */
  string(field: number, s: string): void {
    this.tag(field, 2);
    const n = s.length;
    if (n < 43) {
      // at most 3 bytes per UTF-16 unit: the length fits one byte; ASCII is copied by hand
      this.#ensure(1 + 3 * n);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          p = start + 1 + b.write(s, start + 1, 3 * n, 'utf8');
          break;
        }
        b[p++] = c;
      }
      b[start] = p - start - 1;
      this.pos = p;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint32(len);
    this.#ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  /** A `bytes` field holding the bytes a lowercase hex string spells (trace and span ids). */
  hexBytes(field: number, hex: string): void {
    this.tag(field, 2);
    const n = Math.min(hex.length >>> 1, 127);
    this.#ensure(1 + n);
    const written = n === 0 ? 0 : this.buf.write(hex, this.pos + 1, n, 'hex');
    this.buf[this.pos] = written;
    this.pos += 1 + written;
  }

  /** A `bytes` field. */
  bytes(field: number, v: Uint8Array): void {
    this.tag(field, 2);
    this.varint32(v.length);
    this.#ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /**
   * Opens a length-delimited field (an embedded message). `reserve` is the guessed size of its
   * length prefix in bytes: 1 for small messages, more for ones holding a whole batch.
   */
  begin(field: number, reserve = 1): void {
    this.tag(field, 2);
    this.#ensure(reserve);
    this.#starts.push(this.pos);
    this.#reserved.push(reserve);
    this.pos += reserve;
  }

  /** Closes the field opened last, writing its length. */
  end(): void {
    const start = this.#starts.pop()!;
    const reserved = this.#reserved.pop()!;
    let len = this.pos - start - reserved;
    const need = varintSize(len);
    if (need !== reserved) {
      this.#ensure(need - reserved);
      this.buf.copyWithin(start + need, start + reserved, this.pos);
      this.pos += need - reserved;
    }
    const b = this.buf;
    let p = start;
    while (len > 0x7f) {
      b[p++] = (len & 0x7f) | 0x80;
      len >>>= 7;
    }
    b[p] = len;
  }
}
