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
import { InvalidAdmin } from './errors.js';

/** A route handler: a node:http listener (it may return a promise; a rejection answers 500). */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Options of the admin server. */
export interface AdminOptions {
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Port (default 9464, the Prometheus exporter convention; 0 picks a free one). */
  port?: number;
  /** When set, every request must send `Authorization: Bearer <token>`. Recommended off loopback. */
  token?: string;
}

/** Validated admin options. @internal */
export interface ResolvedAdminOptions {
  host: string;
  port: number;
  token: string | undefined;
}

/** Validates `admin` options; throws SL_ERR_CONFIG_INVALID_ADMIN naming the field. */
export function resolveAdminOptions(o: AdminOptions, field = 'admin'): ResolvedAdminOptions {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw InvalidAdmin(field, 'admin must be false or { host, port, token }');
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw InvalidAdmin(`${field}.host`, 'host must be an interface address such as 127.0.0.1');
  const port = o.port ?? 9464;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw InvalidAdmin(`${field}.port`, 'port must be an integer from 0 to 65535 (0: any free port)');
  if (o.token !== undefined && (typeof o.token !== 'string' || o.token.length < 8)) throw InvalidAdmin(`${field}.token`, 'token must be a string of at least 8 characters');
  return { host, port, token: o.token };
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
  readonly #exact = new Map<string, AdminHandler>();
  readonly #prefixes: [string, AdminHandler][] = [];
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

  /** Adds a route: an exact path, or a prefix ending in `/*`. Later registrations of a path win. */
  route(path: string, handler: AdminHandler): this {
    if (typeof path !== 'string' || !path.startsWith('/')) throw InvalidAdmin('admin.routes', `route path ${JSON.stringify(path)} must start with /`);
    if (typeof handler !== 'function') throw InvalidAdmin('admin.routes', `route ${path} needs a handler function`);
    if (path.endsWith('/*')) this.#prefixes.push([path.slice(0, -1), handler]);
    else this.#exact.set(path, handler);
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
      report('admin', 'unprotected', `the admin server listens on ${host} without a token; set admin.token to protect /metrics and the probes`, { print: true });
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
    const token = this.options.token;
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    let handler = this.#exact.get(path);
    if (handler === undefined) {
      for (const [prefix, h] of this.#prefixes) {
        if (path.startsWith(prefix)) {
          handler = h;
          break;
        }
      }
    }
    if (handler === undefined) {
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
      const r = handler(req, res);
      if (r !== undefined && typeof r.then === 'function') r.then(undefined, fail);
    } catch (e) {
      fail(e);
    }
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const a = Buffer.from(header.slice(7));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
