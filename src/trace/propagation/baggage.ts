import { baggageEntryMetadataFromString, propagation } from '@opentelemetry/api';
import type { BaggageEntry, Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { isSuppressed } from './w3c-trace-context.js';

export const BAGGAGE = 'baggage';
/** W3C Baggage §3.3.1 (limits): at most 64 list members… */
export const MAX_BAGGAGE_MEMBERS = 64;
/** …and at most 8192 bytes for the whole header. */
export const MAX_BAGGAGE_BYTES = 8192;

/** RFC 9110 token characters (baggage keys are tokens, W3C Baggage §3.2.1.1). */
function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) continue;
    // ! # $ % & ' * + - . ^ _ ` | ~
    if (c === 33 || (c >= 35 && c <= 39) || c === 42 || c === 43 || c === 45 || c === 46 || c === 94 || c === 95 || c === 96 || c === 124 || c === 126) continue;
    return false;
  }
  return true;
}

/** §3.2.1.2: baggage-octet, the characters a value may hold unencoded. */
function isBaggageOctets(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x2c || c === 0x3b || c === 0x5c) return false;
  }
  return true;
}

function trimOws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Percent-encodes a value (§3.2.1.2): everything outside baggage-octet, plus `%`. */
export function encodeBaggageValue(value: string): string {
  // encodeURIComponent leaves only A-Z a-z 0-9 - _ . ! ~ * ' ( ) unescaped: all baggage-octets.
  return encodeURIComponent(value);
}

/** One parsed member, or undefined when malformed. */
export function parseBaggageMember(raw: string): [string, BaggageEntry] | undefined {
  const semi = raw.indexOf(';');
  const kv = semi === -1 ? raw : raw.slice(0, semi);
  const eq = kv.indexOf('=');
  if (eq === -1) return undefined;
  const key = trimOws(kv.slice(0, eq));
  const rawValue = trimOws(kv.slice(eq + 1));
  if (!isToken(key) || !isBaggageOctets(rawValue)) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(rawValue);
  } catch {
    return undefined; // a bad %-sequence makes the member malformed
  }
  const entry: BaggageEntry = { value };
  if (semi !== -1) {
    // §3.2.1.3: properties are kept opaque, as metadata, and re-emitted as received.
    const props = trimOws(raw.slice(semi + 1));
    if (props.length > 0) entry.metadata = baggageEntryMetadataFromString(props);
  }
  return [key, entry];
}

/**
 * W3C Baggage propagator (`baggage` header), implementing the `@opentelemetry/api`
 * TextMapPropagator on the API's baggage (`propagation.getBaggage` / `setBaggage`). Members are
 * sent while the header stays within 64 members and 8192 bytes, never a partial member; malformed
 * members received are dropped one by one.
 * @example
 * propagation.setGlobalPropagator(new W3CBaggagePropagator());
 */
export class W3CBaggagePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const baggage = propagation.getBaggage(context);
      if (baggage === undefined || isSuppressed(context)) return;
      let header = '';
      let count = 0;
      for (const [key, entry] of baggage.getAllEntries()) {
        if (count >= MAX_BAGGAGE_MEMBERS) break;
        if (!isToken(key) || typeof entry.value !== 'string') continue;
        let member = `${key}=${encodeBaggageValue(entry.value)}`;
        const meta = entry.metadata?.toString();
        if (meta !== undefined && meta.length > 0) member += `;${meta}`;
        const next = header.length === 0 ? member : `${header},${member}`;
        // §3.3.1: never a partial member; a member that does not fit is skipped, later ones may.
        if (Buffer.byteLength(next) > MAX_BAGGAGE_BYTES) continue;
        header = next;
        count++;
      }
      if (header.length > 0) setter.set(carrier, BAGGAGE, header);
    } catch {
      // never break the caller's request
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const raw = getter.get(carrier, BAGGAGE);
      const header = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(',') : undefined;
      if (header === undefined || header.length === 0) return context;
      const entries = Object.create(null) as Record<string, BaggageEntry>; // `__proto__` is a valid token
      let count = 0;
      let bytes = 0;
      for (const part of header.split(',')) {
        if (count >= MAX_BAGGAGE_MEMBERS) break;
        const member = parseBaggageMember(part);
        if (member === undefined) continue;
        const size = Buffer.byteLength(trimOws(part)) + (count > 0 ? 1 : 0);
        if (bytes + size > MAX_BAGGAGE_BYTES) continue;
        bytes += size;
        count++;
        entries[member[0]] = member[1];
      }
      if (count === 0) return context;
      return propagation.setBaggage(context, propagation.createBaggage(entries));
    } catch {
      return context;
    }
  }

  fields(): string[] {
    return [BAGGAGE];
  }
}
