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

  constructor(code: string, message: string, field?: string, options?: { cause?: unknown }) {
    super(field === undefined ? message : `${message} (at \`${field}\`)`, options);
    this.name = 'SightlineError';
    this.code = code;
    this.field = field;
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
