/**
 * Express (4 and 5) adapter. Express is typed structurally: the app's own copy is used.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { storage } from '#internal/context';
import { stateOf, type RequestState, type ServerInstrumentation } from './server.js';

/** The parts of Express's request this adapter reads. */
interface ExpressRequestLike extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/** An Express middleware `(req, res, next)`. */
export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
/** An Express error middleware `(err, req, res, next)`. */
export type ExpressErrorMiddleware = (err: unknown, req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const ROUTE = Symbol('sightline.express.route');
const BASE = Symbol('sightline.express.baseUrl');

/**
 * Express sets `req.route` when a route matches, while `req.baseUrl` is the mount path of the
 * router that matched; by the time the response closes (or an error reached the app's error
 * handler) the router has restored `baseUrl`. This accessor remembers both at match time.
 */
const ROUTE_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: Record<symbol, unknown>) {
    return this[ROUTE];
  },
  set(this: Record<symbol, unknown> & { baseUrl?: string }, value: unknown) {
    this[ROUTE] = value;
    this[BASE] = this.baseUrl;
  },
};

/** The matched route template with the mount path of its router (`baseUrl + route.path`). */
function expressRoute(st: RequestState): string | undefined {
  const req = st.req as ExpressRequestLike & Record<symbol, unknown>;
  const path = req.route?.path;
  if (path === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the other path Express takes is a RegExp, printed as /source/
  const p = typeof path === 'string' ? path : Array.isArray(path) ? path.map(String).join(',') : String(path);
  const remembered = req[BASE];
  const base = typeof remembered === 'string' ? remembered : typeof req.baseUrl === 'string' ? req.baseUrl : '';
  if (base === '') return p;
  return p === '/' ? base : base + p;
}

function runNext(st: RequestState, next: (err?: unknown) => void): void {
  st.inst.enrich(st);
  next();
}

/** @internal */
export function expressMiddleware(inst: ServerInstrumentation): ExpressMiddleware {
  return function sightlineExpress(req, res, next) {
    const st = inst.begin(req, res, undefined);
    if (st === undefined) {
      next();
      return;
    }
    st.routeOf = expressRoute;
    Object.defineProperty(req, 'route', ROUTE_ACCESSOR);
    storage.run(st.ctx, runNext, st, next);
  };
}

/**
 * Express's error chain cannot be observed from an ordinary middleware; mount this after your
 * routes to record thrown errors (exception event, error.type) before passing them on.
 * @internal
 */
export function expressErrorMiddleware(): ExpressErrorMiddleware {
  return function sightlineExpressErrors(err, req, _res, next) {
    const st = stateOf(req);
    if (st !== undefined) st.error = err;
    next(err);
  };
}
