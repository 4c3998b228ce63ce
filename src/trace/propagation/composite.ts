import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from './w3c-trace-context.js';
import { W3CBaggagePropagator } from './baggage.js';
import { B3Propagator } from './b3.js';
import { UnknownPropagator } from './errors.js';
import { report } from '../../diagnostics/index.js';
import { envList } from '../../env.js';

/**
 * Runs several propagators in order: `inject` calls each; `extract` threads the context through
 * each, so a later one wins when two set the same key. A propagator that throws is skipped.
 * @example
 * new CompositePropagator([new W3CTraceContextPropagator(), new W3CBaggagePropagator()]);
 */
export class CompositePropagator implements TextMapPropagator {
  readonly #propagators: readonly TextMapPropagator[];
  readonly #fields: string[];

  constructor(propagators: readonly TextMapPropagator[]) {
    this.#propagators = [...propagators];
    this.#fields = [...new Set(this.#propagators.flatMap((p) => p.fields()))];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const p of this.#propagators) {
      try {
        p.inject(context, carrier, setter);
      } catch {
        // one faulty propagator must not stop the others
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let ctx = context;
    for (const p of this.#propagators) {
      try {
        ctx = p.extract(ctx, carrier, getter);
      } catch {
        // keep what the others extracted
      }
    }
    return ctx;
  }

  fields(): string[] {
    return [...this.#fields];
  }
}

/** Names accepted by OTEL_PROPAGATORS and {@link createPropagator}. */
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'none';

const FACTORIES: Record<Exclude<PropagatorName, 'none'>, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  b3: () => new B3Propagator({ injectEncoding: 'single' }),
  b3multi: () => new B3Propagator({ injectEncoding: 'multi' }),
};

/** The OpenTelemetry default: `tracecontext,baggage`. */
export const DEFAULT_PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage'];

function build(names: readonly string[]): TextMapPropagator {
  // `none` anywhere in the list means no propagation at all.
  if (names.includes('none')) return new CompositePropagator([]);
  const seen = new Set<string>();
  const out: TextMapPropagator[] = [];
  for (const n of names) {
    if (seen.has(n)) continue;
    seen.add(n);
    out.push(FACTORIES[n as Exclude<PropagatorName, 'none'>]());
  }
  return new CompositePropagator(out);
}

/**
 * A composite propagator from explicit names. An unknown name is a configuration error
 * (`SL_ERR_TRACE_PROPAGATOR_UNKNOWN`).
 * @example
 * createPropagator(['tracecontext', 'baggage', 'b3multi']);
 */
export function createPropagator(names: readonly PropagatorName[], field = 'propagators'): TextMapPropagator {
  names.forEach((n, i) => {
    if (n !== 'none' && !(n in FACTORIES)) throw UnknownPropagator(`${field}[${i}]`, String(n));
  });
  return build(names);
}

/**
 * The composite propagator OTEL_PROPAGATORS asks for (comma-separated: tracecontext, baggage, b3,
 * b3multi, none). Unset or empty: `tracecontext,baggage`. An unknown name is warned about once on
 * stderr and ignored; if nothing valid is left, the default is used.
 * @example
 * propagation.setGlobalPropagator(propagatorFromEnv());
 */
export function propagatorFromEnv(env: Record<string, string | undefined> = process.env): TextMapPropagator {
  const list = envList(env, 'OTEL_PROPAGATORS');
  if (list === undefined) return build(DEFAULT_PROPAGATORS);
  const names: string[] = [];
  for (const part of list) {
    const n = part.toLowerCase();
    if (n === 'none' || n in FACTORIES) names.push(n);
    else report('trace', 'bad_env', `OTEL_PROPAGATORS: unknown propagator "${n}" ignored (use tracecontext, baggage, b3, b3multi or none)`, { key: `OTEL_PROPAGATORS:${n}` });
  }
  return build(names.length === 0 ? DEFAULT_PROPAGATORS : names);
}
