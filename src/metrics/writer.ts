/**
 * The byte writer the exposition renders into: fixed-size Buffer chunks filled in place, handed to
 * a consumer when full. Rendering into bytes instead of concatenating strings is what keeps a
 * 10,000-series scrape cheap: no per-line string, no rope to flatten at the end, almost nothing for
 * the GC (see docs/metrics.md, Performance).
 *
 * A chunk is only ever cut between two writes, and every write of text is whole, so a chunk never
 * splits a UTF-8 sequence: each chunk decodes on its own, and `ascii` says whether latin1 decoding
 * (a plain copy) gives the same string.
 */

/** Receives each full chunk. `chunk` is only valid during the call when the writer reuses its buffer. */
export type ChunkConsumer = (chunk: Buffer, ascii: boolean) => void;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Bytes of a string known to be ASCII, plus the flag; made once per family and per series. */
export interface EncodedText {
  readonly bytes: Buffer;
  readonly ascii: boolean;
}

/** Encodes `s` in UTF-8 and notes whether it was pure ASCII. */
export function encodeText(s: string): EncodedText {
  const bytes = Buffer.from(s, 'utf8');
  return { bytes, ascii: bytes.length === s.length };
}

/** A chunked byte writer (not part of the API). */
export class ChunkWriter {
  #buf: Buffer;
  #o = 0;
  #ascii = true;
  readonly #size: number;
  readonly #reuse: boolean;
  readonly #emit: ChunkConsumer;

  /**
   * @param size bytes per chunk
   * @param reuse true when the consumer copies each chunk during the call (then one buffer serves
   *   the whole render); false when it keeps the chunk (a socket write), so each chunk is fresh
   */
  constructor(size: number, reuse: boolean, emit: ChunkConsumer) {
    this.#size = size;
    this.#reuse = reuse;
    this.#emit = emit;
    this.#buf = Buffer.allocUnsafe(size);
  }

  /** Hands the bytes written so far to the consumer and starts a new chunk. */
  flush(): void {
    if (this.#o === 0) return;
    const full = this.#buf.subarray(0, this.#o);
    this.#emit(full, this.#ascii);
    if (!this.#reuse) this.#buf = Buffer.allocUnsafe(this.#size);
    this.#o = 0;
    this.#ascii = true;
  }

  /** Makes room for `n` bytes; false when `n` cannot fit in any chunk (the caller emits it alone). */
  #room(n: number): boolean {
    if (this.#o + n <= this.#size) return true;
    this.flush();
    return n <= this.#size;
  }

  /** Writes one byte (an ASCII character code). */
  byte(c: number): void {
    if (this.#o === this.#size) this.flush();
    this.#buf[this.#o++] = c;
  }

  /** Writes pre-encoded text. */
  text(t: EncodedText): void {
    const b = t.bytes;
    const n = b.length;
    if (!this.#room(n)) {
      this.#emit(this.#reuse ? b : Buffer.from(b), t.ascii);
      return;
    }
    this.#buf.set(b, this.#o);
    this.#o += n;
    if (!t.ascii) this.#ascii = false;
  }

  /** Writes a string that is ASCII by construction (a number's digits, a fixed keyword). */
  ascii(s: string): void {
    if (!this.#room(s.length)) {
      this.#emit(Buffer.from(s, 'latin1'), true);
      return;
    }
    this.#o += this.#buf.write(s, this.#o, 'latin1');
  }

  /** Writes any string as UTF-8 (HELP text, exemplar labels). */
  utf8(s: string): void {
    const max = s.length * 3;
    if (!this.#room(max)) {
      const b = Buffer.from(s, 'utf8');
      this.#emit(b, b.length === s.length);
      return;
    }
    const n = this.#buf.write(s, this.#o, 'utf8');
    if (n !== s.length) this.#ascii = false;
    this.#o += n;
  }

  /**
   * Writes a sample value exactly as `formatValue` prints it: Go's ParseFloat reads JS's shortest
   * round-trip form; integers up to 2^53 take a digit loop that allocates nothing.
   */
  number(v: number): void {
    if (v >= 0 && v <= MAX_SAFE && Math.floor(v) === v) {
      this.uint(v);
    } else if (v < 0 && v >= -MAX_SAFE && Math.floor(v) === v) {
      this.byte(45); // '-'
      this.uint(-v);
    } else if (v === v && v !== Infinity && v !== -Infinity) {
      this.ascii(String(v));
    } else {
      this.ascii(v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : 'NaN');
    }
  }

  /** Writes a non-negative integer ≤ 2^53 in decimal. */
  uint(v: number): void {
    if (this.#o + 16 > this.#size) this.flush();
    const buf = this.#buf;
    if (v < 10) {
      buf[this.#o++] = 48 + v;
      return;
    }
    let digits = 1;
    for (let p = 10; p <= v; p *= 10) digits++;
    let o = this.#o + digits;
    this.#o = o;
    while (v >= 1) {
      const q = Math.floor(v / 10);
      buf[--o] = 48 + (v - q * 10);
      v = q;
    }
  }
}
