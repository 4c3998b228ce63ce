/**
 * The lowercase-hex checks of trace and span ids, for the tracer, the W3C and B3 parsers and the OTLP
 * log records (one table lookup per character: no regex, no allocation).
 */

/**
 * HEX_OR_NEG[c] = digit value (0–15) for '0'-'9' and 'a'-'f', -1 for every other UTF-16 code unit.
 * 64 KiB so that a `charCodeAt` result indexes it without a range branch; OR-ing entries gives a
 * negative number as soon as one character is not lowercase hex, and 0 when all digits are zero.
 */
const HEX_OR_NEG = new Int8Array(65536).fill(-1);
for (let i = 0; i < 10; i++) HEX_OR_NEG[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_OR_NEG[97 + i] = 10 + i;

/**
 * OR of the digit values of `s[start, start+len)`, `len` a multiple of 4 and in bounds: negative
 * when a character is not lowercase hex, 0 when all are '0', positive for a valid non-zero id.
 * Unrolled by four: `charCodeAt` dominates the cost, and fewer loop tests measurably help.
 */
export function hexRun(s: string, start: number, len: number): number {
  let acc = 0;
  for (let i = start, end = start + len; i < end; i += 4) {
    acc |= HEX_OR_NEG[s.charCodeAt(i)]! | HEX_OR_NEG[s.charCodeAt(i + 1)]! | HEX_OR_NEG[s.charCodeAt(i + 2)]! | HEX_OR_NEG[s.charCodeAt(i + 3)]!;
  }
  return acc;
}

/** Digit value of one UTF-16 code unit, or -1 when it is not lowercase hex. */
export function hexValue(c: number): number {
  return HEX_OR_NEG[c]!;
}

/** A valid trace id: 32 lowercase hex, not all zero. */
export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 32 && hexRun(id, 0, 32) > 0;
}

/** A valid span id: 16 lowercase hex, not all zero. */
export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 16 && hexRun(id, 0, 16) > 0;
}
