import {
  context as contextApi,
  propagation as propagationApi,
  trace as traceApi,
  type Context as ApiContext,
  type Sampler,
  type TextMapPropagator,
  type TracerOptions as ApiTracerOptions,
  type TracerProvider as ApiTracerProvider,
} from '@opentelemetry/api';
import { BatchSpanProcessor, type BatchOptions, type BatchStats } from './batch-span-processor.js';
import { SightlineContextManager } from './context-manager.js';
import { report } from '../diagnostics/index.js';
import { InvalidComponent, UnknownOption } from './errors.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { BATCH_OPTION_KEYS } from './batch-span-processor.js';
import type { AttributeValue } from './attributes.js';
import type { SpanExporter } from './exporter.js';
import { RecentTraces, type RecentTracesOptions } from './recent-traces.js';
import { TailSamplingProcessor, type TailSamplingOptions } from './tail-sampling-processor.js';
import { resolveLimits, type SpanLimits } from './limits.js';
import type { SpanProcessor } from './processor.js';
import { propagatorFromEnv } from './propagation/index.js';
import { createResource, type ResourceData } from './resource.js';
import { BuiltinSampler, resolveSampler, type SamplerName } from './sampler.js';
import type { Span } from './span.js';
import type { ScopeData } from './span-record.js';
import { Tracer } from './tracer.js';

/** Options of a TracerProvider. Everything is optional; OTEL_* variables fill the gaps. */
export interface TracerProviderOptions {
  /** service.name (wins over OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES). */
  service?: string;
  /** service.version */
  serviceVersion?: string;
  /** deployment.environment (default: NODE_ENV) */
  environment?: string;
  /** More resource attributes. */
  resource?: Record<string, AttributeValue>;
  /** A sampler name (as in OTEL_TRACES_SAMPLER) or a Sampler. Default: env, else parentbased_always_on. */
  sampler?: Sampler | SamplerName;
  /** Ratio for the *traceidratio samplers named in `sampler` (default: OTEL_TRACES_SAMPLER_ARG, else 1). */
  samplerRatio?: number;
  /** Exporters; each gets its own BatchSpanProcessor configured by `batch`. */
  exporters?: SpanExporter[];
  /** Batch settings for `exporters` (default: OTEL_BSP_*). */
  batch?: BatchOptions;
  /** More processors, called in order after the exporters' batch processors. */
  processors?: SpanProcessor[];
  /**
   * Tail-aware sampling in front of `exporters` and `processors`: keep every local trace that
   * errored or ran longer than a threshold, and a ratio of the rest.
   */
  tail?: TailSamplingOptions;
  /** Keep a bounded store of recent traces for the dashboard (`provider.recentTraces`); it sees every sampled span, before tail sampling. */
  recentTraces?: RecentTracesOptions | boolean;
  /** Span limits (default: OTEL_SPAN_*_LIMIT, else 128 per kind, no value length limit). */
  limits?: Partial<SpanLimits>;
  /** Environment to read OTEL_* from (default process.env); for tests. */
  env?: NodeJS.ProcessEnv;
}

/** Every key of {@link TracerProviderOptions}: any other throws SL_ERR_TRACE_UNKNOWN_OPTION. */
export const TRACER_PROVIDER_OPTION_KEYS = optionKeys<TracerProviderOptions>()([
  'service', 'serviceVersion', 'environment', 'resource', 'sampler', 'samplerRatio', 'exporters', 'batch', 'processors', 'tail',
  'recentTraces', 'limits', 'env',
]);

/** Counters a TracerProvider keeps about itself (exposed as `sightline_trace_*` metrics). */
export interface TraceStats {
  /** Recording spans started. */
  spansStarted: number;
  /** Recording spans ended. */
  spansEnded: number;
  /** Spans the sampler did not record. */
  spansNotSampled: number;
  /** Spans dropped by a full batch queue. */
  spansDropped: number;
  /** Spans waiting in batch queues. */
  spansQueued: number;
  /** Spans exported successfully. */
  spansExported: number;
  /** Spans whose export failed (error result, throw or timeout of the export call). */
  spansFailed: number;
  /** Export calls that failed (including timeouts). */
  exportFailures: number;
  /** Export calls that timed out. */
  exportTimeouts: number;
  /** Exceptions thrown by processors (caught). */
  processorErrors: number;
  /** Tail sampling: local traces kept and dropped, spans dropped with them. */
  tailKeptTraces: number;
  tailDroppedTraces: number;
  tailDroppedSpans: number;
}

/** Processors that report counters merge them into `stats()`. */
interface StatsSource {
  stats(): Partial<BatchStats> & Record<string, number>;
}

/** Options of `register`. */
export interface RegisterOptions {
  /** The propagator to install globally (default: from OTEL_PROPAGATORS, else W3C trace context + baggage); `null` keeps whatever is installed. */
  propagator?: TextMapPropagator | null;
}

const REGISTER_OPTION_KEYS = optionKeys<RegisterOptions>()(['propagator']);

/**
 * The tracer provider: holds the resource, sampler, limits and processors, and hands out
 * tracers. `register()` makes it (and the context manager, and the propagator) the global ones
 * of @opentelemetry/api, so OpenTelemetry instrumentations record through it.
 * @example
 * const provider = new TracerProvider({ service: 'checkout', exporters: [otlp] }).register();
 * const tracer = provider.getTracer('checkout');
 * await tracer.span('charge card', async (span) => { … });
 * await provider.shutdown();
 */
export class TracerProvider implements ApiTracerProvider {
  readonly resource: ResourceData;
  readonly limits: SpanLimits;
  readonly sampler: Sampler;
  /** The recent-traces store, when enabled by the `recentTraces` option. */
  readonly recentTraces: RecentTraces | undefined;
  /** @internal */
  readonly fastSampler: boolean;
  /** @internal */
  readonly counters = { started: 0, notSampled: 0, ended: 0, processorErrors: 0 };
  /** @internal */
  hasStartHooks = false;
  #processors: SpanProcessor[] = [];
  #starters: SpanProcessor[] = [];
  readonly #tracers = new Map<string, Tracer>();
  #shutdown: Promise<void> | undefined;
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: TracerProviderOptions = {}) {
    checkOptionKeys(options, TRACER_PROVIDER_OPTION_KEYS, UnknownOption, 'new TracerProvider()');
    // Checked even without exporters, which are the only users of `batch`.
    if (typeof options.batch === 'object' && options.batch !== null) checkOptionKeys(options.batch, BATCH_OPTION_KEYS, UnknownOption, 'batch', 'batch');
    const env = options.env ?? process.env;
    this.#env = env;
    this.resource = createResource(
      { service: options.service, serviceVersion: options.serviceVersion, environment: options.environment, attributes: options.resource },
      env,
    );
    this.limits = Object.freeze(resolveLimits(options.limits, env));
    this.sampler = resolveSampler(options.sampler, options.samplerRatio, env);
    this.fastSampler = this.sampler instanceof BuiltinSampler && this.sampler.fast;
    if (options.recentTraces !== undefined && options.recentTraces !== false) {
      this.recentTraces = new RecentTraces(options.recentTraces === true ? {} : options.recentTraces);
      this.addSpanProcessor(this.recentTraces);
    }
    const downstream: SpanProcessor[] = [];
    for (const exporter of options.exporters ?? []) downstream.push(new BatchSpanProcessor(exporter, options.batch, env));
    for (const p of options.processors ?? []) downstream.push(p);
    if (options.tail !== undefined) this.addSpanProcessor(new TailSamplingProcessor(downstream, options.tail));
    else for (const p of downstream) this.addSpanProcessor(p);
  }

  /** @internal */
  get isShutdown(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Adds a processor; it sees spans started from now on. */
  addSpanProcessor(processor: SpanProcessor): this {
    if (processor === null || typeof processor !== 'object' || typeof processor.onEnd !== 'function') {
      throw InvalidComponent('processors', 'SpanProcessor', 'onEnd');
    }
    this.#processors = [...this.#processors, processor];
    if (typeof processor.onStart === 'function') this.#starters = [...this.#starters, processor];
    this.hasStartHooks = this.#starters.length > 0;
    return this;
  }

  /** The processors, in call order. */
  get processors(): readonly SpanProcessor[] {
    return this.#processors;
  }

  getTracer(name: string, version?: string, options?: ApiTracerOptions): Tracer {
    const key = `${name}\u0000${version ?? ''}\u0000${options?.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (tracer === undefined) {
      const scope: ScopeData = Object.freeze({
        name: typeof name === 'string' && name !== '' ? name : 'unknown',
        ...(version === undefined ? {} : { version }),
        ...(options?.schemaUrl === undefined ? {} : { schemaUrl: options.schemaUrl }),
      });
      tracer = new Tracer(this, scope);
      this.#tracers.set(key, tracer);
    }
    return tracer;
  }

  /** @internal */
  startSpan(span: Span, parentContext: ApiContext): void {
    const ps = this.#starters;
    for (let i = 0; i < ps.length; i++) {
      try {
        (ps[i] as SpanProcessor).onStart?.(span, parentContext);
      } catch (e) {
        this.#processorError(e);
      }
    }
  }

  /** @internal */
  endSpan(span: Span): void {
    this.counters.ended++;
    const ps = this.#processors;
    for (let i = 0; i < ps.length; i++) {
      try {
        (ps[i] as SpanProcessor).onEnd(span);
      } catch (e) {
        this.#processorError(e);
      }
    }
  }

  #processorError(e: unknown): void {
    this.counters.processorErrors++;
    report('trace', 'processor_failed', `a span processor threw (further errors are counted, not printed): ${e instanceof Error ? e.message : String(e)}`, { error: e });
  }

  /**
   * Makes this provider the global one of @opentelemetry/api, installs the context manager on
   * Sightline's request context (and enables it), and the propagator (default: W3C trace context
   * + baggage). Tracers fetched from the API before this call switch over.
   */
  register(options: RegisterOptions = {}): this {
    checkOptionKeys(options, REGISTER_OPTION_KEYS, UnknownOption, 'provider.register()');
    if (!traceApi.setGlobalTracerProvider(this)) {
      // Already registered (by us or someone else): retarget the API's proxy, which is what
      // tracers fetched through `trace.getTracer` delegate to.
      const proxy = traceApi.getTracerProvider() as { setDelegate?: (p: ApiTracerProvider) => void };
      if (typeof proxy.setDelegate === 'function') proxy.setDelegate(this);
    }
    contextApi.disable();
    contextApi.setGlobalContextManager(new SightlineContextManager().enable());
    const propagator = options.propagator === undefined ? propagatorFromEnv(this.#env) : options.propagator;
    if (propagator !== null && propagator !== undefined) {
      propagationApi.disable();
      propagationApi.setGlobalPropagator(propagator);
    }
    return this;
  }

  /** Exports whatever processors hold now. Never rejects. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.#processors.map((p) => p.forceFlush().catch((e: unknown) => this.#processorError(e))));
  }

  /** Flushes and shuts every processor down; later spans are not recorded. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= Promise.all(this.#processors.map((p) => p.shutdown().catch((e: unknown) => this.#processorError(e)))).then(() => undefined);
    return this.#shutdown;
  }

  /** Counters about spans and exports, summed over the processors that keep them. */
  stats(): TraceStats {
    const out: TraceStats = {
      spansStarted: this.counters.started,
      spansEnded: this.counters.ended,
      spansNotSampled: this.counters.notSampled,
      spansDropped: 0,
      spansQueued: 0,
      spansExported: 0,
      spansFailed: 0,
      exportFailures: 0,
      exportTimeouts: 0,
      processorErrors: this.counters.processorErrors,
      tailKeptTraces: 0,
      tailDroppedTraces: 0,
      tailDroppedSpans: 0,
    };
    for (const p of this.#processors) {
      const s = typeof (p as Partial<StatsSource>).stats === 'function' ? (p as unknown as StatsSource).stats() : undefined;
      if (s === undefined) continue;
      out.spansDropped += s.dropped ?? 0;
      out.spansQueued += s.queued ?? 0;
      out.spansExported += s.exported ?? 0;
      out.spansFailed += s.failedSpans ?? 0;
      out.exportFailures += s.exportFailures ?? 0;
      out.exportTimeouts += s.exportTimeouts ?? 0;
      out.tailKeptTraces += s.keptTraces ?? 0;
      out.tailDroppedTraces += s.droppedTraces ?? 0;
      out.tailDroppedSpans += (s.droppedSpans ?? 0) + (s.overflowSpans ?? 0);
    }
    return out;
  }
}
