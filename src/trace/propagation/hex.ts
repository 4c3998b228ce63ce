/** Lowercase-hex checks shared by the W3C and B3 parsers (charCode loops: no regex, no allocation). */

/** True when `s[start, start+len)` is lowercase hex and not all zeros. */
export function isLowerHexNonZero(s: string, start: number, len: number): boolean {
  let nonZero = false;
  for (let i = start; i < start + len; i++) {
    const c = s.charCodeAt(i);
    if (c === 48) continue; // '0'
    if ((c > 48 && c <= 57) || (c >= 97 && c <= 102)) nonZero = true;
    else return false;
  }
  return nonZero;
}

/** True when the whole string is lowercase hex of length `len` (zeros allowed). */
export function isLowerHex(s: string, start: number, len: number): boolean {
  for (let i = start; i < start + len; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Value of one lowercase hex digit (caller validated it). */
export function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/** A valid trace id: 32 lowercase hex, not all zero. */
export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 32 && isLowerHexNonZero(id, 0, 32);
}

/** A valid span id: 16 lowercase hex, not all zero. */
export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 16 && isLowerHexNonZero(id, 0, 16);
}
