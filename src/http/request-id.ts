/**
 * Request ids: reuse a well-formed incoming id, otherwise make one.
 */
import { randomUUID } from 'node:crypto';

/** Longest incoming id accepted (longer ones are replaced, never truncated). */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Whether an incoming id is safe to reuse: 1–128 characters of `A-Z a-z 0-9 - _ . : @ / + =`.
 * Anything else (spaces, quotes, control characters, CR/LF, non-ASCII) could forge log lines or
 * headers downstream, so it is replaced.
 */
export function isValidRequestId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const n = value.length;
  if (n === 0 || n > MAX_REQUEST_ID_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    // 0-9 A-Z a-z
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) continue;
    // - . / : = @ + _
    if (c === 45 || c === 46 || c === 47 || c === 58 || c === 61 || c === 64 || c === 43 || c === 95) continue;
    return false;
  }
  return true;
}

/** The incoming id when valid (first value of a repeated header), else a new UUID v4. */
export function requestIdFrom(header: string | string[] | undefined, trust: boolean): string {
  if (trust) {
    const v = typeof header === 'string' ? header : Array.isArray(header) ? header[0] : undefined;
    if (isValidRequestId(v)) return v;
  }
  return randomUUID();
}
