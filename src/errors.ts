/**
 * The one error factory every pillar uses. Each user-visible error has a stable code
 * (`SL_ERR_<PILLAR>_<WHAT>`), a one-line message that says what to do, and the configuration
 * field it concerns. docs/errors.md lists every code; test/errors.test.ts keeps the two in sync.
 */

/** An error thrown by Sightline at configuration time. Telemetry never throws one at run time. */
export class SightlineError extends Error {
  /** Stable code, e.g. `SL_ERR_LOG_INVALID_LEVEL`. */
  readonly code: string;
  /** Path of the offending option, e.g. `destination[1].level`, when there is one. */
  readonly field: string | undefined;
  readonly #text: string;

  constructor(code: string, message: string, field?: string, options?: { cause?: unknown }) {
    super(field === undefined ? message : `${message} (at \`${field}\`)`, options);
    this.name = 'SightlineError';
    this.code = code;
    this.field = field;
    this.#text = message;
  }

  /**
   * The same error with its field placed under `prefix` (`redact.patern` under `log` becomes
   * `log.redact.patern`); unchanged when the field already starts there. Used where one
   * configuration passes a nested object to a pillar's own constructor.
   */
  under(prefix: string): SightlineError {
    const f = this.field;
    if (f === prefix || f?.startsWith(`${prefix}.`) === true || f?.startsWith(`${prefix}[`) === true) return this;
    // An environment variable (OTEL_EXPORTER_OTLP_PROTOCOL) is named as it is set, not under an option.
    if (f !== undefined && /^[A-Z][A-Z0-9_]*$/.test(f)) return this;
    const field = f === undefined ? prefix : f.startsWith('[') ? `${prefix}${f}` : `${prefix}.${f}`;
    return new SightlineError(this.code, this.#text, field, { cause: this });
  }
}

/** Runs `fn`, re-throwing a SightlineError with its field under `prefix` (see {@link SightlineError.under}). */
export function withinOption<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof SightlineError ? e.under(prefix) : e;
  }
}

const codes = new Map<string, string>();

/** A constructor for one coded error: call it with the field path and the message's arguments. */
export type ErrorFactory<A extends unknown[]> = ((field: string | undefined, ...args: A) => SightlineError) & {
  readonly code: string;
};

/**
 * Defines a coded error once, at module load.
 * @example
 * const InvalidLevel = createError('SL_ERR_LOG_INVALID_LEVEL',
 *   (value: string) => `unknown level "${value}": use trace, debug, info, warn, error, fatal or silent`);
 * throw InvalidLevel('level', 'verbose');
 */
export function createError<A extends unknown[]>(code: string, message: (...args: A) => string): ErrorFactory<A> {
  if (!/^SL_ERR_[A-Z0-9]+_[A-Z0-9_]+$/.test(code)) throw new TypeError(`bad error code ${code}`);
  if (codes.has(code)) throw new TypeError(`error code ${code} defined twice`);
  codes.set(code, code);
  const factory = (field: string | undefined, ...args: A): SightlineError =>
    new SightlineError(code, message(...args), field);
  return Object.assign(factory, { code });
}

/** Every code defined by the modules loaded so far (used by the docs-sync test). */
export function definedErrorCodes(): string[] {
  return [...codes.keys()].sort();
}

/** The error factory of a pillar's unknown-option code: field, then the key, where it was given and the known keys. */
export type UnknownOptionError = ErrorFactory<[key: string, where: string, known: readonly string[]]>;

/** Levenshtein distance of `a` and `b`, giving up (returning `max + 1`) once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/**
 * The known key closest to `key`: the nearest by case-insensitive Levenshtein distance ≤ 2, else
 * the one sharing the longest beginning with it, when that is at least 4 characters and half the
 * key (`timeoutMs` → `timeoutMillis`, `readiness` → `ready`).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  const k = key.toLowerCase();
  for (const candidate of known) {
    const d = distance(k, candidate.toLowerCase(), 2);
    if (d < bestD) {
      best = candidate;
      bestD = d;
    }
  }
  if (best !== undefined) return best;
  // Else the longest shared beginning, when it is at least 4 characters and half the key.
  let bestLen = Math.max(4, Math.ceil(k.length / 2)) - 1;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    let n = 0;
    while (n < k.length && n < c.length && k[n] === c[n]) n++;
    if (n > bestLen) {
      best = candidate;
      bestLen = n;
    }
  }
  return best;
}

/**
 * Defines a pillar's unknown-option error (`SL_ERR_<PILLAR>_UNKNOWN_OPTION`): its message names the
 * key and where it was given, and suggests the closest known key (or lists them all).
 * @example
 * export const UnknownOption = createUnknownOptionError('SL_ERR_LOG_UNKNOWN_OPTION');
 */
export function createUnknownOptionError(code: string): UnknownOptionError {
  return createError(code, (key: string, where: string, known: readonly string[]) => {
    const near = closestKey(key, known);
    const hint = near !== undefined ? `did you mean ${JSON.stringify(near)}?` : `use one of ${known.join(', ')}`;
    return `unknown option ${JSON.stringify(key)} in ${where}: ${hint}`;
  });
}

/**
 * The complete list of an options type's keys, checked at compile time both ways: a key that is
 * not an option fails to compile, and so does a list that misses an option (so adding an option to
 * the type without adding it here is a type error).
 * @example
 * const KEYS = optionKeys<{ a?: number; b?: string }>()(['a', 'b']);
 */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K & ([Exclude<keyof T & string, K[number]>] extends [never] ? unknown : { missingOptionKeys: Exclude<keyof T & string, K[number]> }),
  ): readonly (keyof T & string)[] => keys;
}

/**
 * Throws `error` for the first own key of `options` that is not in `known`, with the field
 * `path.key` (or `key` when there is no path). A mistyped option fails at start instead of being
 * silently ignored. `where` names the call in the message, e.g. `sightline()` or `log.redact`.
 * @example
 * checkOptionKeys(options, LOGGER_KEYS, UnknownOption, 'createLogger()');
 */
export function checkOptionKeys(options: object, known: readonly string[], error: UnknownOptionError, where: string, path?: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw error(path === undefined ? key : `${path}.${key}`, key, where, known);
  }
}
