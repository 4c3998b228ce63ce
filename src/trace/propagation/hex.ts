/** Lowercase-hex checks shared by the W3C and B3 parsers (table lookups: no regex, no allocation). */

/** HEX_VALUE[c] = digit value + 1 for '0'-'9' and 'a'-'f', 0 for every other char code below 128. */
const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i + 1;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = i + 11;

/** True when `s[start, start+len)` is lowercase hex and not all zeros. */
export function isLowerHexNonZero(s: string, start: number, len: number): boolean {
  let any = 0;
  for (let i = start, end = start + len; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? HEX_VALUE[c]! : 0;
    if (v === 0) return false;
    any |= v - 1;
  }
  return any !== 0;
}

/** True when `s[start, start+len)` is lowercase hex (zeros allowed). */
export function isLowerHex(s: string, start: number, len: number): boolean {
  for (let i = start, end = start + len; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HEX_VALUE[c] === 0) return false;
  }
  return true;
}

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

/** Value of one lowercase hex digit (caller validated it). */
export function hexDigit(c: number): number {
  return HEX_VALUE[c]! - 1;
}

/** A valid trace id: 32 lowercase hex, not all zero. */
export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 32 && hexRun(id, 0, 32) > 0;
}

/** A valid span id: 16 lowercase hex, not all zero. */
export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 16 && hexRun(id, 0, 16) > 0;
}
