import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidOption, InvalidRedactPath, UnknownOption } from './errors.js';

/**
 * Redaction, compiled once when the logger is created.
 *
 * Three mechanisms, all applied at any depth while serializing:
 * - credential-like keys (on by default): a key is normalised (lower case, `-` and `_` removed) and
 *   redacted when it equals or ends with one of the credential words (`password`, `dbPassword`,
 *   `x-api-key`, `Set-Cookie`…). The decision per key string is cached.
 * - paths: `a.b.c`, `*` matches one key, `**` any number of keys (including none).
 * - value patterns (opt-in): bearer tokens, JWTs and card numbers passing the Luhn check are
 *   replaced inside string values.
 */

export const REDACTED = '[REDACTED]';

/** Words whose presence at the end of a normalised key marks a credential. */
const CREDENTIAL_SUFFIXES = [
  'password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'apikey', 'privatekey', 'authorization',
  'cookie', 'setcookie', 'credential', 'credentials', 'sessionid', 'clientsecret', 'accesskey', 'secretkey',
  'signature',
];
/** Whole-key matches only (too generic as suffixes). */
const CREDENTIAL_KEYS = ['auth', 'jwt', 'bearer', 'pin', 'cvv', 'cvc', 'ssn', 'proxyauthorization'];

export interface RedactOptions {
  /** Redact credential-like keys (default true). */
  keys?: boolean;
  /** Extra key names redacted wherever they appear (case-insensitive, exact). */
  extraKeys?: string[];
  /** Paths with `*` and `**`, e.g. `req.headers.x-tenant-secret`, `users.*.email`, `**.ssn`. */
  paths?: string[];
  /** Redact secrets inside string values: bearer tokens, JWTs, card numbers (default false). */
  patterns?: boolean | { bearer?: boolean; jwt?: boolean; cards?: boolean };
  /** Replacement text (default `[REDACTED]`). */
  censor?: string;
}

const REDACT_KEYS = optionKeys<RedactOptions>()(['keys', 'extraKeys', 'paths', 'patterns', 'censor']);
const PATTERN_KEYS = optionKeys<Exclude<RedactOptions['patterns'], boolean | undefined>>()(['bearer', 'jwt', 'cards']);

type Segment = string | typeof ONE | typeof ANY;
const ONE = Symbol('*');
const ANY = Symbol('**');

/** A path-matching state: which rule, how far into it. */
type State = number; // rule index * 1024 + position

export class Redactor {
  readonly censor: string;
  readonly censorJson: string;
  readonly #keysOn: boolean;
  readonly #extra: Set<string>;
  readonly #keyCache = new Map<string, boolean>();
  readonly #rules: Segment[][];
  readonly hasPaths: boolean;
  readonly #valueRes: RegExp[];
  readonly #cards: boolean;
  readonly hasPatterns: boolean;

  constructor(options: RedactOptions | false | undefined, field = 'redact') {
    const o = options === false ? { keys: false } : (options ?? {});
    if (typeof o !== 'object') throw InvalidOption(field, 'redact must be an object or false');
    checkOptionKeys(o, REDACT_KEYS, UnknownOption, 'redact', field);
    if (typeof o.patterns === 'object' && o.patterns !== null) checkOptionKeys(o.patterns, PATTERN_KEYS, UnknownOption, 'redact.patterns', `${field}.patterns`);
    this.censor = o.censor ?? REDACTED;
    this.censorJson = JSON.stringify(this.censor);
    this.#keysOn = o.keys !== false;
    this.#extra = new Set((o.extraKeys ?? []).map((k) => k.toLowerCase()));
    this.#rules = (o.paths ?? []).map((p, i) => compilePath(p, `${field}.paths[${i}]`));
    this.hasPaths = this.#rules.length > 0;
    const pat = o.patterns === true ? { bearer: true, jwt: true, cards: true } : o.patterns || {};
    this.#valueRes = [];
    if (pat.bearer === true) this.#valueRes.push(/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g);
    if (pat.jwt === true) this.#valueRes.push(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g);
    this.#cards = pat.cards === true;
    this.hasPatterns = this.#valueRes.length > 0 || this.#cards;
  }

  /** Whether a key is a credential by name (cached per key string). */
  isSecretKey(key: string): boolean {
    let r = this.#keyCache.get(key);
    if (r === undefined) {
      r = this.#classify(key);
      if (this.#keyCache.size < 10_000) this.#keyCache.set(key, r);
    }
    return r;
  }

  #classify(key: string): boolean {
    const lower = key.toLowerCase();
    if (this.#extra.has(lower)) return true;
    if (!this.#keysOn) return false;
    const norm = lower.replace(/[-_.\s]/g, '');
    if (CREDENTIAL_KEYS.includes(norm)) return true;
    for (const s of CREDENTIAL_SUFFIXES) if (norm.endsWith(s)) return true;
    return false;
  }

  /** Initial path states (at the root). */
  rootStates(): State[] {
    const s: State[] = [];
    for (let i = 0; i < this.#rules.length; i++) s.push(i * 1024);
    return this.#closure(s);
  }

  /** Adds the states reachable by letting `**` match nothing. */
  #closure(states: State[]): State[] {
    const out: State[] = [];
    const seen = new Set<State>();
    const stack = [...states];
    while (stack.length > 0) {
      const st = stack.pop()!;
      if (seen.has(st)) continue;
      seen.add(st);
      out.push(st);
      const rule = this.#rules[st >> 10]!;
      const pos = st & 1023;
      if (rule[pos] === ANY) stack.push(st + 1);
    }
    return out;
  }

  /**
   * Steps the path states through `key`. Returns [matched, nextStates]; matched means the value
   * under this key is redacted whole.
   */
  step(states: State[], key: string): { matched: boolean; next: State[] } {
    const next: State[] = [];
    let matched = false;
    for (const st of states) {
      const rule = this.#rules[st >> 10]!;
      const pos = st & 1023;
      const seg = rule[pos];
      if (seg === undefined) continue;
      if (seg === ANY) {
        next.push(st); // ** consumes this key and stays
        continue;
      }
      if (seg === ONE || seg === key) {
        if (pos + 1 === rule.length) matched = true;
        else next.push(st + 1);
      }
    }
    const closed = next.length === 0 ? next : this.#closure(next);
    for (const st of closed) {
      const rule = this.#rules[st >> 10]!;
      if ((st & 1023) === rule.length) matched = true;
    }
    return { matched, next: closed };
  }

  /** Replaces secrets inside a string value (only when patterns are on). */
  redactString(s: string): string {
    let out = s;
    for (const re of this.#valueRes) {
      re.lastIndex = 0;
      if (re.test(out)) {
        re.lastIndex = 0;
        out = out.replace(re, this.censor);
      }
    }
    if (this.#cards) out = redactCards(out, this.censor);
    return out;
  }
}

function compilePath(path: unknown, field: string): Segment[] {
  if (typeof path !== 'string' || path.length === 0) throw InvalidRedactPath(field, String(path), 'it is empty');
  const parts = path.split('.');
  if (parts.length > 1000) throw InvalidRedactPath(field, path, 'it is too deep');
  return parts.map((p) => {
    if (p === '') throw InvalidRedactPath(field, path, 'it has an empty segment');
    if (p === '*') return ONE;
    if (p === '**') return ANY;
    return p;
  });
}

const CARD_RE = /\b(?:\d[ -]?){12,18}\d\b/g;

/** Replaces runs of 13–19 digits (spaces/dashes allowed) that pass the Luhn check. */
function redactCards(s: string, censor: string): string {
  if (!/\d{4}/.test(s)) return s;
  return s.replace(CARD_RE, (m) => (luhn(m.replace(/[ -]/g, '')) ? censor : m));
}

/** Luhn checksum (ISO/IEC 7812-1 Annex B). */
export function luhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}
