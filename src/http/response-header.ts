/**
 * Setting the request-id response header without re-validating it. `OutgoingMessage#setHeader`
 * checks the name against the token grammar and the value for invalid characters with regular
 * expressions on every call (and flattens the id string to do so); both are already guaranteed
 * here: the name was validated and lower-cased when the options were resolved, and the value is
 * either a generated id or an incoming one accepted by `isValidRequestId` (a stricter alphabet).
 * So the entry is stored where `setHeader` would store it, `[name, value]` under the lower-case
 * name in the response's outgoing-headers table, and written by Node as usual.
 *
 * The table is found by its symbol's description on the first response; whenever anything does
 * not look as expected (another Node version, an `http2` compatibility response, a subclass or
 * instance overriding `setHeader`, headers already sent) the public `setHeader` is called instead,
 * with its usual behaviour (including its throw when headers were sent).
 */
import { OutgoingMessage, type ServerResponse } from 'node:http';

// eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called
const nativeSetHeader = OutgoingMessage.prototype.setHeader;
/** The outgoing-headers symbol: undefined until looked for, null when not found. */
let outHeaders: symbol | null | undefined;

function findOutHeaders(res: object): symbol | null {
  for (const s of Object.getOwnPropertySymbols(res)) if (s.description === 'kOutHeaders') return s;
  return null;
}

/** `res.setHeader(lowerName, value)` for a validated lower-case token name and a safe value. @internal */
export function setValidatedHeader(res: ServerResponse, lowerName: string, value: string): void {
  if (res.setHeader === nativeSetHeader && !res.headersSent) {
    if (outHeaders === undefined) outHeaders = findOutHeaders(res);
    if (outHeaders !== null) {
      const r = res as unknown as Record<symbol, Record<string, [string, string]> | null | undefined>;
      let table = r[outHeaders];
      if (table === null) r[outHeaders] = table = Object.create(null) as Record<string, [string, string]>;
      if (table !== undefined && typeof table === 'object') {
        table[lowerName] = [lowerName, value];
        return;
      }
    }
  }
  res.setHeader(lowerName, value);
}
