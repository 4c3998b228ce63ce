/**
 * Fastify (4 and 5) plugin. Fastify is typed structurally: the app's own copy is used.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { storage } from '#internal/context';
import { stateOf, type RequestState, type ServerInstrumentation } from './server.js';

/** The parts of a Fastify request this plugin reads. */
interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: string };
}
interface FastifyReplyLike {
  raw: ServerResponse;
  header(name: string, value: string): unknown;
}
type Done = (err?: Error) => void;

/** The parts of a Fastify instance this plugin uses. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest' | 'preHandler', hook: (req: FastifyRequestLike, reply: FastifyReplyLike, done: Done) => void): unknown;
  addHook(name: 'onError', hook: (req: FastifyRequestLike, reply: FastifyReplyLike, error: Error, done: Done) => void): unknown;
}

/** A Fastify plugin function, marked to skip encapsulation (what `fastify-plugin` does). */
export type FastifyPlugin = ((instance: unknown, opts: unknown, done: Done) => void) & { [key: symbol]: unknown };

/**
 * Fastify 5 builds a new twelve-field object on every read of `request.routeOptions`; the route
 * url it returns is `config.url` of the route context, which the request holds under a private
 * symbol (`fastify.context`). Found once by its description, it gives the url without that
 * allocation; if a Fastify version lays it out differently, `routeOptions.url` is used.
 * `bench/http-paths.bench.mjs` measures the two reads (docs/http.md, "What the private reads buy").
 */
let contextKey: symbol | null | undefined;

function routeUrl(request: FastifyRequestLike): string | undefined {
  if (contextKey === undefined) {
    contextKey = Object.getOwnPropertySymbols(request).find((k) => k.description === 'fastify.context') ?? null;
  }
  if (contextKey !== null) {
    const url = ((request as unknown as Record<symbol, { config?: { url?: unknown } } | undefined>)[contextKey])?.config?.url;
    if (typeof url === 'string') return url;
  }
  return request.routeOptions?.url;
}

function enter(st: RequestState, done: Done): void {
  st.inst.enrich(st);
  done();
}

function reenter(_st: RequestState, done: Done): void {
  done();
}

/** @internal */
export function fastifyPlugin(inst: ServerInstrumentation): FastifyPlugin {
  const plugin = function sightlineFastify(fastify: FastifyInstanceLike, _opts: unknown, done: Done): void {
    fastify.addHook('onRequest', (request, reply, next) => {
      const url = routeUrl(request);
      // The request-id header goes through the reply, not `res.setHeader`: Fastify passes its
      // headers to `writeHead`, and a header set on `res` beforehand sends Node down its slower
      // merge path (every header through `setHeader` again).
      const st = inst.begin(request.raw, reply.raw, url === undefined || url === '' || url === '*' ? undefined : url, false);
      if (st === undefined) {
        next();
        return;
      }
      reply.header(inst.requestIdHeader, st.requestId);
      storage.run(st.ctx, enter, st, next);
    });
    // Body parsing ends in a stream callback outside the request context: enter it again right
    // before the handler, so the handler and everything it awaits carry the request context.
    fastify.addHook('preHandler', (request, _reply, next) => {
      const st = stateOf(request.raw);
      if (st === undefined) next();
      else storage.run(st.ctx, reenter, st, next);
    });
    fastify.addHook('onError', (request, _reply, error, next) => {
      const st = stateOf(request.raw);
      if (st !== undefined) st.error = error;
      next();
    });
    done();
  } as FastifyPlugin;
  // fastify-plugin's marker: register the hooks on the parent instance, not an encapsulated child.
  plugin[Symbol.for('skip-override')] = true;
  plugin[Symbol.for('fastify.display-name')] = 'sightline';
  return plugin;
}
