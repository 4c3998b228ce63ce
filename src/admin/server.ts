/**
 * The admin HTTP server: one small node:http server, on loopback by default, separate from the
 * app's server so that scrapes and probes never compete with (or get counted as) app traffic.
 * Routes are registered by path; `sightline()` assembles them in one place (`/metrics` today,
 * `/health/*` and the dashboard API next).
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { report } from '../diagnostics/index.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidAdmin, UnknownConfigOption } from './errors.js';

/** What the server knows of a request's caller. */
export interface AdminAccess {
  /** True when no token is configured or the request sent it; false on a probe route reached without it. */
  readonly authenticated: boolean;
}

/**
 * A route handler: a node:http listener (it may return a promise; a rejection answers 500). The
 * third argument says whether the caller is authenticated (only probe routes see `false`).
 */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse, access: AdminAccess) => void | Promise<void>;

/** Options of {@link AdminServer.route}. */
export interface AdminRouteOptions {
  /**
   * A Kubernetes probe route: reachable without the token (the kubelet seldom holds secrets), with
   * `access.authenticated` false so that the handler can leave out details. `protectProbes: true`
   * asks for the token here too.
   */
  probe?: boolean;
}

/** Options of the admin server. */
export interface AdminOptions {
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Port (default 9464, the Prometheus exporter convention; 0 picks a free one). */
  port?: number;
  /**
   * When set, every request must send `Authorization: Bearer <token>` — except the health probes,
   * which answer without it (status only; the checks' details need the token). Recommended off
   * loopback.
   */
  token?: string;
  /** Probes need the token too (default false); then the kubelet must send it (`httpHeaders`). */
  protectProbes?: boolean;
}

/** Every key of {@link AdminOptions}: any other throws SL_ERR_CONFIG_UNKNOWN_OPTION. @internal */
export const ADMIN_OPTION_KEYS = optionKeys<AdminOptions>()(['host', 'port', 'token', 'protectProbes']);

/** Validated admin options (not part of the API). */
export interface ResolvedAdminOptions {
  host: string;
  port: number;
  token: string | undefined;
  protectProbes: boolean;
}

/** Validates `admin` options; throws SL_ERR_CONFIG_INVALID_ADMIN naming the field. */
export function resolveAdminOptions(o: AdminOptions, field = 'admin'): ResolvedAdminOptions {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw InvalidAdmin(field, 'admin must be false or { host, port, token }');
  checkOptionKeys(o, ADMIN_OPTION_KEYS, UnknownConfigOption, field, field);
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw InvalidAdmin(`${field}.host`, 'host must be an interface address such as 127.0.0.1');
  const port = o.port ?? 9464;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw InvalidAdmin(`${field}.port`, 'port must be an integer from 0 to 65535 (0: any free port)');
  if (o.token !== undefined && (typeof o.token !== 'string' || o.token.length < 8)) throw InvalidAdmin(`${field}.token`, 'token must be a string of at least 8 characters');
  if (o.protectProbes !== undefined && typeof o.protectProbes !== 'boolean') throw InvalidAdmin(`${field}.protectProbes`, 'protectProbes must be true or false');
  return { host, port, token: o.token, protectProbes: o.protectProbes === true };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The admin server. Exact paths, plus prefixes registered as `'/health/*'`.
 * @example
 * const admin = new AdminServer({ port: 0 }).route('/metrics', metricsHandler(registry)).listen();
 * admin.address(); // { address: '127.0.0.1', port: 41234, family: 'IPv4' }
 * await admin.close();
 */
export class AdminServer {
  readonly options: ResolvedAdminOptions;
  readonly #exact = new Map<string, Route>();
  readonly #prefixes: [string, Route][] = [];
  readonly #server: http.Server;
  #ready: Promise<AddressInfo | undefined> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: AdminOptions = {}) {
    this.options = resolveAdminOptions(options);
    this.#server = http.createServer((req, res) => this.#serve(req, res));
    // Slow or idle clients must not pin sockets forever.
    this.#server.requestTimeout = 10_000;
    this.#server.headersTimeout = 5_000;
    this.#server.keepAliveTimeout = 5_000;
  }

  /**
   * Adds a route: an exact path, or a prefix ending in `/*`. Later registrations of a path win.
   * `{ probe: true }` marks a health probe, reachable without the token (see {@link AdminRouteOptions}).
   */
  route(path: string, handler: AdminHandler, options: AdminRouteOptions = {}): this {
    if (typeof path !== 'string' || !path.startsWith('/')) throw InvalidAdmin('admin.routes', `route path ${JSON.stringify(path)} must start with /`);
    if (typeof handler !== 'function') throw InvalidAdmin('admin.routes', `route ${path} needs a handler function`);
    const route: Route = { handler, probe: options.probe === true };
    if (path.endsWith('/*')) this.#prefixes.push([path.slice(0, -1), route]);
    else this.#exact.set(path, route);
    return this;
  }

  /** The registered paths (prefixes with their `*`). */
  routes(): string[] {
    return [...this.#exact.keys(), ...this.#prefixes.map(([p]) => p + '*')].sort();
  }

  /**
   * Starts listening. With an IP address as host the port is bound before this returns, so
   * `address()` is available at once; `ready()` resolves when listening (or with undefined when
   * binding failed: the failure is reported on stderr, never thrown into the app).
   */
  listen(): this {
    if (this.#ready !== undefined) return this;
    const { host, port, token } = this.options;
    if (!isLoopback(host) && token === undefined) {
      report('admin', 'unprotected', `the admin server listens on ${host} without a token; set admin.token to protect /metrics and the probes' details`, { print: true });
    }
    this.#ready = new Promise((resolve) => {
      const onError = (e: Error): void => {
        report('admin', 'listen_failed', `the admin server could not listen on ${host}:${port} (${e.message}); continuing without it`, { print: true, error: e });
        resolve(undefined);
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        this.#server.on('error', () => undefined);
        resolve(this.address());
      });
    });
    // Telemetry must never keep a finished app alive.
    this.#server.unref();
    return this;
  }

  /** Resolves with the bound address once listening (undefined if it could not listen). */
  ready(): Promise<AddressInfo | undefined> {
    return this.#ready ?? Promise.resolve(undefined);
  }

  /** The bound address, or undefined before binding or after a failure. */
  address(): AddressInfo | undefined {
    const a = this.#server.address();
    return a !== null && typeof a === 'object' ? a : undefined;
  }

  /** The base URL (`http://127.0.0.1:9464`), or undefined when not bound. */
  url(): string | undefined {
    const a = this.address();
    if (a === undefined) return undefined;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** Stops accepting connections and closes idle ones; resolves when closed. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
    return this.#closed;
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    let route = this.#exact.get(path);
    if (route === undefined) {
      for (const [prefix, r] of this.#prefixes) {
        if (path.startsWith(prefix)) {
          route = r;
          break;
        }
      }
    }
    const { token, protectProbes } = this.options;
    const authenticated = token === undefined || bearerMatches(req.headers.authorization, token);
    // Without the token only probes answer (unless protected); nothing else says whether a path exists.
    if (!authenticated && (route === undefined || !route.probe || protectProbes)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    if (route === undefined) {
      if (path === '/') {
        const body = JSON.stringify({ routes: this.routes() }) + '\n';
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(body);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const fail = (e: unknown): void => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`admin route failed: ${e instanceof Error ? e.message : String(e)}\n`);
    };
    try {
      const r = route.handler(req, res, { authenticated });
      if (r !== undefined && typeof r.then === 'function') r.then(undefined, fail);
    } catch (e) {
      fail(e);
    }
  }
}

interface Route {
  handler: AdminHandler;
  probe: boolean;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const a = Buffer.from(header.slice(7));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
