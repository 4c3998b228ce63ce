/**
 * The Redis store: a fleet's per-minute counts, each process (instance) writing its own minutes
 * and reading the sums of the others.
 *
 * Keys, per SLO (`{<id>}` is a hash tag, so every key of one SLO sits in one cluster slot):
 * - `sightline:slo:{<id>}:h:<hour>` — a hash per hour (`hour = floor(minute / 60)`), fields
 *   `<minute>:<instance>` = `"<bad> <total>[ <hist…>]"`, the instance's absolute counts of that
 *   minute. HSET of absolute values is idempotent: a save retried after a lost reply cannot
 *   count twice. Expires after the SLO's retention (refreshed on each write).
 * - `sightline:slo:{<id>}:seq` — a counter bumped by every write.
 * - `sightline:slo:{<id>}:changes` — a sorted set, member `<hour>`, score = the `seq` of the
 *   hour's last write. A Lua script writes the hash, bumps `seq` and updates `changes` at once, so
 *   a reader that has seen sequence number `n` finds every later write above `n`.
 *
 * `pull` reads the hours changed since the last pull (`ZRANGEBYSCORE changes (<last> +inf`), reads
 * those hashes, and returns, for each of their minutes, the sum over the other instances. After a
 * lost connection or a failure the next pull re-reads every hour within the retention; a `seq`
 * lower than the one last seen (Redis lost its data) also forces a full re-read and is reported.
 *
 * Commands fail fast while Redis is away (no offline queue, no retry of a command, 1 s connect,
 * command and socket timeouts): `save` resolves `false`, `pull` `undefined`, and the engine keeps
 * its minutes and passes them again. ioredis reconnects by itself.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { report } from '../../diagnostics/index.js';
import type { MinuteCounts, SloStore, StoreSlo } from '../types.js';
import { InvalidStore, StoreUnavailable } from '../store-errors.js';
import { OutageTracker } from './outage.js';
import type { StoreLogger } from './outage.js';

/** The command that installs the driver. */
export const REDIS_INSTALL = 'npm install ioredis@6';

/** Where a `redis://` / `rediss://` URL points, parsed. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** `redis://host:port/db` without credentials. */
  readonly description: string;
}

/** Replaces the user-info part (`user:password@`) of URLs in `text` with `***@`. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/?#\s]*@/gi, '$1***@');
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). Throws
 * SL_ERR_SLO_INVALID_STORE naming `field`; the message never contains the password.
 */
export function parseRedisUrl(url: string, field = 'slo.store'): RedisTarget {
  const shown = JSON.stringify(redactUrl(url));
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw InvalidStore(field, `${shown} is not a valid Redis URL`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw InvalidStore(field, `${shown} is not a redis:// or rediss:// URL`);
  if (u.hostname === '') throw InvalidStore(field, `${shown} has no host`);
  if (u.search !== '' || u.hash !== '') throw InvalidStore(field, `${shown} has a query or fragment (not supported)`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname === '/' ? '' : u.pathname;
  let db = 0;
  if (path !== '') {
    const m = /^\/(\d{1,5})$/.exec(path);
    if (m === null) throw InvalidStore(field, `${shown}: the path must be a database number (/0, /1, …)`);
    db = Number(m[1]);
  }
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = u.username === '' ? undefined : decodeURIComponent(u.username);
    password = u.password === '' ? undefined : decodeURIComponent(u.password);
  } catch {
    throw InvalidStore(field, `${shown} has badly escaped credentials`);
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return {
    host,
    port,
    db,
    tls: u.protocol === 'rediss:',
    username,
    password,
    description: `${u.protocol}//${u.hostname}:${port}/${db}`,
  };
}

type RedisConstructor = new (options: RedisOptions) => RedisClient;
let driver: { ctor: RedisConstructor } | { error: string } | undefined;

/** Loads `ioredis` once, synchronously: its client class, or why it could not be loaded. */
export function loadRedisDriver(): { ctor: RedisConstructor } | { error: string } {
  if (driver !== undefined) return driver;
  try {
    const mod = createRequire(import.meta.url)('ioredis') as { Redis?: unknown; default?: unknown };
    const ctor = mod.Redis ?? mod.default ?? mod;
    if (typeof ctor !== 'function') throw new Error('ioredis did not export a client class');
    driver = { ctor: ctor as RedisConstructor };
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    driver = { error: code === 'MODULE_NOT_FOUND' ? 'ioredis is not installed' : `ioredis could not be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
  return driver;
}

/** This process' instance id: `<hostname>-<pid>-<random>`, limited to `[A-Za-z0-9._-]`. */
export function defaultInstanceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'host';
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export interface RedisStoreOptions {
  /** Logs `info` when Redis is reachable again after failures. */
  logger?: StoreLogger;
  /** This process' id in field names (default `<hostname>-<pid>-<random>`); unique per process. */
  instanceId?: string;
  /** Connect, command and socket timeout in ms (default 1000). */
  timeoutMs?: number;
}

/** The write script: HSET the instance's minutes of one hour, then bump seq and record the hour. */
const SAVE_LUA = `
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[2])
local seq = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], seq, ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return seq
`;

/** Drops hours older than ARGV[1] from the changes set (their hashes have expired or will). */
const PRUNE_LUA = `
local old = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if tonumber(m) < tonumber(ARGV[1]) then old[#old + 1] = m end
end
for i = 1, #old, 500 do
  redis.call('ZREM', KEYS[1], unpack(old, i, math.min(i + 499, #old)))
end
return #old
`;

interface MinuteSum {
  bad: number;
  total: number;
  hist: number[] | undefined;
}

type Reply = [error: Error | null, result: unknown];

/** The part of an ioredis pipeline this store uses (the two scripts are defined commands). */
interface Pipe {
  get(key: string): Pipe;
  zrangebyscore(key: string, min: string, max: string, withScores: 'WITHSCORES'): Pipe;
  hgetall(key: string): Pipe;
  slSave(hourKey: string, seqKey: string, changesKey: string, hour: number, ttl: number, ...fields: string[]): Pipe;
  slPrune(changesKey: string, minHour: number): Pipe;
  exec(): Promise<Reply[] | null>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Fallback retention for a minute of an SLO `open` was not told about: 31 days. */
const DEFAULT_RETENTION_MINUTES = 31 * 1440;

interface Keys {
  readonly seq: string;
  readonly changes: string;
  hour(hour: number): string;
}

function keysOf(id: string): Keys {
  const base = `sightline:slo:{${id}}:`;
  return { seq: `${base}seq`, changes: `${base}changes`, hour: (h) => `${base}h:${h}` };
}

function encode(m: MinuteCounts): string {
  return m.hist === undefined || m.hist.length === 0 ? `${m.bad} ${m.total}` : `${m.bad} ${m.total} ${m.hist.join(' ')}`;
}

function replies(result: Reply[] | null): unknown[] {
  if (result === null) throw new Error('the pipeline was aborted');
  return result.map(([err, value]) => {
    if (err !== null) throw err;
    return value;
  });
}

/**
 * A fleet's SLO minutes in Redis.
 * @example
 * const store = new RedisStore('redis://127.0.0.1:6379/0');
 * const { others } = await store.open(slos, Date.now());
 * await store.save(changes, Date.now());   // this process' absolute minute counts
 * const fresh = await store.pull(Date.now()); // the other instances' sums of changed minutes
 */
export class RedisStore implements SloStore {
  readonly kind = 'redis' as const;
  readonly description: string;
  /** This process' id in the field names. */
  readonly instanceId: string;
  readonly #client: RedisClient;
  readonly #health: OutageTracker;
  readonly #password: string | undefined;
  readonly #slos = new Map<string, StoreSlo>();
  readonly #lastSeq = new Map<string, number>();
  /** The next pull re-reads every hour within retention. */
  #full = true;
  #closed = false;
  #prunedHour = -1;
  #resetReported = false;

  /**
   * Parses the URL (SL_ERR_SLO_INVALID_STORE) and checks that `ioredis` loads
   * (SL_ERR_SLO_STORE_UNAVAILABLE); connects in `open`.
   */
  constructor(url: string, options: RedisStoreOptions = {}, field = 'slo.store') {
    if (typeof url !== 'string') throw InvalidStore(field, 'the Redis store needs a URL');
    const target = parseRedisUrl(url, field);
    const d = loadRedisDriver();
    if ('error' in d) throw StoreUnavailable(field, `the Redis SLO store needs ioredis (${d.error})`, REDIS_INSTALL);
    const timeout = options.timeoutMs ?? 1000;
    this.description = target.description;
    this.instanceId = (options.instanceId ?? defaultInstanceId()).replace(/[^A-Za-z0-9._-]/g, '_');
    this.#password = target.password;
    this.#health = new OutageTracker(this.description, options.logger, (t) => this.#redact(t));
    const client = new d.ctor({
      host: target.host,
      port: target.port,
      db: target.db,
      username: target.username,
      password: target.password,
      tls: target.tls ? { servername: target.host } : undefined,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeout,
      commandTimeout: timeout,
      socketTimeout: timeout,
      retryStrategy: (times: number) => Math.min(times * 100, 2000),
      connectionName: `sightline-slo-${this.instanceId}`.slice(0, 120),
    });
    // Connection errors surface through the commands that fail; the event must have a listener.
    client.on('error', () => undefined);
    client.on('close', () => {
      this.#full = true;
    });
    client.defineCommand('slSave', { numberOfKeys: 3, lua: SAVE_LUA });
    client.defineCommand('slPrune', { numberOfKeys: 1, lua: PRUNE_LUA });
    this.#client = client;
  }

  /**
   * Connects and reads the other instances' minutes within each SLO's retention. Resolves even
   * when Redis is unreachable (with no others; the first successful `pull` catches up).
   */
  async open(slos: readonly StoreSlo[], nowMs: number): Promise<{ own: Map<string, MinuteCounts[]>; others: Map<string, MinuteCounts[]> }> {
    for (const s of slos) this.#slos.set(s.id, s);
    const own = new Map<string, MinuteCounts[]>(slos.map((s) => [s.id, []]));
    if (this.#client.status === 'wait') {
      try {
        await this.#client.connect();
      } catch (e) {
        this.#full = true;
        this.#health.failed('open', e, nowMs);
        return { own, others: new Map() };
      }
    }
    const others = (await this.pull(nowMs)) ?? new Map<string, MinuteCounts[]>();
    return { own, others };
  }

  /**
   * Writes this process' absolute counts, one script per (SLO, hour), in one round trip.
   * Resolves `false` at once when Redis is not connected, or when any write failed.
   */
  async save(changes: ReadonlyMap<string, readonly MinuteCounts[]>, nowMs: number): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#client.status !== 'ready') {
      this.#full = true;
      this.#health.failed('save', new Error(`not connected (${this.#client.status})`), nowMs);
      return false;
    }
    const p = this.#client.pipeline() as unknown as Pipe;
    let commands = 0;
    for (const [id, minutes] of changes) {
      const keys = keysOf(id);
      const ttl = (this.#slos.get(id)?.retentionMinutes ?? DEFAULT_RETENTION_MINUTES) * 60 + 2 * 3600;
      const byHour = new Map<number, string[]>();
      for (const m of minutes) {
        const hour = Math.floor(m.minute / 60);
        let fields = byHour.get(hour);
        if (fields === undefined) byHour.set(hour, (fields = []));
        fields.push(`${m.minute}:${this.instanceId}`, encode(m));
      }
      for (const [hour, fields] of byHour) {
        p.slSave(keys.hour(hour), keys.seq, keys.changes, hour, ttl, ...fields);
        commands++;
      }
    }
    const hourNow = Math.floor(nowMs / HOUR_MS);
    const prune = hourNow !== this.#prunedHour;
    if (prune) {
      const nowMinute = Math.floor(nowMs / MINUTE_MS);
      for (const s of this.#slos.values()) {
        p.slPrune(keysOf(s.id).changes, Math.floor((nowMinute - s.retentionMinutes) / 60));
        commands++;
      }
    }
    if (commands === 0) {
      this.#health.succeeded(nowMs);
      return true;
    }
    try {
      replies(await p.exec());
    } catch (e) {
      this.#full = true;
      this.#health.failed('save', e, nowMs);
      return false;
    }
    if (prune) this.#prunedHour = hourNow;
    this.#health.succeeded(nowMs);
    return true;
  }

  /**
   * The other instances' absolute sums of every minute (within retention) of the hours changed
   * since the last pull; after a failure or a lost connection, of every hour within retention.
   * `undefined` when Redis is unreachable.
   */
  async pull(nowMs: number): Promise<Map<string, MinuteCounts[]> | undefined> {
    if (this.#closed) return undefined;
    if (this.#client.status !== 'ready') {
      this.#full = true;
      this.#health.failed('pull', new Error(`not connected (${this.#client.status})`), nowMs);
      return undefined;
    }
    const nowMinute = Math.floor(nowMs / MINUTE_MS);
    const slos = [...this.#slos.values()];
    const full = this.#full;
    try {
      const first = this.#client.pipeline() as unknown as Pipe;
      for (const s of slos) {
        const keys = keysOf(s.id);
        first.get(keys.seq);
        first.zrangebyscore(keys.changes, full ? '-inf' : `(${this.#lastSeq.get(s.id) ?? 0}`, '+inf', 'WITHSCORES');
      }
      const r1 = replies(await first.exec());
      const changed: { slo: StoreSlo; hours: Map<number, number> }[] = [];
      const reset: StoreSlo[] = [];
      let lost = false;
      slos.forEach((s, i) => {
        const seq = Number(r1[2 * i] ?? 0);
        const last = this.#lastSeq.get(s.id) ?? 0;
        if (seq < last) lost = true;
        if (!full && seq < last) reset.push(s);
        else changed.push({ slo: s, hours: hoursOf(r1[2 * i + 1]) });
      });
      if (lost && !this.#resetReported) {
        this.#resetReported = true;
        report('slo', 'store_reset', `the SLO store ${this.description} lost data (its change counter went back); the fleet's minutes before the loss are gone from it, each process writes its own from now on`, { print: true });
      }
      if (reset.length > 0) {
        const again = this.#client.pipeline() as unknown as Pipe;
        for (const s of reset) again.zrangebyscore(keysOf(s.id).changes, '-inf', '+inf', 'WITHSCORES');
        const r = replies(await again.exec());
        reset.forEach((s, i) => changed.push({ slo: s, hours: hoursOf(r[i]) }));
      }
      const reads: { slo: StoreSlo; hour: number }[] = [];
      const second = this.#client.pipeline() as unknown as Pipe;
      const nextSeq = new Map<string, number>();
      for (const { slo, hours } of changed) {
        const minHour = Math.floor((nowMinute - slo.retentionMinutes) / 60);
        let max = full || reset.includes(slo) ? 0 : (this.#lastSeq.get(slo.id) ?? 0);
        for (const [hour, seq] of hours) {
          if (seq > max) max = seq;
          if (hour < minHour) continue;
          reads.push({ slo, hour });
          second.hgetall(keysOf(slo.id).hour(hour));
        }
        nextSeq.set(slo.id, max);
      }
      const r2 = reads.length === 0 ? [] : replies(await second.exec());
      const sums = new Map<string, Map<number, MinuteSum>>();
      for (const { slo } of changed) if (full || reset.includes(slo)) sums.set(slo.id, new Map<number, MinuteSum>());
      reads.forEach(({ slo }, i) => {
        const hash = (r2[i] ?? {}) as Record<string, string>;
        let perMinute = sums.get(slo.id);
        if (perMinute === undefined) sums.set(slo.id, (perMinute = new Map<number, MinuteSum>()));
        const cutoff = nowMinute - slo.retentionMinutes;
        for (const [field, value] of Object.entries(hash)) {
          const colon = field.indexOf(':');
          if (colon < 0 || field.slice(colon + 1) === this.instanceId) continue;
          const minute = Number(field.slice(0, colon));
          if (!Number.isInteger(minute) || minute < cutoff) continue;
          const parts = value.split(' ').map(Number);
          const bad = parts[0] ?? NaN;
          const total = parts[1] ?? NaN;
          if (!Number.isFinite(bad) || !Number.isFinite(total)) continue;
          let sum = perMinute.get(minute);
          if (sum === undefined) {
            sum = { bad: 0, total: 0, hist: slo.histBuckets > 0 ? new Array<number>(slo.histBuckets).fill(0) : undefined };
            perMinute.set(minute, sum);
          }
          sum.bad += bad;
          sum.total += total;
          if (sum.hist !== undefined && parts.length === 2 + slo.histBuckets) {
            for (let b = 0; b < slo.histBuckets; b++) sum.hist[b] = (sum.hist[b] ?? 0) + (parts[2 + b] ?? 0);
          }
        }
      });
      for (const [id, seq] of nextSeq) this.#lastSeq.set(id, seq);
      if (full) this.#full = false;
      this.#health.succeeded(nowMs);
      const out = new Map<string, MinuteCounts[]>();
      for (const [id, perMinute] of sums) {
        out.set(
          id,
          [...perMinute.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([minute, s]) => (s.hist === undefined ? { minute, bad: s.bad, total: s.total } : { minute, bad: s.bad, total: s.total, hist: s.hist })),
        );
      }
      return out;
    } catch (e) {
      this.#full = true;
      this.#health.failed('pull', e, nowMs);
      return undefined;
    }
  }

  /** Closes the connection (pending commands fail; nothing is buffered here). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.status === 'ready') {
      try {
        await this.#client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.#client.disconnect();
  }

  #redact(text: string): string {
    let t = redactUrl(text);
    const pw = this.#password;
    if (pw !== undefined && pw !== '') {
      t = t.split(pw).join('***');
      const enc = encodeURIComponent(pw);
      if (enc !== pw) t = t.split(enc).join('***');
    }
    return t;
  }
}

/** `ZRANGEBYSCORE … WITHSCORES` reply (member, score, member, score…) as hour → seq. */
function hoursOf(reply: unknown): Map<number, number> {
  const out = new Map<number, number>();
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const hour = Number(reply[i]);
    const seq = Number(reply[i + 1]);
    if (Number.isInteger(hour) && Number.isFinite(seq)) out.set(hour, seq);
  }
  return out;
}
