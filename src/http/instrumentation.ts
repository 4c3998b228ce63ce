/**
 * `createHttpInstrumentation`: the server adapters bound to one logger, registry and tracer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TextMapPropagator, Tracer as ApiTracer } from '@opentelemetry/api';
import type { Logger } from '../log/index.js';
import type { Registry } from '../metrics/index.js';
import { propagatorFromEnv } from '../trace/index.js';
import { InvalidHttpOption } from './errors.js';
import { expressErrorMiddleware, expressMiddleware, type ExpressErrorMiddleware, type ExpressMiddleware } from './express.js';
import { fastifyPlugin, type FastifyPlugin } from './fastify.js';
import { wrapListener } from './node-handler.js';
import { resolveServerOptions, type HttpServerOptions } from './options.js';
import { ServerInstrumentation } from './server.js';

/** Options of {@link createHttpInstrumentation}: the pillars to record into, and the server options. */
export interface HttpInstrumentationOptions extends HttpServerOptions {
  /** Tracer for the SERVER spans (e.g. `provider.getTracer('sightline-http')`). */
  tracer: ApiTracer;
  /** Logger for the request lines. */
  logger: Logger;
  /** Registry for the RED metrics. */
  registry: Registry;
  /** Propagator used to extract the incoming trace context (default: from OTEL_PROPAGATORS, else W3C). */
  propagator?: TextMapPropagator;
}

/** The server adapters of one instrumentation. */
export interface HttpInstrumentation {
  /** Wraps a node:http request listener. */
  handler<L extends (req: IncomingMessage, res: ServerResponse) => unknown>(listener: L): L;
  /** Express middleware: `app.use(http.express())` before your routes. */
  express(): ExpressMiddleware;
  /** Express error middleware recording thrown errors: `app.use(http.expressErrors())` after your routes. */
  expressErrors(): ExpressErrorMiddleware;
  /** Fastify plugin: `await app.register(http.fastify)`. */
  readonly fastify: FastifyPlugin;
  /** Later requests pass through uninstrumented. */
  stop(): void;
}

/**
 * Instruments HTTP servers: request id, SERVER span, RED metrics and one log line per request.
 * `sightline()` does this for you; use it directly to wire the pillars yourself.
 * @example
 * const httpObs = createHttpInstrumentation({ tracer, logger, registry, routes: ['/users/:id'] });
 * http.createServer(httpObs.handler((req, res) => res.end('ok'))).listen(3000);
 */
export function createHttpInstrumentation(options: HttpInstrumentationOptions): HttpInstrumentation {
  if (typeof options !== 'object' || options === null) throw InvalidHttpOption(undefined, 'options must be an object');
  const { tracer, logger, registry, propagator, ...server } = options;
  if (typeof tracer?.startSpan !== 'function') throw InvalidHttpOption('tracer', 'tracer must be a Tracer (provider.getTracer(name))');
  if (typeof logger?.info !== 'function') throw InvalidHttpOption('logger', 'logger must be a Logger (createLogger())');
  if (typeof registry?.histogram !== 'function') throw InvalidHttpOption('registry', 'registry must be a metrics Registry');
  if (propagator !== undefined && typeof propagator?.extract !== 'function') throw InvalidHttpOption('propagator', 'propagator must be a TextMapPropagator');
  const inst = new ServerInstrumentation({ tracer, logger, registry, propagator: propagator ?? propagatorFromEnv() }, resolveServerOptions(server, 'http'));
  const fastify = fastifyPlugin(inst);
  return {
    handler: (listener) => wrapListener(inst, listener),
    express: () => expressMiddleware(inst),
    expressErrors: () => expressErrorMiddleware(),
    fastify,
    stop: () => inst.stop(),
  };
}
