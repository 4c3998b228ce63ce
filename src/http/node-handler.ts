/**
 * node:http adapter: wraps a request listener.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { storage } from '#internal/context';
import { InvalidListener } from './errors.js';
import type { RequestState, ServerInstrumentation } from './server.js';

function invoke(st: RequestState, listener: RequestListener, thisArg: unknown): unknown {
  st.inst.enrich(st);
  let r: unknown;
  try {
    r = listener.call(thisArg as never, st.req, st.res);
  } catch (e) {
    st.error = e;
    throw e;
  }
  if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') {
    // Record a rejection and rethrow it: the app's unhandled-rejection behaviour stays as it was.
    return (r as Promise<unknown>).then(undefined, (e: unknown) => {
      st.error = e;
      throw e;
    });
  }
  return r;
}

/**
 * Wraps a node:http request listener: each request runs in its own context and span, and is
 * measured and logged when its response closes. Synchronous throws and rejected promises of the
 * listener are recorded on the span (and still propagate as before).
 * @internal use `obs.handler(listener)` or `createHttpInstrumentation(...).handler(listener)`
 */
export function wrapListener<L extends (req: IncomingMessage, res: ServerResponse) => unknown>(inst: ServerInstrumentation, listener: L): L {
  if (typeof listener !== 'function') throw InvalidListener('listener');
  const routes = inst.options.routes;
  const wrapped = function (this: unknown, req: IncomingMessage, res: ServerResponse): unknown {
    let route: string | undefined;
    if (routes !== undefined) {
      try {
        const q = req.url?.indexOf('?') ?? -1;
        route = routes(q === -1 ? (req.url ?? '/') : req.url!.slice(0, q), req.method ?? 'GET');
      } catch {
        route = undefined;
      }
    }
    const st = inst.begin(req, res, route);
    if (st === undefined) return listener.call(this, req, res);
    return storage.run(st.ctx, invoke, st, listener as RequestListener, this);
  };
  return wrapped as L;
}
