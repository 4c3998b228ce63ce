/**
 * The SQLite store: this process' per-minute counts in one file, kept across restarts.
 *
 * - WAL journal, `synchronous=NORMAL`: each `save` is one transaction; once it has committed (the
 *   promise resolved) the minutes survive a kill -9 of the process. What a kill can lose is the
 *   tick whose `save` had not committed yet (power loss may also lose the last few commits, which
 *   `synchronous=NORMAL` trades for not syncing on every tick).
 * - Rows hold absolute values, upserted (`ON CONFLICT DO UPDATE SET … = excluded…`): writing the
 *   same minute twice leaves one row with the last values.
 * - The file is locked to this process (`locking_mode=EXCLUSIVE`): two processes writing their own
 *   counts under the same (slo, minute) keys would overwrite each other, so the second one fails
 *   at `open` with SL_ERR_SLO_STORE_IN_USE.
 * - `better-sqlite3` is an optional peer dependency, loaded on first use with `createRequire` so
 *   that the rest of Sightline works without it.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { MinuteCounts, SloStore, StoreSlo } from '../types.js';
import { StoreInUse, StoreOpenFailed, StoreUnavailable } from '../store-errors.js';
import { OutageTracker } from './outage.js';
import type { StoreLogger } from './outage.js';

type DatabaseConstructor = typeof BetterSqlite3;
type Database = BetterSqlite3.Database;

/** The command that installs the driver (named in errors and in the fallback warning). */
export const SQLITE_INSTALL = 'npm install better-sqlite3@12';

/** The schema version this code writes (`PRAGMA user_version`). */
export const SQLITE_SCHEMA_VERSION = 1;

let driver: { ctor: DatabaseConstructor } | { error: string } | undefined;

/**
 * Loads `better-sqlite3` once, synchronously: its constructor, or why it could not be loaded
 * (not installed, or built for another Node.js).
 */
export function loadSqliteDriver(): { ctor: DatabaseConstructor } | { error: string } {
  if (driver !== undefined) return driver;
  try {
    const ctor = createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
    if (typeof ctor !== 'function') throw new Error('better-sqlite3 did not export a constructor');
    driver = { ctor };
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    driver = { error: code === 'MODULE_NOT_FOUND' ? 'better-sqlite3 is not installed' : `better-sqlite3 could not be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
  return driver;
}

/** True when `better-sqlite3` can be loaded in this process. */
export function sqliteAvailable(): boolean {
  return 'ctor' in loadSqliteDriver();
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS slo (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS minute (
  slo INTEGER NOT NULL REFERENCES slo(num),
  minute INTEGER NOT NULL,
  bad REAL NOT NULL,
  total REAL NOT NULL,
  hist TEXT,
  PRIMARY KEY (slo, minute)
) WITHOUT ROWID;
`;

interface Row {
  minute: number;
  bad: number;
  total: number;
  hist: string | null;
}

interface Statements {
  sloNum: BetterSqlite3.Statement<[string], { num: number }>;
  addSlo: BetterSqlite3.Statement<[string]>;
  upsert: BetterSqlite3.Statement<[number, number, number, number, string | null]>;
  prune: BetterSqlite3.Statement<[number, number]>;
  load: BetterSqlite3.Statement<[number, number], Row>;
}

export interface SqliteStoreOptions {
  /** Logs `info` when the file can be written again after failures. */
  logger?: StoreLogger;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * This process' SLO minutes in a SQLite file.
 * @example
 * const store = new SqliteStore('./.sightline/slo.sqlite');
 * const { own } = await store.open([{ id: 'checkout-availability', retentionMinutes: 44_640, histBuckets: 0 }], Date.now());
 * await store.save(new Map([['checkout-availability', [{ minute: 29_000_000, bad: 1, total: 120 }]]]), Date.now());
 */
export class SqliteStore implements SloStore {
  readonly kind = 'sqlite' as const;
  readonly description: string;
  /** The absolute path of the file. */
  readonly path: string;
  readonly #ctor: DatabaseConstructor;
  readonly #health: OutageTracker;
  #db: Database | undefined;
  #stmts: Statements | undefined;
  #saveTx: ((changes: ReadonlyMap<string, readonly MinuteCounts[]>) => void) | undefined;
  readonly #nums = new Map<string, number>();
  readonly #retention = new Map<string, number>();
  #prunedHour = -1;

  /**
   * Checks that `better-sqlite3` loads (throws SL_ERR_SLO_STORE_UNAVAILABLE otherwise); the file
   * is opened by `open`.
   */
  constructor(path: string, options: SqliteStoreOptions = {}, field = 'slo.store') {
    if (typeof path !== 'string' || path === '') throw StoreOpenFailed(field, 'the SQLite store needs a file path (sqlite:<path>)');
    const d = loadSqliteDriver();
    if ('error' in d) throw StoreUnavailable(field, `the SQLite SLO store needs better-sqlite3 (${d.error})`, SQLITE_INSTALL);
    this.#ctor = d.ctor;
    this.description = `sqlite:${path}`;
    this.path = resolve(path);
    this.#health = new OutageTracker(this.description, options.logger);
  }

  /**
   * Creates the directory and the file (or opens it), checks the schema version, deletes minutes
   * older than each SLO's retention and returns the rest as `own`, oldest first.
   */
  open(slos: readonly StoreSlo[], nowMs: number): Promise<{ own: Map<string, MinuteCounts[]>; others: Map<string, MinuteCounts[]> }> {
    try {
      if (this.#db === undefined) this.#openFile();
      const stmts = this.#stmts as Statements;
      const own = new Map<string, MinuteCounts[]>();
      const nowMinute = Math.floor(nowMs / MINUTE_MS);
      const db = this.#db as Database;
      db.transaction(() => {
        for (const slo of slos) {
          this.#retention.set(slo.id, slo.retentionMinutes);
          const num = this.#num(slo.id);
          const cutoff = nowMinute - slo.retentionMinutes;
          stmts.prune.run(num, cutoff);
          own.set(slo.id, stmts.load.all(num, cutoff).map((r) => toCounts(r, slo.histBuckets)));
        }
      })();
      this.#prunedHour = Math.floor(nowMs / HOUR_MS);
      return Promise.resolve({ own, others: new Map() });
    } catch (e) {
      this.#closeQuietly();
      if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('SL_ERR_')) return Promise.reject(e);
      return Promise.reject(StoreOpenFailed('slo.store', `the SQLite SLO store ${this.path} could not be opened (${message(e)})`));
    }
  }

  /** One transaction of upserts; resolves `false` (and reports once per outage) when it fails. */
  save(changes: ReadonlyMap<string, readonly MinuteCounts[]>, nowMs: number): Promise<boolean> {
    const db = this.#db;
    if (db === undefined || this.#saveTx === undefined) return Promise.resolve(false);
    try {
      this.#saveTx(changes);
      this.#health.succeeded(nowMs);
    } catch (e) {
      this.#health.failed('save', e, nowMs);
      return Promise.resolve(false);
    }
    // Once an hour, drop the minutes that fell out of retention (the file stays bounded while
    // the process runs for months). A failure here costs nothing but space.
    const hour = Math.floor(nowMs / HOUR_MS);
    if (hour !== this.#prunedHour) {
      this.#prunedHour = hour;
      try {
        const nowMinute = Math.floor(nowMs / MINUTE_MS);
        db.transaction(() => {
          for (const [id, retention] of this.#retention) (this.#stmts as Statements).prune.run(this.#num(id), nowMinute - retention);
        })();
      } catch {
        // retried next hour
      }
    }
    return Promise.resolve(true);
  }

  /** Closes the file (SQLite checkpoints the WAL into it). */
  close(): Promise<void> {
    this.#closeQuietly();
    return Promise.resolve();
  }

  #openFile(): void {
    let db: Database;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      db = new this.#ctor(this.path, { timeout: 0 });
    } catch (e) {
      throw StoreOpenFailed('slo.store', `the SQLite SLO store ${this.path} could not be opened (${message(e)})`);
    }
    try {
      // Exclusive before WAL: the lock is held from the first write to close, and the WAL index
      // lives in this process' memory (no -shm file).
      db.pragma('locking_mode = EXCLUSIVE');
      try {
        db.pragma('journal_mode = WAL');
        db.exec('BEGIN IMMEDIATE; COMMIT;');
      } catch (e) {
        if ((e as { code?: unknown }).code === 'SQLITE_BUSY' || (e as { code?: unknown }).code === 'SQLITE_LOCKED') throw StoreInUse('slo.store', this.path);
        throw e;
      }
      db.pragma('synchronous = NORMAL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SQLITE_SCHEMA_VERSION) {
        throw StoreOpenFailed('slo.store', `the SQLite SLO store ${this.path} has schema version ${version}, newer than this Sightline's ${SQLITE_SCHEMA_VERSION}: upgrade Sightline or use another file`);
      }
      if (version < SQLITE_SCHEMA_VERSION) {
        db.transaction(() => {
          db.exec(SCHEMA);
          db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
        })();
      }
      const stmts: Statements = {
        sloNum: db.prepare<[string], { num: number }>('SELECT num FROM slo WHERE id = ?'),
        addSlo: db.prepare<[string]>('INSERT OR IGNORE INTO slo (id) VALUES (?)'),
        upsert: db.prepare<[number, number, number, number, string | null]>(
          'INSERT INTO minute (slo, minute, bad, total, hist) VALUES (?, ?, ?, ?, ?) ' +
            'ON CONFLICT (slo, minute) DO UPDATE SET bad = excluded.bad, total = excluded.total, hist = excluded.hist',
        ),
        prune: db.prepare<[number, number]>('DELETE FROM minute WHERE slo = ? AND minute < ?'),
        load: db.prepare<[number, number], Row>('SELECT minute, bad, total, hist FROM minute WHERE slo = ? AND minute >= ? ORDER BY minute'),
      };
      this.#db = db;
      this.#stmts = stmts;
      this.#saveTx = db.transaction((changes: ReadonlyMap<string, readonly MinuteCounts[]>) => {
        for (const [id, minutes] of changes) {
          const num = this.#num(id);
          for (const m of minutes) stmts.upsert.run(num, m.minute, m.bad, m.total, m.hist === undefined ? null : JSON.stringify(m.hist));
        }
      });
    } catch (e) {
      try {
        db.close();
      } catch {
        // already failing
      }
      throw e;
    }
  }

  #num(id: string): number {
    const known = this.#nums.get(id);
    if (known !== undefined) return known;
    const stmts = this.#stmts as Statements;
    stmts.addSlo.run(id);
    const row = stmts.sloNum.get(id);
    if (row === undefined) throw new Error(`SLO ${id} could not be added`);
    this.#nums.set(id, row.num);
    return row.num;
  }

  #closeQuietly(): void {
    const db = this.#db;
    this.#db = undefined;
    this.#stmts = undefined;
    this.#saveTx = undefined;
    this.#nums.clear();
    try {
      db?.close();
    } catch {
      // closing a failed file
    }
  }
}

/** A row as counts; a stored histogram of another length (the buckets changed) is left out. */
function toCounts(r: Row, histBuckets: number): MinuteCounts {
  if (r.hist === null || histBuckets === 0) return { minute: r.minute, bad: r.bad, total: r.total };
  try {
    const hist = JSON.parse(r.hist) as unknown;
    if (Array.isArray(hist) && hist.length === histBuckets && hist.every((v) => typeof v === 'number')) {
      return { minute: r.minute, bad: r.bad, total: r.total, hist };
    }
  } catch {
    // a damaged histogram: the minute's counts still count
  }
  return { minute: r.minute, bad: r.bad, total: r.total };
}
