/**
 * Request ids: reuse a well-formed incoming id, otherwise make one.
 */
import { randomFillSync } from 'node:crypto';

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

/**
 * Generated ids are UUIDs of version 8 (RFC 9562 §5.8, the layout is ours): 74 random bits drawn
 * once per 2^20 ids, then a 48-bit counter in the last group. Unique in practice across processes
 * and restarts (the random part), and cheap per request (no random draw, one hex conversion): a
 * request id is a correlation key, not a secret, so it needs uniqueness, not unpredictability.
 */
const RENEW_EVERY = 1 << 20;
const randomBytes = Buffer.alloc(10);
let prefix = '';
let seq = RENEW_EVERY;
/** `prefix` and the counter's fixed high digits, made once per 256 ids. */
let block = '';
/** Two lowercase hex digits of 0–255: the low byte of the counter without formatting a number. */
const LOW_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function renew(): void {
  randomFillSync(randomBytes);
  const h = randomBytes.toString('hex');
  // xxxxxxxx-xxxx-8xxx-Vxxx-: version 8, variant 10 (V is 8, 9, a or b)
  const variant = '89ab'[randomBytes[9]! & 3]!;
  prefix = `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(12, 15)}-${variant}${h.slice(15, 18)}-`;
  seq = 0;
}

/** A new request id (a UUID, version 8). */
export function newRequestId(): string {
  if (seq >= RENEW_EVERY) renew();
  const low = seq & 255;
  // One concatenation per id: the 12-digit counter is the block's 10 digits and the low byte.
  if (low === 0) block = prefix + (seq >>> 8).toString(16).padStart(10, '0');
  seq++;
  return block + LOW_BYTE[low]!;
}

/** The incoming id when valid (and trusted), else a new one. */
export function requestIdFrom(header: string | undefined, trust: boolean): string {
  return trust && header !== undefined && isValidRequestId(header) ? header : newRequestId();
}
