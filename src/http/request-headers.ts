/**
 * The few request headers the instrumentation reads, found in `req.rawHeaders`. Node 20 builds
 * `req.headers` lazily, on first access, from every raw header: an app that never reads it would
 * pay for it only because we did, so the hot path scans the raw list for the names it needs.
 */
import type { IncomingMessage } from 'node:http';

/** Values read from one request's headers. */
export interface RequestHeaders {
  /** The request id header; undefined when absent or repeated (a repeated id is not reused). */
  requestId: string | undefined;
  host: string | undefined;
  userAgent: string | undefined;
  /** Whether a header the propagator reads (traceparent, baggage, …) is present. */
  propagation: boolean;
}

const SLOT_REQUEST_ID = 1;
const SLOT_HOST = 2;
const SLOT_USER_AGENT = 3;
const SLOT_PROPAGATION = 4;

/** A scanner for one instrumentation's header names (lower-case). */
export class HeaderScanner {
  readonly #slots = new Map<string, number>();
  /** Name lengths worth a lookup (avoids lower-casing every other header). */
  readonly #lengths = new Uint8Array(256);

  constructor(requestIdHeader: string, propagationFields: readonly string[]) {
    this.#add('host', SLOT_HOST);
    this.#add('user-agent', SLOT_USER_AGENT);
    for (const f of propagationFields) this.#add(f, SLOT_PROPAGATION);
    // Last: the configured id header wins if it collides with another name.
    this.#add(requestIdHeader, SLOT_REQUEST_ID);
  }

  #add(name: string, slot: number): void {
    const lower = name.toLowerCase();
    this.#slots.set(lower, slot);
    if (lower.length < 256) this.#lengths[lower.length] = 1;
  }

  /** Reused by every `scan` (it is synchronous): the caller copies what it keeps. */
  readonly #out: RequestHeaders = { requestId: undefined, host: undefined, userAgent: undefined, propagation: false };

  /**
   * Reads the headers of `req` (the first value wins for host and user-agent, as in Node). The
   * result is this scanner's scratch object, overwritten by the next call: read it at once.
   */
  scan(req: IncomingMessage): RequestHeaders {
    const raw = req.rawHeaders;
    const out = this.#out;
    out.requestId = undefined;
    out.host = undefined;
    out.userAgent = undefined;
    out.propagation = false;
    let ids = 0;
    const lengths = this.#lengths;
    const slots = this.#slots;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length > 255 || lengths[name.length] === 0) continue;
      const slot = slots.get(name) ?? slots.get(name.toLowerCase());
      if (slot === undefined) continue;
      const value = raw[i + 1]!;
      if (slot === SLOT_REQUEST_ID) {
        ids++;
        out.requestId = ids === 1 ? value : undefined;
      } else if (slot === SLOT_HOST) out.host ??= value;
      else if (slot === SLOT_USER_AGENT) out.userAgent ??= value;
      else out.propagation = true;
    }
    return out;
  }
}
