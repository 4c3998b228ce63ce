/**
 * `createSlo()`: definitions, store and engine assembled from one options object — what
 * `sightline({ slo })` uses and what a user of `sightline/slo` alone calls. Everything is
 * validated here, synchronously, before anything starts: a mistake throws a coded error naming
 * the field, and nothing is left running.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOptionKeys, optionKeys } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { Registry } from '../metrics/index.js';
import { checkSlosAgainstRegistry, loadSloFile, resolveSlos } from './definition.js';
import { parseSloDuration } from './duration.js';
import { SloEngine } from './engine.js';
import { InvalidSloOption, UnknownSloOption } from './errors.js';
import { DEFAULT_STORE_SPEC, openStoreSpec, parseStoreSpec } from './store/index.js';
import type { ResolvedSlo, SloDefinition, SloFile, SloStatus } from './types.js';

/** Options of `createSlo()` and of `sightline({ slo })`. */
export interface SloOptions {
  /**
   * The SLOs: a path to a YAML (or JSON) file in the `{ service, slos }` shape, that shape as an
   * object, or an array of definitions (the service is then sightline()'s).
   */
  objectives: string | SloFile | readonly SloDefinition[];
  /**
   * Where state lives: `'memory'`, `'sqlite:<path>'` (default `sqlite:./.sightline/slo.sqlite`;
   * falls back to memory with one warning when better-sqlite3 is not installed) or
   * `'redis://host:port/db'` (one budget shared by a fleet; needs ioredis).
   */
  store?: string;
  /** How often the registry is read: a duration (`'10s'`, the default) or milliseconds. */
  interval?: string | number;
}

/** Every key of {@link SloOptions}. @internal */
export const SLO_OPTION_KEYS = optionKeys<SloOptions>()(['objectives', 'store', 'interval']);

/** What `createSlo()` needs beyond the options. */
export interface SloContext {
  /** The registry whose counters and histograms the SLIs read. */
  registry: Registry;
  /** Service of SLOs given as an array (a file's own `service` wins). */
  service: string;
  /** Alert transitions and store warnings are logged here. */
  logger?: Logger;
  /** Clock (tests). */
  now?: () => number;
  /** Where field names of errors start (default `slo`). */
  field?: string;
  /** Where the one-time warnings go (default: `logger.warn`, else process.emitWarning). */
  warn?: (message: string) => void;
}

/** The SLO pillar at run time: `obs.slo`. */
export interface Slo {
  /** The validated definitions. */
  readonly definitions: readonly ResolvedSlo[];
  /** One status object per SLO (as `GET /slo` serves them). */
  status(): Promise<SloStatus[]>;
  /** Starts reading the registry every interval (idempotent). */
  start(): void;
  /** Resolves once the store is open and the first tick is done. */
  ready(): Promise<void>;
  /** One tick now (tests, or before reading status in a script). */
  tick(): Promise<void>;
  /** Last tick, state saved, store closed. Idempotent. */
  stop(): Promise<void>;
  /** The `GET /slo` handler: `{ "slos": [...] }`. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const DEFAULT_INTERVAL_MS = 10_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Loads and resolves `objectives` (a path, the file shape, or an array). */
function definitionsOf(objectives: unknown, service: string, field: string): ResolvedSlo[] {
  if (typeof objectives === 'string') {
    if (objectives === '') throw InvalidSloOption(`${field}.objectives`, 'objectives must be a file path, { service, slos } or an array of SLOs');
    return resolveSlos(loadSloFile(objectives), { service });
  }
  if (Array.isArray(objectives) || isObject(objectives)) return resolveSlos(objectives as SloFile | SloDefinition[], { service, field: `${field}.objectives` });
  throw InvalidSloOption(`${field}.objectives`, 'objectives must be a file path, { service, slos } or an array of SLOs');
}

/**
 * Validates everything and builds the engine (not started).
 * @example
 * import { createSlo } from 'sightline/slo';
 * const slo = createSlo({ objectives: './slo.yaml', store: 'memory' }, { registry, service: 'checkout' });
 * slo.start();
 * console.log(await slo.status());
 */
export function createSlo(options: SloOptions, context: SloContext): Slo {
  const field = context.field ?? 'slo';
  if (!isObject(options)) throw InvalidSloOption(field, 'slo must be { objectives, store?, interval? }');
  checkOptionKeys(options, SLO_OPTION_KEYS, UnknownSloOption, field, field);
  if (options.objectives === undefined) throw InvalidSloOption(`${field}.objectives`, 'objectives is required: a file path, { service, slos } or an array of SLOs');
  const definitions = definitionsOf(options.objectives, context.service, field);
  checkSlosAgainstRegistry(definitions, context.registry);
  const intervalMs = options.interval === undefined ? DEFAULT_INTERVAL_MS : parseSloDuration(options.interval, `${field}.interval`);
  if (intervalMs < 1000 || intervalMs > 60_000) throw InvalidSloOption(`${field}.interval`, 'interval must be from 1s to 1m (minute buckets need at least one read a minute)');
  const explicit = options.store !== undefined;
  const spec = parseStoreSpec(options.store ?? DEFAULT_STORE_SPEC, `${field}.store`);
  const logger = context.logger;
  const warn = context.warn ?? ((message: string) => {
    if (logger !== undefined) logger.warn(message);
    else process.emitWarning(message, { type: 'SightlineWarning', code: 'SL_SLO_STORE_FALLBACK' });
  });
  const store = openStoreSpec(spec, { explicit, warn, logger, field: `${field}.store` });
  const engine = new SloEngine({ registry: context.registry, slos: definitions, store, intervalMs, logger, now: context.now });
  let started = false;
  return {
    definitions,
    status: () => engine.status(),
    start: () => {
      if (started) return;
      started = true;
      engine.start();
    },
    ready: () => engine.ready(),
    tick: () => engine.tick(),
    stop: () => engine.stop(),
    handler: async (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-length': '0' }).end();
        return;
      }
      const body = JSON.stringify({ slos: await engine.status() }) + '\n';
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
