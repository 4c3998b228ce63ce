import { hexRun, hexValue } from './hex.js';

/** The fields of a valid `traceparent` header. */
export interface Traceparent {
  readonly traceId: string;
  readonly spanId: string;
  /** Normalised flags: only bit 0 (sampled) and bit 1 (random) kept. */
  readonly traceFlags: number;
}

/** Flag bits a receiver keeps (Trace Context Level 2 §3.2.2.5: sampled, random). */
export const KNOWN_FLAGS = 0x03;

/** '-' + the two flag digits, indexed by the known flag bits. */
const FLAG_SUFFIX = ['-00', '-01', '-02', '-03'] as const;

/** Strips HTTP optional whitespace (SP / HTAB, RFC 9110 §5.5) around a field value. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Validates a (trimmed) `traceparent` value in one pass over its characters (W3C Trace Context
 * Level 2 §3.2) and returns its normalised flags (0–3), or -1 when it is malformed. The ids are
 * then `h.slice(3, 35)` and `h.slice(36, 52)`. No regex, no split, no allocation.
 * @internal
 */
export function traceparentFlags(h: string): number {
  const len = h.length;
  // §3.2.2.1 / §3.2.4: every version shares the first four fields' layout.
  if (len < 55) return -1;
  const v0 = h.charCodeAt(0);
  const v1 = h.charCodeAt(1);
  if (v0 === 48 && v1 === 48) {
    // §3.2.2.2: version 00 is exactly 55 characters.
    if (len !== 55) return -1;
  } else {
    // §3.2.2.2: the version is two lowercase hex digits, and ff is invalid.
    if ((hexValue(v0) | hexValue(v1)) < 0 || (v0 === 102 && v1 === 102)) return -1;
    // §3.2.4 (versioning): a higher version may append fields after a '-' at position 55.
    if (len > 55 && h.charCodeAt(55) !== 45) return -1;
  }
  if (h.charCodeAt(2) !== 45 || h.charCodeAt(35) !== 45 || h.charCodeAt(52) !== 45) return -1;
  // §3.2.2.3 / §3.2.2.4: lowercase hex, and an all-zero trace id or parent id is invalid
  // (hexRun: negative for a bad character, 0 for all zeros).
  if (hexRun(h, 3, 32) <= 0 || hexRun(h, 36, 16) <= 0) return -1;
  const f0 = hexValue(h.charCodeAt(53));
  const f1 = hexValue(h.charCodeAt(54));
  if ((f0 | f1) < 0) return -1;
  // §3.2.2.5: only the known flag bits are kept (both live in the low digit); others become 0.
  return f1 & KNOWN_FLAGS;
}

/**
 * Parses a `traceparent` value (W3C Trace Context Level 2 §3.2). Returns undefined for anything
 * malformed; never throws. Surrounding spaces and tabs (HTTP OWS) are ignored.
 * @example
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // { traceId: '4bf9…4736', spanId: '00f0…02b7', traceFlags: 1 }
 */
export function parseTraceparent(header: unknown): Traceparent | undefined {
  if (typeof header !== 'string') return undefined;
  const h = header.length === 55 ? header : trimOws(header);
  const flags = traceparentFlags(h);
  if (flags < 0) return undefined;
  return { traceId: h.slice(3, 35), spanId: h.slice(36, 52), traceFlags: flags };
}

/**
 * Formats a version-00 `traceparent` (§3.2: a receiver of a higher version re-emits 00); the flags
 * are masked to the known bits. The caller passes valid ids.
 * @example
 * formatTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 1);
 */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return '00-' + traceId + '-' + spanId + FLAG_SUFFIX[traceFlags & KNOWN_FLAGS];
}
