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

/** Value of one lowercase hex digit (caller validated it). */
export function hexDigit(c: number): number {
  return HEX_VALUE[c]! - 1;
}

/** A valid trace id: 32 lowercase hex, not all zero. */
export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 32 && isLowerHexNonZero(id, 0, 32);
}

/** A valid span id: 16 lowercase hex, not all zero. */
export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 16 && isLowerHexNonZero(id, 0, 16);
}
