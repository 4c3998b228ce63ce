import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { DuplicateCheck, InvalidCheck, InvalidOption, UnknownOption } from './errors.js';
import { aggregate, HEALTH_CONTENT_TYPE } from './render.js';
import type { HealthBody, ProbeResponse } from './render.js';
import type { CheckFunction, CheckResult } from './result.js';
import { ScheduledCheck } from './scheduled-check.js';
import type { ProbeName, ResolvedCheck } from './scheduled-check.js';

/**
 * A check with its own metadata, as the built-in checks return it (e.g. `postgresCheck(pool)`).
 * `dependency` marks checks that call another service: those may not feed the liveness probe.
 */
export interface HealthCheck {
  run: CheckFunction;
  componentType?: string;
  measurement?: string;
  dependency?: boolean;
}

/** A check to register. */
export interface CheckDefinition {
  /** Unique name; the `component` part of the `component:measurement` key. `[A-Za-z0-9_.-]+`. */
  name: string;
  /** An async function, or a built-in check object. */
  check: CheckFunction | HealthCheck;
  /** Probes this check feeds (default `['readiness']`). Dependency checks may not feed liveness. */
  probes?: ProbeName[];
  /** A failing critical check fails the probe (503); a non-critical one makes it `warn` (200). Default true. */
  critical?: boolean;
  /** A run that has not settled by then fails (default: the registry's `timeoutMs`, 2000). */
  timeoutMs?: number;
  /** Pause between the end of one run and the start of the next (default: the registry's `intervalMs`, 5000). */
  intervalMs?: number;
  /** `componentId` of the body (default: the name). */
  componentId?: string;
  /** `componentType` (default: the built-in's, else `component`). */
  componentType?: string;
  /** The `measurement` part of the key (default: the built-in's, else `responseTime`). */
  measurement?: string;
}

const CHECK_DEFINITION_KEYS = optionKeys<CheckDefinition>()(['name', 'check', 'probes', 'critical', 'timeoutMs', 'intervalMs', 'componentId', 'componentType', 'measurement']);

/** Options of {@link createHealth}. */
export interface HealthOptions {
  /** Probe paths (defaults `/health/live`, `/health/ready`, `/health/startup`). */
  paths?: { live?: string; ready?: string; startup?: string };
  /** Default timeout of a check, ms (2000). */
  timeoutMs?: number;
  /** Default interval between runs of a check, ms (5000). */
  intervalMs?: number;
  /** `serviceId` of the bodies. */
  service?: string;
  /** `version` of the bodies. */
  version?: string;
  /** `releaseId` of the bodies. */
  releaseId?: string;
  /** Start already "started" (no startup phase). Default false: call `markStarted()`. */
  started?: boolean;
}

/** Every key of {@link HealthOptions}: any other throws SL_ERR_HEALTH_UNKNOWN_OPTION. */
export const HEALTH_OPTION_KEYS = optionKeys<HealthOptions>()(['paths', 'timeoutMs', 'intervalMs', 'service', 'version', 'releaseId', 'started']);
const PATH_KEYS = optionKeys<NonNullable<HealthOptions['paths']>>()(['live', 'ready', 'startup']);

/** Lifecycle phase of the process as the probes see it. */
export type HealthPhase = 'starting' | 'running' | 'shutting-down';

const NAME = /^[A-Za-z0-9_.-]+$/;
const PROBES = new Set<ProbeName>(['liveness', 'readiness', 'startup']);

function positive(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw InvalidOption(field, `${field} must be a positive number of milliseconds`);
  return v;
}

function pathOption(v: unknown, field: string, dflt: string): string {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !v.startsWith('/') || /[?#\s]/.test(v)) throw InvalidOption(field, `${field} must be a path starting with "/" without query or fragment`);
  return v;
}

/**
 * The health registry and its three probes.
 *
 * - liveness never calls a dependency: it passes while the event loop answers (plus any local
 *   checks registered for `liveness`, such as event-loop delay or heap usage);
 * - readiness answers from the latest background results of the `readiness` checks; it fails
 *   before startup completes and from the moment shutdown begins;
 * - startup passes once `markStarted()` was called and every `startup` check passes, then stays
 *   passed (Kubernetes stops probing startup after its first success).
 *
 * @example
 * import http from 'node:http';
 * import { createHealth, postgresCheck } from 'sightline/health';
 * const health = createHealth({ service: 'checkout' });
 * health.register({ name: 'postgres', check: postgresCheck(pool), probes: ['readiness', 'startup'] });
 * http.createServer((req, res) => health.handle(req, res) || app(req, res)).listen(8080);
 * await runMigrations();
 * health.markStarted();
 */
export class Health {
  readonly paths: { live: string; ready: string; startup: string };
  readonly #checks = new Map<string, ScheduledCheck>();
  readonly #timeoutMs: number;
  readonly #intervalMs: number;
  readonly #meta: { serviceId?: string; version?: string; releaseId?: string };
  #phase: HealthPhase;
  #startupPassed: boolean;
  #closed = false;

  constructor(options: HealthOptions = {}) {
    if (typeof options !== 'object' || options === null) throw InvalidOption(undefined, 'options must be an object');
    checkOptionKeys(options, HEALTH_OPTION_KEYS, UnknownOption, 'createHealth()');
    if (typeof options.paths === 'object' && options.paths !== null) checkOptionKeys(options.paths, PATH_KEYS, UnknownOption, 'paths', 'paths');
    const p = options.paths ?? {};
    this.paths = {
      live: pathOption(p.live, 'paths.live', '/health/live'),
      ready: pathOption(p.ready, 'paths.ready', '/health/ready'),
      startup: pathOption(p.startup, 'paths.startup', '/health/startup'),
    };
    if (new Set(Object.values(this.paths)).size !== 3) throw InvalidOption('paths', 'the three probe paths must differ');
    this.#timeoutMs = positive(options.timeoutMs, 'timeoutMs', 2000);
    this.#intervalMs = positive(options.intervalMs, 'intervalMs', 5000);
    this.#meta = {};
    for (const k of ['service', 'version', 'releaseId'] as const) {
      const v = options[k];
      if (v !== undefined && typeof v !== 'string') throw InvalidOption(k, `${k} must be a string`);
    }
    if (options.service !== undefined) this.#meta.serviceId = options.service;
    if (options.version !== undefined) this.#meta.version = options.version;
    if (options.releaseId !== undefined) this.#meta.releaseId = options.releaseId;
    this.#phase = options.started === true ? 'running' : 'starting';
    this.#startupPassed = false;
  }

  /** `starting` until `markStarted()`, `running`, then `shutting-down` once shutdown began. */
  get phase(): HealthPhase {
    return this.#phase;
  }

  /**
   * Registers a check and starts running it in the background (first run on the next tick; timers
   * are unref'd). Throws `SL_ERR_HEALTH_DUPLICATE_CHECK` for a name already registered.
   * @example
   * health.register({ name: 'cache', check: redisCheck(redis), critical: false, intervalMs: 2000 });
   */
  register(def: CheckDefinition): this {
    const resolved = this.#resolve(def);
    if (this.#checks.has(resolved.name)) throw DuplicateCheck('name', resolved.name);
    const sc = new ScheduledCheck(resolved);
    this.#checks.set(resolved.name, sc);
    if (!this.#closed) sc.start();
    return this;
  }

  /** Stops and removes a check. Returns whether it existed. */
  unregister(name: string): boolean {
    const sc = this.#checks.get(name);
    if (sc === undefined) return false;
    sc.stop();
    this.#checks.delete(name);
    return true;
  }

  /** Names of the registered checks. */
  checkNames(): string[] {
    return [...this.#checks.keys()];
  }

  /** The latest result of a check (undefined before its first run settles or for an unknown name). */
  latest(name: string): CheckResult | undefined {
    const r = this.#checks.get(name)?.latest;
    return r === undefined ? undefined : { ...r };
  }

  /** Times each check called its function (a check never has more than one call outstanding). */
  calls(name: string): number {
    return this.#checks.get(name)?.calls ?? 0;
  }

  /**
   * Says the app has started (migrations done, caches warm): readiness may now pass, and the startup
   * probe passes as soon as the startup checks do. Runs the startup checks at once.
   */
  markStarted(): void {
    if (this.#phase === 'starting') this.#phase = 'running';
    for (const c of this.#checks.values()) {
      if (c.def.probes.has('startup')) void c.runNow();
    }
  }

  /** Readiness fails from now on (liveness keeps passing). Called by the shutdown manager. */
  markShuttingDown(): void {
    this.#phase = 'shutting-down';
  }

  /** Runs every check now and resolves with the readiness answer (useful before `markStarted()`). */
  async refresh(): Promise<ProbeResponse> {
    await Promise.all([...this.#checks.values()].map((c) => c.runNow()));
    return this.readiness();
  }

  /** The liveness answer: never calls a dependency. */
  liveness(): ProbeResponse {
    const { status, checks } = aggregate(this.#feeding('liveness'), new Date().toISOString());
    const body = this.#body('liveness', status, checks);
    if (this.#phase !== 'running') body.notes = [this.#phase === 'starting' ? 'starting: startup not complete' : 'shutting down'];
    return { statusCode: status === 'fail' ? 503 : 200, body };
  }

  /** The readiness answer, from the latest background results. */
  readiness(): ProbeResponse {
    const { status, checks } = aggregate(this.#feeding('readiness'), new Date().toISOString());
    const body = this.#body('readiness', status, checks);
    if (this.#phase === 'starting') {
      body.status = 'fail';
      body.output = 'starting: startup not complete';
    } else if (this.#phase === 'shutting-down') {
      body.status = 'fail';
      body.output = 'shutting down';
    }
    return { statusCode: body.status === 'fail' ? 503 : 200, body };
  }

  /** The startup answer: passes once started and every startup check passes; latched after that. */
  startup(): ProbeResponse {
    const { status, checks } = aggregate(this.#feeding('startup'), new Date().toISOString());
    const body = this.#body('startup', status, checks);
    if (!this.#startupPassed) {
      if (this.#phase === 'starting') {
        body.status = 'fail';
        body.output = 'starting: the app has not called markStarted()';
      } else if (status !== 'fail') {
        this.#startupPassed = true;
      }
    } else {
      body.status = status === 'fail' ? 'warn' : status;
    }
    return { statusCode: body.status === 'fail' ? 503 : 200, body };
  }

  /**
   * Answers a probe request if `req` is for one of the three paths (with or without a query
   * string) and returns true; returns false without touching `res` otherwise.
   * @example
   * http.createServer((req, res) => { if (!health.handle(req, res)) app(req, res); });
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    let end = url.length;
    const q = url.indexOf('?');
    if (q !== -1) end = q;
    const h = url.indexOf('#');
    if (h !== -1 && h < end) end = h;
    const path = end === url.length ? url : url.slice(0, end);
    let probe: (() => ProbeResponse) | undefined;
    if (path === this.paths.live) probe = () => this.liveness();
    else if (path === this.paths.ready) probe = () => this.readiness();
    else if (path === this.paths.startup) probe = () => this.startup();
    else return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': '0' });
      res.end();
      return true;
    }
    const r = probe();
    const text = JSON.stringify(r.body);
    res.writeHead(r.statusCode, {
      'content-type': HEALTH_CONTENT_TYPE,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
    return true;
  }

  /**
   * A node:http listener: probes on their paths, everything else to `fallback` (or 404).
   * @example
   * http.createServer(health.listener()).listen(8081);
   */
  listener(fallback?: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      if (this.handle(req, res)) return;
      if (fallback !== undefined) {
        fallback(req, res);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    };
  }

  /** Connect/Express-style middleware: answers probes, calls `next()` for everything else. */
  middleware(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      if (!this.handle(req, res)) next();
    };
  }

  /** Stops every background timer. */
  close(): void {
    this.#closed = true;
    for (const c of this.#checks.values()) c.stop();
  }

  * #feeding(probe: ProbeName): Iterable<ScheduledCheck> {
    for (const c of this.#checks.values()) if (c.def.probes.has(probe)) yield c;
  }

  #body(description: string, status: HealthBody['status'], checks: HealthBody['checks']): HealthBody {
    // A fresh object per response: nothing in it is shared with another response.
    return { status, ...this.#meta, description, checks };
  }

  #resolve(def: CheckDefinition): ResolvedCheck {
    if (typeof def !== 'object' || def === null) throw InvalidCheck(undefined, 'pass { name, check }');
    checkOptionKeys(def, CHECK_DEFINITION_KEYS, UnknownOption, 'health.register()');
    const { name } = def;
    if (typeof name !== 'string' || !NAME.test(name)) throw InvalidCheck('name', 'name must be a non-empty string of letters, digits, "_", "." or "-"');
    const c = def.check;
    let run: CheckFunction;
    let meta: Omit<HealthCheck, 'run'> = {};
    if (typeof c === 'function') run = c;
    else if (typeof c === 'object' && c !== null && typeof c.run === 'function') {
      run = c.run;
      meta = c;
    } else throw InvalidCheck('check', `check of ${JSON.stringify(name)} must be an async function or a built-in check such as postgresCheck(pool)`);
    const probes = def.probes ?? ['readiness'];
    if (!Array.isArray(probes) || probes.length === 0 || probes.some((p) => !PROBES.has(p))) {
      throw InvalidCheck('probes', 'probes must be a non-empty array of "liveness", "readiness", "startup"');
    }
    if (meta.dependency === true && probes.includes('liveness')) {
      throw InvalidCheck('probes', `${JSON.stringify(name)} calls a dependency: liveness must not check dependencies (use readiness and startup)`);
    }
    if (def.critical !== undefined && typeof def.critical !== 'boolean') throw InvalidCheck('critical', 'critical must be a boolean');
    for (const k of ['componentId', 'componentType', 'measurement'] as const) {
      const v = def[k];
      if (v !== undefined && (typeof v !== 'string' || v === '')) throw InvalidCheck(k, `${k} must be a non-empty string`);
    }
    if (def.measurement !== undefined && def.measurement.includes(':')) throw InvalidCheck('measurement', 'measurement may not contain ":"');
    return {
      name,
      run,
      probes: new Set(probes),
      critical: def.critical ?? true,
      timeoutMs: positive(def.timeoutMs, 'timeoutMs', this.#timeoutMs),
      intervalMs: positive(def.intervalMs, 'intervalMs', this.#intervalMs),
      componentId: def.componentId ?? name,
      componentType: def.componentType ?? meta.componentType ?? 'component',
      measurement: def.measurement ?? meta.measurement ?? 'responseTime',
    };
  }
}

/**
 * Creates a health registry with liveness, readiness and startup probes.
 * @example
 * const health = createHealth({ paths: { ready: '/readyz' }, timeoutMs: 1000, intervalMs: 2000 });
 */
export function createHealth(options: HealthOptions = {}): Health {
  return new Health(options);
}
