import type { Context, Link, Sampler, SamplingResult, SpanAttributes, SpanContext } from '@opentelemetry/api';
import { OTEL_SPAN_KEY } from '../context/index.js';
import { report } from '../diagnostics/index.js';
import { envString } from '../env.js';
import { InvalidRatio, InvalidSampler, UnknownOption } from './errors.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { traceRandomness, type TraceIdRef } from './ids.js';
import { isValidSpanId, isValidTraceId } from './propagation/hex.js';

/** @opentelemetry/api SamplingDecision values. */
const NOT_RECORD = 0;
const RECORD_AND_SAMPLED = 2;
const EMPTY_BUF = Buffer.alloc(0);
const RESULTS: readonly SamplingResult[] = [Object.freeze({ decision: 0 }), Object.freeze({ decision: 1 }), Object.freeze({ decision: 2 })];

/** Parent as the tracer sees it: flags (-1 = no valid parent) and whether it came from another process. */
function parentOf(context: Context): SpanContext | undefined {
  const span = context.getValue(OTEL_SPAN_KEY) as { spanContext?: () => SpanContext } | undefined;
  if (span === undefined || typeof span.spanContext !== 'function') return undefined;
  const sc = span.spanContext();
  return isValidTraceId(sc.traceId) && isValidSpanId(sc.spanId) ? sc : undefined;
}

/**
 * Base of the built-in samplers. Besides the @opentelemetry/api `Sampler` interface they expose a
 * `decide` that the tracer calls with the parent it already resolved, without allocating.
 */
export abstract class BuiltinSampler implements Sampler {
  /** @internal true when `decide` can stand in for `shouldSample` */
  readonly fast: boolean = true;

  /**
   * @internal decision 0 (drop), 1 (record only) or 2 (record and sample) for a span of `traceId`
   * whose parent has `parentFlags` (-1 when there is none) and is remote or local.
   */
  abstract decide(traceId: TraceIdRef, parentFlags: number, parentRemote: boolean): number;

  shouldSample(context: Context, traceId: string, _name: string, _kind: number, _attributes: SpanAttributes, _links: Link[]): SamplingResult {
    const p = parentOf(context);
    const ref: TraceIdRef = { str: traceId, buf: EMPTY_BUF, off: 0 };
    return RESULTS[this.decide(ref, p === undefined ? -1 : p.traceFlags, p?.isRemote === true)] as SamplingResult;
  }

  abstract toString(): string;
}

/**
 * Samples every span.
 * @example
 * new TracerProvider({ sampler: new AlwaysOnSampler() });
 */
export class AlwaysOnSampler extends BuiltinSampler {
  decide(): number {
    return RECORD_AND_SAMPLED;
  }
  toString(): string {
    return 'AlwaysOnSampler';
  }
}

/**
 * Samples nothing (spans are still created, not recorded, and ids still propagate).
 * @example
 * new TracerProvider({ sampler: new AlwaysOffSampler() });
 */
export class AlwaysOffSampler extends BuiltinSampler {
  decide(): number {
    return NOT_RECORD;
  }
  toString(): string {
    return 'AlwaysOffSampler';
  }
}

const TWO_56 = 2 ** 56;

/**
 * Deterministic ratio sampling on the trace id. Like the W3C random flag and OTel's consistent
 * probability sampling, the randomness is the rightmost 56 bits of the trace id, so every
 * service with the same ratio takes the same decision for a trace.
 */
export function sampleByRatio(traceId: string | TraceIdRef, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  const r = typeof traceId === 'string' ? parseInt(traceId.substring(18), 16) : traceRandomness(traceId);
  return r >= (1 - ratio) * TWO_56;
}

/**
 * Samples a fraction `ratio` (0..1) of traces by trace id.
 * @example
 * new TracerProvider({ sampler: new TraceIdRatioSampler(0.1) });
 */
export class TraceIdRatioSampler extends BuiltinSampler {
  readonly ratio: number;
  constructor(ratio: number) {
    super();
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) throw InvalidRatio('sampler.ratio', ratio);
    this.ratio = ratio;
  }
  decide(traceId: TraceIdRef): number {
    return sampleByRatio(traceId, this.ratio) ? RECORD_AND_SAMPLED : NOT_RECORD;
  }
  toString(): string {
    return `TraceIdRatioBased{${this.ratio}}`;
  }
}

/** Delegates of a ParentBasedSampler. */
export interface ParentBasedOptions {
  /** For spans without a parent. */
  root: Sampler;
  remoteParentSampled?: Sampler;
  remoteParentNotSampled?: Sampler;
  localParentSampled?: Sampler;
  localParentNotSampled?: Sampler;
}

const PARENT_BASED_OPTION_KEYS = optionKeys<ParentBasedOptions>()(['root', 'remoteParentSampled', 'remoteParentNotSampled', 'localParentSampled', 'localParentNotSampled']);

/**
 * Follows the parent's sampled flag; `root` decides for new traces.
 * @example
 * new TracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioSampler(0.25) }) });
 */
export class ParentBasedSampler extends BuiltinSampler {
  override readonly fast: boolean;
  readonly #root: Sampler;
  readonly #remoteSampled: Sampler;
  readonly #remoteNotSampled: Sampler;
  readonly #localSampled: Sampler;
  readonly #localNotSampled: Sampler;

  constructor(options: ParentBasedOptions) {
    super();
    if (options !== null && typeof options === 'object') checkOptionKeys(options, PARENT_BASED_OPTION_KEYS, UnknownOption, 'new ParentBasedSampler()', 'sampler');
    if (options === null || typeof options !== 'object' || !isSampler(options.root)) throw InvalidSampler('sampler.root', String(options?.root));
    this.#root = options.root;
    this.#remoteSampled = options.remoteParentSampled ?? ALWAYS_ON;
    this.#remoteNotSampled = options.remoteParentNotSampled ?? ALWAYS_OFF;
    this.#localSampled = options.localParentSampled ?? ALWAYS_ON;
    this.#localNotSampled = options.localParentNotSampled ?? ALWAYS_OFF;
    this.fast = [this.#root, this.#remoteSampled, this.#remoteNotSampled, this.#localSampled, this.#localNotSampled].every(
      (s) => s instanceof BuiltinSampler && s.fast,
    );
  }

  #pick(parentFlags: number, parentRemote: boolean): Sampler {
    if (parentFlags < 0) return this.#root;
    const sampled = (parentFlags & 1) === 1;
    if (parentRemote) return sampled ? this.#remoteSampled : this.#remoteNotSampled;
    return sampled ? this.#localSampled : this.#localNotSampled;
  }

  decide(traceId: TraceIdRef, parentFlags: number, parentRemote: boolean): number {
    return (this.#pick(parentFlags, parentRemote) as BuiltinSampler).decide(traceId, parentFlags, parentRemote);
  }

  override shouldSample(context: Context, traceId: string, name: string, kind: number, attributes: SpanAttributes, links: Link[]): SamplingResult {
    const p = parentOf(context);
    return this.#pick(p === undefined ? -1 : p.traceFlags, p?.isRemote === true).shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `ParentBased{root=${this.#root.toString()}}`;
  }
}

const ALWAYS_ON = new AlwaysOnSampler();
const ALWAYS_OFF = new AlwaysOffSampler();

function isSampler(s: unknown): s is Sampler {
  return s !== null && typeof s === 'object' && typeof (s as Sampler).shouldSample === 'function';
}

/** The sampler names of OTEL_TRACES_SAMPLER that Sightline implements. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** Builds a sampler from its OTEL_TRACES_SAMPLER name; `ratio` is used by the *traceidratio ones. */
export function samplerFromName(name: string, ratio: number, field = 'sampler'): Sampler {
  switch (name) {
    case 'always_on':
      return ALWAYS_ON;
    case 'always_off':
      return ALWAYS_OFF;
    case 'traceidratio':
      return new TraceIdRatioSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: ALWAYS_ON });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: ALWAYS_OFF });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioSampler(ratio) });
    default:
      throw InvalidSampler(field, name);
  }
}

/**
 * The sampler to use: the option when given (a name or a Sampler), else OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG, else parentbased_always_on. Bad options throw; bad env values warn once.
 */
export function resolveSampler(option: Sampler | SamplerName | undefined, ratioOption: number | undefined, env: NodeJS.ProcessEnv): Sampler {
  if (ratioOption !== undefined && (typeof ratioOption !== 'number' || !(ratioOption >= 0 && ratioOption <= 1))) {
    throw InvalidRatio('samplerRatio', ratioOption);
  }
  if (option !== undefined) {
    if (typeof option === 'string') return samplerFromName(option, ratioOption ?? 1);
    if (!isSampler(option)) throw InvalidSampler('sampler', String(option));
    return option;
  }
  let ratio = ratioOption;
  const name = envString(env, 'OTEL_TRACES_SAMPLER');
  const arg = envString(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (ratio === undefined && arg !== undefined && name !== undefined && name.endsWith('traceidratio')) {
    const n = Number(arg);
    if (/^\s*[0-9.eE+-]+\s*$/.test(arg) && n >= 0 && n <= 1) ratio = n;
    else report('trace', 'bad_env', `ignoring OTEL_TRACES_SAMPLER_ARG="${arg}": expected a number between 0 and 1; using 1`, { key: `OTEL_TRACES_SAMPLER_ARG=${arg}` });
  }
  if (name !== undefined) {
    try {
      return samplerFromName(name, ratio ?? 1, 'OTEL_TRACES_SAMPLER');
    } catch {
      report('trace', 'bad_env', `ignoring OTEL_TRACES_SAMPLER="${name}": not a supported sampler; using parentbased_always_on`, { key: `OTEL_TRACES_SAMPLER=${name}` });
    }
  }
  return samplerFromName('parentbased_always_on', 1);
}
