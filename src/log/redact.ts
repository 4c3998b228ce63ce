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
 * - value patterns (opt-in): bearer tokens, JWTs and card numbers passing the Luhn check, and
 *   the caller's own regular expressions, are replaced inside string values (the message too).
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
  /**
   * Redact secrets inside string values (the message included; default false): `true` for the
   * built-in bearer tokens, JWTs and card numbers, an object choosing among them, or a list of
   * your own regular expressions, which may name built-ins too
   * (`[/acct-\d{8}/, 'bearer']`). Each match is replaced by the censor.
   */
  patterns?: boolean | BuiltInPatterns | readonly (RegExp | keyof BuiltInPatterns)[];
  /** Replacement text (default `[REDACTED]`). */
  censor?: string;
}

/** The built-in value patterns. */
export interface BuiltInPatterns {
  /** `Bearer …` and `Basic …` credentials. */
  bearer?: boolean;
  /** JSON Web Tokens (`eyJ….….…`). */
  jwt?: boolean;
  /** 13–19 digit card numbers that pass the Luhn check. */
  cards?: boolean;
}

const BUILT_IN = ['bearer', 'jwt', 'cards'] as const;

const REDACT_KEYS = optionKeys<RedactOptions>()(['keys', 'extraKeys', 'paths', 'patterns', 'censor']);
const PATTERN_KEYS = optionKeys<BuiltInPatterns>()(['bearer', 'jwt', 'cards']);

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
  /** The caller's patterns (global copies): empty matches are left alone. */
  readonly #customRes: RegExp[];
  readonly hasPatterns: boolean;

  constructor(options: RedactOptions | false | undefined, field = 'redact') {
    const o = options === false ? { keys: false } : (options ?? {});
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw InvalidOption(field, 'redact must be an object or false');
    if (o.censor !== undefined && typeof o.censor !== 'string') throw InvalidOption(`${field}.censor`, 'censor must be a string');
    checkOptionKeys(o, REDACT_KEYS, UnknownOption, 'redact', field);
    this.censor = o.censor ?? REDACTED;
    this.censorJson = JSON.stringify(this.censor);
    if (o.keys !== undefined && typeof o.keys !== 'boolean') throw InvalidOption(`${field}.keys`, 'keys must be true or false');
    this.#keysOn = o.keys !== false;
    this.#extra = new Set(stringList(o.extraKeys, `${field}.extraKeys`).map((k) => k.toLowerCase()));
    if (o.paths !== undefined && !Array.isArray(o.paths)) throw InvalidOption(`${field}.paths`, 'paths must be an array of strings');
    this.#rules = (o.paths ?? []).map((p, i) => compilePath(p, `${field}.paths[${i}]`));
    this.hasPaths = this.#rules.length > 0;
    const { builtIn: pat, custom } = parsePatterns(o.patterns, `${field}.patterns`);
    this.#valueRes = [];
    if (pat.bearer === true) this.#valueRes.push(/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g);
    if (pat.jwt === true) this.#valueRes.push(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g);
    this.#cards = pat.cards === true;
    this.#customRes = custom;
    this.hasPatterns = this.#valueRes.length > 0 || this.#cards || custom.length > 0;
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
    for (const re of this.#customRes) {
      re.lastIndex = 0;
      if (re.test(out)) {
        re.lastIndex = 0;
        out = out.replace(re, this.#censorMatch);
      }
    }
    return out;
  }

  /** A match becomes the censor; an empty match (of `x*` or `\b`, say) stays empty. */
  readonly #censorMatch = (m: string): string => (m === '' ? '' : this.censor);
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw InvalidOption(field, `${field.split('.').pop()} must be an array of strings`);
  v.forEach((k, i) => {
    if (typeof k !== 'string') throw InvalidOption(`${field}[${i}]`, `${field.split('.').pop()} must be an array of strings`);
  });
  return v as string[];
}

/**
 * The `patterns` option: `true`/`false`, `{ bearer, jwt, cards }`, or a list of RegExps and
 * built-in names. Each RegExp is copied with the `g` flag (and without `y`, which would anchor
 * every match at the last one), so the caller's object is never mutated.
 */
function parsePatterns(v: unknown, field: string): { builtIn: BuiltInPatterns; custom: RegExp[] } {
  if (v === undefined || v === false) return { builtIn: {}, custom: [] };
  if (v === true) return { builtIn: { bearer: true, jwt: true, cards: true }, custom: [] };
  if (v instanceof RegExp) throw InvalidOption(field, 'patterns takes a list: write [/…/]');
  const builtIn: BuiltInPatterns = {};
  const custom: RegExp[] = [];
  if (Array.isArray(v)) {
    v.forEach((p: unknown, i) => {
      if (p instanceof RegExp) custom.push(new RegExp(p.source, p.flags.replace(/[gy]/g, '') + 'g'));
      else if (typeof p === 'string' && (BUILT_IN as readonly string[]).includes(p)) builtIn[p as keyof BuiltInPatterns] = true;
      else throw InvalidOption(`${field}[${i}]`, `a pattern is a RegExp or one of ${BUILT_IN.map((b) => `'${b}'`).join(', ')}`);
    });
    return { builtIn, custom };
  }
  if (typeof v !== 'object' || v === null) throw InvalidOption(field, 'patterns must be true, false, { bearer, jwt, cards } or a list of RegExps');
  checkOptionKeys(v, PATTERN_KEYS, UnknownOption, 'redact.patterns', field);
  for (const name of BUILT_IN) {
    const on = (v as Record<string, unknown>)[name];
    if (on !== undefined && typeof on !== 'boolean') throw InvalidOption(`${field}.${name}`, `${name} must be true or false`);
    if (on === true) builtIn[name] = true;
  }
  return { builtIn, custom };
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
