import { channel } from 'node:diagnostics_channel';
import { LOG_ERROR_CHANNEL } from '../diagnostics/channels.js';
import { report } from '../diagnostics/index.js';
import { envString } from '../env.js';
import type { Env } from '../env.js';
import { storage } from '#internal/context';
import type { Scope } from '#internal/context';
import { LEVELS, LEVEL_NAMES } from './destination.js';
import type { Destination, DestinationStats, LevelName } from './destination.js';
import { stderr, stdout } from './destinations/fd.js';
import { WritableDestination, isWritableLike } from './destinations/writable.js';
import type { WritableLike } from './destinations/writable.js';
import { registerForExit } from './exit.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { InvalidDestination, InvalidOption, UnknownOption } from './errors.js';
import { parseLevelName, resolveLevel } from './levels.js';
import type { LevelOption } from './levels.js';
import { RateLimiter } from './rate-limit.js';
import type { RateLimitOptions } from './rate-limit.js';
import { Redactor } from './redact.js';
import type { RedactOptions } from './redact.js';
import { DEFAULT_LIMITS, Serializer, describeThrow } from './serialize.js';
import type { SerializeLimits } from './serialize.js';
import { callsite } from './callsite.js';

/** A message, or a function producing it (called only when the level is enabled). */
export type LogMessage = string | (() => string);
/** Fields for one line: an object, an Error, or a function producing one (called only when enabled). */
export type LogFields = object | Error | (() => object | Error);
/**
 * One level's method. Never throws. Two argument orders: Sightline's, message first
 * (`log.info('placed', { orderId })`), and pino's, fields first (`log.info({ orderId }, 'placed')`,
 * `log.error(err, 'failed')`); the message may then be left out (`log.info({ orderId })` writes
 * `"msg":""`, `log.error(err)` the error's message).
 */
export interface LogFn {
  (msg: LogMessage, fields?: LogFields): void;
  (fields: object | Error, msg?: LogMessage): void;
}

/**
 * A key for per-message rate limiting given by the caller, as a symbol-keyed field (symbol keys
 * are never written to the line).
 * @example
 * log.warn('upstream timeout', { [RATE_KEY]: 'upstream', host });
 */
export const RATE_KEY: unique symbol = Symbol.for('sightline.log.rateKey');

/**
 * A destination, optionally with its own minimum level. A Node `stream.Writable` is accepted
 * too (wrapped as `writable(stream)`).
 */
export type DestinationEntry = Destination | WritableLike | { destination: Destination | WritableLike; level?: LevelName };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Service name written on every line (default: `OTEL_SERVICE_NAME`, else none). */
  service?: string;
  /** Minimum level; default from `LOG_LEVEL`, else `NODE_ENV` (see README). */
  level?: LevelOption;
  /** Where lines go: one destination or several, or Node Writables (default `stdout()`). */
  destination?: DestinationEntry | DestinationEntry[];
  /** Field names: Sightline's own (`default`) or Elastic Common Schema (`ecs`). */
  profile?: 'default' | 'ecs';
  /** Redaction (on by default for credential-like keys); `false` turns it off. */
  redact?: RedactOptions | false;
  /** Size limits for values (string length, depth, items). */
  limits?: Partial<SerializeLimits>;
  /** Keep only a fraction of lines per level, decided per trace (e.g. `{ debug: 0.1 }`). */
  sampling?: Partial<Record<LevelName, number>>;
  /** Per-message token bucket; writes a summary line of what it suppressed. */
  rateLimit?: RateLimitOptions | false;
  /** Add the call site (file, line, function) to each line. Costs a stack capture. */
  callsite?: boolean;
  /** Fields bound to every line of this logger (serialized once). */
  base?: Record<string, unknown>;
  /** Environment read for `LOG_LEVEL`, `NODE_ENV` and `OTEL_SERVICE_NAME` (default `process.env`). */
  env?: Env;
}

/** Every key of {@link LoggerOptions}: any other throws SL_ERR_LOG_UNKNOWN_OPTION. @internal */
export const LOGGER_OPTION_KEYS = optionKeys<LoggerOptions>()(['service', 'level', 'destination', 'profile', 'redact', 'limits', 'sampling', 'rateLimit', 'callsite', 'base', 'env']);
const LIMIT_KEYS = optionKeys<SerializeLimits>()(['maxStringLength', 'maxDepth', 'maxItems']);
const DESTINATION_ENTRY_KEYS = optionKeys<{ destination: Destination; level?: LevelName }>()(['destination', 'level']);

/** Counters for self-metrics. */
export interface LoggerStats extends DestinationStats {
  /** Lines dropped by sampling. */
  sampledOut: number;
  /** Lines suppressed by rate limiting. */
  rateLimited: number;
}

interface Keys {
  time: string;
  level: string;
  msg: string;
  service: string;
  traceId: string;
  spanId: string;
  requestId: string;
  userId: string;
  err: string;
}

const DEFAULT_KEYS: Keys = {
  time: 'time', level: 'level', msg: 'msg', service: 'service', traceId: 'trace_id', spanId: 'span_id',
  requestId: 'request_id', userId: 'user_id', err: 'err',
};
const ECS_KEYS: Keys = {
  time: '@timestamp', level: 'log.level', msg: 'message', service: 'service.name', traceId: 'trace.id',
  spanId: 'span.id', requestId: 'http.request.id', userId: 'user.id', err: 'error',
};

/** What the logger caches on a request scope: its serialized context fields. */
interface ScopeCache {
  core: Core;
  version: number;
  span: unknown;
  text: string;
}

/** State shared by a logger and all its children. */
class Core {
  readonly dests: Destination[];
  readonly destMin: number[];
  /** Fast path: exactly one destination without a level of its own. */
  readonly single: Destination | undefined;
  readonly ser: Serializer;
  readonly redactor: Redactor;
  readonly keys: Keys;
  /** `{"time":"` */
  readonly open: string;
  /** Per level: `","level":"info","msg":` */
  readonly mid: string[] = [];
  readonly service: string;
  readonly sampling: number[] | undefined;
  readonly rate: RateLimiter | undefined;
  readonly callsite: boolean;
  readonly ecs: boolean;
  sampledOut = 0;
  lastMs = 0;
  lastIso = '';
  /** `logJson`'s last message and its JSON text. */
  lastMsg: string | undefined = undefined;
  lastMsgJson = '';

  constructor(o: LoggerOptions) {
    const ecs = o.profile === 'ecs';
    if (o.profile !== undefined && o.profile !== 'default' && o.profile !== 'ecs') throw InvalidOption('profile', "profile must be 'default' or 'ecs'");
    this.ecs = ecs;
    this.keys = ecs ? ECS_KEYS : DEFAULT_KEYS;
    if (typeof o.limits === 'object' && o.limits !== null) checkOptionKeys(o.limits, LIMIT_KEYS, UnknownOption, 'limits', 'limits');
    const limits = { ...DEFAULT_LIMITS, ...o.limits };
    for (const k of Object.keys(limits) as (keyof SerializeLimits)[]) {
      if (!(Number.isInteger(limits[k]) && limits[k] > 0)) throw InvalidOption(`limits.${k}`, `${k} must be a positive integer`);
    }
    this.redactor = new Redactor(o.redact);
    this.ser = new Serializer(this.redactor, limits, ecs);
    this.open = `{${JSON.stringify(this.keys.time)}:"`;
    for (const name of LEVEL_NAMES) {
      this.mid[LEVELS[name]] = `",${JSON.stringify(this.keys.level)}:"${name}",${JSON.stringify(this.keys.msg)}:`;
    }
    const service = o.service ?? envString(o.env ?? process.env, 'OTEL_SERVICE_NAME');
    if (service !== undefined && typeof service !== 'string') throw InvalidOption('service', 'service must be a string');
    this.service = (ecs ? ',"ecs.version":"8.11.0"' : '') + (service === undefined ? '' : this.ser.key(this.keys.service) + JSON.stringify(service));

    const entries = o.destination === undefined ? [stdout()] : Array.isArray(o.destination) ? o.destination : [o.destination];
    if (entries.length === 0) throw InvalidDestination('destination', 'the list is empty');
    this.dests = [];
    this.destMin = [];
    entries.forEach((e, i) => {
      const field = Array.isArray(o.destination) ? `destination[${i}]` : 'destination';
      const isWrapper = typeof e === 'object' && e !== null && 'destination' in e && !('write' in e);
      if (isWrapper) checkOptionKeys(e, DESTINATION_ENTRY_KEYS, UnknownOption, field, field);
      const given: unknown = isWrapper ? (e as { destination: unknown }).destination : e;
      const d = (isWritableLike(given) ? fromStream(given, field) : given) as Destination;
      if (typeof d !== 'object' || d === null || typeof d.write !== 'function' || typeof d.flush !== 'function' || typeof d.flushSync !== 'function') {
        throw InvalidDestination(field, 'it needs write(), flush() and flushSync()');
      }
      const lvl = isWrapper ? (e as { level?: LevelName }).level : d.level;
      this.dests.push(d);
      this.destMin.push(lvl === undefined ? 0 : LEVELS[parseLevelName(lvl, `${field}.level`)]);
      registerForExit(d);
    });
    this.single = this.dests.length === 1 && this.destMin[0] === 0 ? this.dests[0] : undefined;

    if (o.sampling !== undefined) {
      this.sampling = [];
      for (const [name, rate] of Object.entries(o.sampling)) {
        const lvl = LEVELS[parseLevelName(name, `sampling.${name}`)];
        if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw InvalidOption(`sampling.${name}`, 'a sampling rate must be between 0 and 1');
        this.sampling[lvl] = rate;
      }
    }
    this.rate = o.rateLimit === undefined || o.rateLimit === false
      ? undefined
      : new RateLimiter(o.rateLimit, (level, key, n) => this.summary(level, key, n));
    this.callsite = o.callsite === true;
    if (this.rate !== undefined) registerForExit({ flushSync: () => this.rate?.flushSummaries() });
  }

  /** The ISO time of the current millisecond (cached: one Date per millisecond at most). */
  time(): string {
    const now = Date.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastIso = new Date(now).toISOString();
    }
    return this.lastIso;
  }

  /** The context part of a line: trace ids, request id, user id, context fields. */
  context(): string {
    const ctx = storage.getStore();
    if (ctx === undefined) return '';
    const scope: Scope = ctx.scope;
    const span = ctx.span;
    const c = scope.cache as ScopeCache | undefined;
    if (c !== undefined && c.core === this && c.version === scope.version && c.span === span) return c.text;
    const text = this.renderContext(ctx.traceIds, scope);
    if (!Object.isFrozen(scope)) scope.cache = { core: this, version: scope.version, span, text } satisfies ScopeCache;
    return text;
  }

  renderContext(ids: { traceId: string; spanId: string } | undefined, scope: Scope): string {
    const k = this.keys;
    let s = '';
    if (ids !== undefined) s += `${this.ser.key(k.traceId)}"${ids.traceId}"${this.ser.key(k.spanId)}"${ids.spanId}"`;
    if (scope.requestId !== undefined) s += this.ser.key(k.requestId) + this.ser.string(scope.requestId);
    if (scope.userId !== undefined) s += this.ser.key(k.userId) + this.ser.string(scope.userId);
    if (scope.fields !== undefined) s += this.ser.fields(scope.fields);
    return s;
  }

  /** Whether sampling keeps a line of this level (decided per trace: all or nothing). */
  keep(level: number): boolean {
    const rate = this.sampling?.[level];
    if (rate === undefined || rate >= 1) return true;
    if (rate <= 0) return false;
    const ctx = storage.getStore();
    const ids = ctx?.traceIds;
    let u: number;
    if (ids !== undefined && ids.traceId.length === 32) {
      // The rightmost 7 bytes of a W3C trace id are random; 8 hex digits are plenty.
      u = parseInt(ids.traceId.slice(24), 16) / 0x1_0000_0000;
    } else if (ctx?.scope.requestId !== undefined) {
      u = fnv1a(ctx.scope.requestId) / 0x1_0000_0000;
    } else {
      u = Math.random();
    }
    return u < rate;
  }

  write(level: number, line: string): void {
    const one = this.single;
    if (one !== undefined) {
      one.write(line, level);
      return;
    }
    for (let i = 0; i < this.dests.length; i++) {
      if (level >= this.destMin[i]!) this.dests[i]!.write(line, level);
    }
  }

  summary(level: number, key: string, n: number): void {
    const line = this.open + this.time() + this.mid[level]! + JSON.stringify(`suppressed ${n} similar lines`) +
      this.service + `,"suppressed":${n},"rate_key":${this.ser.string(key)}}\n`;
    this.write(level, line);
  }
}

/**
 * A Node stream given as a destination. `process.stdout` and `process.stderr` become `stdout()`
 * and `stderr()`: the same descriptor, written by the writer thread, so no line is lost at exit
 * (their stream buffers would not be written once the process exits).
 */
function fromStream(s: WritableLike, field: string): Destination {
  if (s === process.stdout) return stdout();
  if (s === process.stderr) return stderr();
  return new WritableDestination(s, {}, field);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const noop: LogFn = () => {};

/**
 * Error and fatal lines that carry an Error (as the fields, or as `err`/`error`) are published as
 * `{ error, level, msg }` for the error-groups table of sightline/health; free without subscribers.
 */
const errorChannel = channel(LOG_ERROR_CHANNEL);

function publishError(level: number, msg: string, fields: LogFields | undefined): void {
  const f = fields as Record<string, unknown> | undefined;
  const error = fields instanceof Error ? fields : f?.['err'] instanceof Error ? f['err'] : f?.['error'] instanceof Error ? f['error'] : undefined;
  if (error !== undefined) errorChannel.publish({ error, level, msg });
}

/**
 * A structured JSON logger. Create it with {@link createLogger}.
 */
export class Logger {
  declare trace: LogFn;
  declare debug: LogFn;
  declare info: LogFn;
  declare warn: LogFn;
  declare error: LogFn;
  declare fatal: LogFn;
  /** @internal */
  readonly core: Core;
  /** @internal serialized bindings (`,"k":v…`) */
  readonly bindings: string;
  #level: LevelOption;
  #threshold = 0;

  /** @internal use createLogger / child */
  constructor(core: Core, bindings: string, level: LevelOption) {
    this.core = core;
    this.bindings = bindings;
    this.#level = level;
    this.#setMethods();
  }

  /** The minimum level written; settable at run time. */
  get level(): LevelOption {
    return this.#level;
  }

  set level(value: LevelOption) {
    this.#level = parseLevelName(value, 'level');
    this.#setMethods();
  }

  /** `warn` under its syslog/Python name: the line says `"level":"warn"`. */
  get warning(): LogFn {
    return this.warn;
  }

  /** `fatal` under its syslog/Python name (syslog severity 2, crit): the line says `"level":"fatal"`. */
  get critical(): LogFn {
    return this.fatal;
  }

  /** Whether a level is enabled (cheap; use to guard expensive field building). */
  isLevelEnabled(level: LevelName): boolean {
    return (LEVELS[level] ?? levelNumber(level)) >= this.#threshold;
  }

  #setMethods(): void {
    const threshold = LEVELS[this.#level];
    this.#threshold = threshold;
    this.trace = threshold <= 10 ? TRACE : noop;
    this.debug = threshold <= 20 ? DEBUG : noop;
    this.info = threshold <= 30 ? INFO : noop;
    this.warn = threshold <= 40 ? WARN : noop;
    this.error = threshold <= 50 ? ERROR : noop;
    this.fatal = threshold <= 60 ? FATAL : noop;
  }

  /**
   * A child logger whose lines all carry `fields` (serialized once, here).
   * @example
   * const reqLog = log.child({ component: 'billing' });
   */
  child(fields: Record<string, unknown>): Logger {
    const extra = typeof fields === 'object' && fields !== null ? this.core.ser.fields(fields) : '';
    return new Logger(this.core, this.bindings + extra, this.#level);
  }

  /** Resolves when every line accepted so far has been written by every destination. */
  async flush(): Promise<void> {
    this.core.rate?.flushSummaries();
    await Promise.all(this.core.dests.map((d) => d.flush().catch(() => undefined)));
  }

  /** Flushes and closes the destinations. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.core.dests.map((d) => d.close().catch(() => undefined)));
  }

  /** Counters: lines written, dropped, fallen back to stderr, sampled out, rate limited. */
  stats(): LoggerStats {
    const s: LoggerStats = { written: 0, dropped: 0, fallback: 0, errors: 0, sampledOut: this.core.sampledOut, rateLimited: this.core.rate?.suppressedTotal ?? 0 };
    for (const d of this.core.dests) {
      try {
        const x = d.stats();
        s.written += x.written;
        s.dropped += x.dropped;
        s.fallback += x.fallback;
        s.errors += x.errors;
      } catch {
        // a custom destination without stats
      }
    }
    return s;
  }

  /**
   * @internal writes one line at `level`: `(msg, fields)`, or pino's `(fields, msg)` when the
   * first argument is an object (decided after the string check, so the common order pays
   * nothing). Never throws.
   */
  log(level: number, msg: LogMessage | object, fields: LogFields | LogMessage | undefined): void {
    const core = this.core;
    try {
      if (core.sampling !== undefined && !core.keep(level)) {
        core.sampledOut++;
        return;
      }
      if (typeof msg !== 'string') {
        if (typeof msg === 'function') msg = String((msg as () => unknown)());
        else if (typeof msg === 'object' && msg !== null) {
          const second = fields;
          fields = msg;
          msg = typeof second === 'string' ? second
            : typeof second === 'function' ? String((second as () => unknown)())
            : second === undefined || second === null ? (msg instanceof Error ? coerceMessage(msg) : '')
            : coerceMessage(second);
        } else msg = coerceMessage(msg);
      }
      if (typeof fields === 'function') fields = (fields as () => object)();
      if (core.rate !== undefined) {
        const key = fields !== undefined && fields !== null && (fields as Record<symbol, unknown>)[RATE_KEY] !== undefined
          ? String((fields as Record<symbol, unknown>)[RATE_KEY])
          : msg;
        if (!core.rate.allow(key, level)) return;
      }
      let extra = '';
      if (fields !== undefined && fields !== null) {
        if (fields instanceof Error) extra = core.ser.key(core.keys.err) + core.ser.value(fields);
        else if (typeof fields === 'object') extra = core.ser.fields(fields);
      }
      if (core.callsite) extra += callsite(core.ser);
      const line = core.open + core.time() + core.mid[level]! + core.ser.string(msg) + core.service + core.context() + this.bindings + extra + '}\n';
      core.write(level, line);
      if (level >= 50 && errorChannel.hasSubscribers) publishError(level, msg, fields as LogFields | undefined);
    } catch (e) {
      report('log', 'call_failed', `a log call failed internally (${describeThrow(e)}); the line was dropped`, { error: e });
    }
  }
  /**
   * @internal `,"key":` for a field key written by `logJson`, or undefined when redaction would
   * censor that key (by name or by a top-level path rule): the caller then writes `censorJson`.
   */
  jsonKey(key: string): string | undefined {
    const red = this.core.redactor;
    if (red.isSecretKey(key)) return undefined;
    if (red.hasPaths && red.step(red.rootStates(), key).matched) return undefined;
    return this.core.ser.key(key);
  }

  /** @internal the redaction censor as JSON text. */
  get censorJson(): string {
    return this.core.redactor.censorJson;
  }

  /** @internal a string value as JSON (truncated and pattern-redacted like any field value). */
  jsonString(s: string): string {
    return this.core.ser.string(s);
  }

  /**
   * @internal writes one line at `level` whose fields are already JSON text (`,"k":v…`, keys
   * from `jsonKey`, strings from `jsonString`): for hot callers with known keys (the HTTP
   * completion line), which skip the generic object walk. Same level check, sampling, rate
   * limiting, context and bindings as `log`. Never throws.
   */
  logJson(level: number, msg: string, json: string): void {
    if (level < this.#threshold) return;
    const core = this.core;
    try {
      if (core.sampling !== undefined && !core.keep(level)) {
        core.sampledOut++;
        return;
      }
      if (core.rate !== undefined && !core.rate.allow(msg, level)) return;
      const extra = core.callsite ? json + callsite(core.ser) : json;
      // Hot callers pass a few constant messages: keep the last one's JSON.
      let msgJson = core.lastMsgJson;
      if (msg !== core.lastMsg) {
        msgJson = core.lastMsgJson = core.ser.string(msg);
        core.lastMsg = msg;
      }
      core.write(level, core.open + core.time() + core.mid[level]! + msgJson + core.service + core.context() + this.bindings + extra + '}\n');
    } catch (e) {
      report('log', 'call_failed', `a log call failed internally (${describeThrow(e)}); the line was dropped`, { error: e });
    }
  }
}

function coerceMessage(v: unknown): string {
  try {
    if (v instanceof Error) return String(v.message);
    return String(v);
  } catch {
    return '[unprintable message]';
  }
}

function levelMethod(level: number): LogFn {
  return function (this: Logger, msg: LogMessage | object, fields?: LogFields | LogMessage): void {
    this.log(level, msg, fields);
  };
}

/** `LEVELS` for a name in any case (`isLevelEnabled('WARNING')`); NaN for a non-level. */
function levelNumber(name: unknown): number {
  const n = typeof name === 'string' ? LEVELS[name.trim().toLowerCase() as LevelName] : undefined;
  return n ?? NaN;
}
const TRACE = levelMethod(10);
const DEBUG = levelMethod(20);
const INFO = levelMethod(30);
const WARN = levelMethod(40);
const ERROR = levelMethod(50);
const FATAL = levelMethod(60);

/**
 * Creates a logger. With no options it writes JSON lines to stdout at the level from `LOG_LEVEL`
 * or `NODE_ENV`.
 * @example
 * import { createLogger, file } from 'sightline/log';
 * const log = createLogger({ service: 'checkout', destination: [stdout(), file('app.log', { level: 'debug' })] });
 * log.info('order placed', { orderId: 42 });
 * log.error('charge failed', err);
 * log.error(err, 'charge failed');           // pino's order works too
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  if (typeof options !== 'object' || options === null) throw InvalidOption(undefined, 'options must be an object');
  checkOptionKeys(options, LOGGER_OPTION_KEYS, UnknownOption, 'createLogger()');
  const level = resolveLevel(options.level, options.env ?? process.env);
  const core = new Core(options);
  const bindings = options.base === undefined ? '' : core.ser.fields(options.base);
  return new Logger(core, bindings, level);
}
