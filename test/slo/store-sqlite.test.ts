// The SQLite store against real SQLite files (better-sqlite3@12) in a temp dir: restart keeps
// state, absolute values (re-saving is harmless), retention pruning, the versioned schema, the
// exclusive lock, failures reported once per outage, and a kill -9 that loses at most one tick.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteStore } from 'sightline/slo';
import type { MinuteCounts, StoreSlo } from 'sightline/slo';
import { INTERNAL_ERROR_CHANNEL } from 'sightline';
import { sqliteAvailable } from '../../src/slo/store/sqlite.js';

const FIXTURE = new URL('./fixtures/sqlite-saver.ts', import.meta.url).pathname;
const MIN = 60_000;
const NOW = 28_000_000 * MIN;
const AV: StoreSlo = { id: 'checkout-availability', retentionMinutes: 43_200 + 1_440, histBuckets: 0 };
const LAT: StoreSlo = { id: 'checkout-latency', retentionMinutes: 10_080, histBuckets: 4 };

/** better-sqlite3 must load: under CI=true its absence fails the test, else the test is skipped. */
function requireSqlite(t: TestContext): boolean {
  if (sqliteAvailable()) return true;
  const reason = 'better-sqlite3 is not installed (npm install better-sqlite3@12)';
  if (process.env.CI === 'true') throw new Error(reason);
  t.skip(reason);
  return false;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'sl-slo-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The file read with better-sqlite3 directly (after the store closed it). */
function raw(path: string): BetterSqlite3.Database {
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return new Database(path);
}

function changes(entries: [string, MinuteCounts[]][]): Map<string, MinuteCounts[]> {
  return new Map(entries);
}

test('SQLite store: a restart keeps every saved minute (counts and histograms), per SLO, oldest first', async (t) => {
  if (!requireSqlite(t)) return;
  const path = join(tempDir(t), 'nested', 'dir', 'slo.sqlite');
  const a = new SqliteStore(path);
  assert.equal(a.kind, 'sqlite');
  assert.equal(a.description, `sqlite:${path}`);
  const first = await a.open([AV, LAT], NOW);
  assert.deepEqual(first.own, new Map([[AV.id, []], [LAT.id, []]]));
  assert.deepEqual(first.others, new Map());
  const m = NOW / MIN;
  assert.equal(
    await a.save(
      changes([
        [AV.id, [{ minute: m - 1, bad: 2, total: 100 }, { minute: m - 3, bad: 0, total: 7.5 }]],
        [LAT.id, [{ minute: m - 1, bad: 1, total: 10, hist: [5, 3, 1, 1] }]],
      ]),
      NOW,
    ),
    true,
  );
  assert.equal(await a.save(changes([[AV.id, [{ minute: m, bad: 1, total: 50 }]]]), NOW), true);
  await a.close();

  const b = new SqliteStore(path);
  const { own, others } = await b.open([AV, LAT], NOW + MIN);
  assert.deepEqual(own.get(AV.id), [
    { minute: m - 3, bad: 0, total: 7.5 },
    { minute: m - 1, bad: 2, total: 100 },
    { minute: m, bad: 1, total: 50 },
  ]);
  assert.deepEqual(own.get(LAT.id), [{ minute: m - 1, bad: 1, total: 10, hist: [5, 3, 1, 1] }]);
  assert.equal(others.size, 0);
  await b.close();

  // A histogram whose bucket count changed (the metric's buckets were redefined) is left out; the counts stay.
  const c = new SqliteStore(path);
  const changed = await c.open([{ ...LAT, histBuckets: 6 }], NOW + MIN);
  assert.deepEqual(changed.own.get(LAT.id), [{ minute: m - 1, bad: 1, total: 10 }]);
  await c.close();
});

test('SQLite store: values are absolute — re-saving a minute replaces it (one row), never adds to it', async (t) => {
  if (!requireSqlite(t)) return;
  const path = join(tempDir(t), 'slo.sqlite');
  const s = new SqliteStore(path);
  await s.open([AV], NOW);
  const m = NOW / MIN;
  const tick = changes([[AV.id, [{ minute: m, bad: 1, total: 10 }]]]);
  assert.equal(await s.save(tick, NOW), true);
  assert.equal(await s.save(tick, NOW), true); // a retry of the same tick
  assert.equal(await s.save(changes([[AV.id, [{ minute: m, bad: 3, total: 40 }]]]), NOW), true); // the minute grew
  await s.close();
  const db = raw(path);
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT minute, bad, total, hist FROM minute').all(), [{ minute: m, bad: 3, total: 40, hist: null }]);
});

test('SQLite store: open deletes minutes older than each SLO’s retention; a long-running process prunes once an hour', async (t) => {
  if (!requireSqlite(t)) return;
  const path = join(tempDir(t), 'slo.sqlite');
  const m = NOW / MIN;
  const short: StoreSlo = { id: 'api-short', retentionMinutes: 60, histBuckets: 0 };
  const s = new SqliteStore(path);
  await s.open([short, AV], NOW);
  const minutes = Array.from({ length: 120 }, (_, i) => ({ minute: m - 119 + i, bad: 0, total: i + 1 }));
  assert.equal(await s.save(changes([[short.id, minutes], [AV.id, minutes]]), NOW), true);
  await s.close();

  // 30 minutes later: api-short keeps the minutes from m + 30 - 60 on (31 of them, up to m); checkout-availability (31 days) keeps all 120.
  const r = new SqliteStore(path);
  const { own } = await r.open([short, AV], NOW + 30 * MIN);
  assert.equal(own.get(short.id)?.length, 31);
  assert.equal(own.get(short.id)?.[0]?.minute, m + 30 - 60);
  assert.equal(own.get(AV.id)?.length, 120);
  // The first save of a later hour prunes again, in the running process.
  assert.equal(await r.save(changes([[short.id, [{ minute: m + 130, bad: 0, total: 1 }]]]), NOW + 130 * MIN), true);
  await r.close();
  const db = raw(path);
  t.after(() => db.close());
  const rows = db.prepare("SELECT count(*) AS n, min(minute) AS first FROM minute JOIN slo ON slo.num = minute.slo WHERE slo.id = 'api-short'").get() as { n: number; first: number };
  assert.deepEqual(rows, { n: 1, first: m + 130 });
});

test('SQLite store: WAL journal, schema version 1; a newer schema or a file that is not a database is a coded error', async (t) => {
  if (!requireSqlite(t)) return;
  const dir = tempDir(t);
  const path = join(dir, 'slo.sqlite');
  const s = new SqliteStore(path);
  await s.open([AV], NOW);
  await s.close();
  const db = raw(path);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), 1);
  db.pragma('user_version = 7');
  db.close();
  await assert.rejects(new SqliteStore(path).open([AV], NOW), { code: 'SL_ERR_SLO_STORE_OPEN_FAILED', message: /schema version 7, newer than this Sightline's 1/ });

  const junk = join(dir, 'junk.sqlite');
  writeFileSync(junk, 'this is not a database, just text that is long enough to have a header'.repeat(20));
  await assert.rejects(new SqliteStore(junk).open([AV], NOW), { code: 'SL_ERR_SLO_STORE_OPEN_FAILED', field: 'slo.store' });

  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, '');
  await assert.rejects(new SqliteStore(join(aFile, 'slo.sqlite')).open([AV], NOW), { code: 'SL_ERR_SLO_STORE_OPEN_FAILED', message: /could not be opened/ });
  assert.throws(() => new SqliteStore(''), { code: 'SL_ERR_SLO_STORE_OPEN_FAILED' });
});

test('SQLite store: the file is locked to one store while open (SL_ERR_SLO_STORE_IN_USE), free again after close', async (t) => {
  if (!requireSqlite(t)) return;
  const path = join(tempDir(t), 'slo.sqlite');
  const a = new SqliteStore(path);
  await a.open([AV], NOW);
  await assert.rejects(new SqliteStore(path).open([AV], NOW), { code: 'SL_ERR_SLO_STORE_IN_USE', field: 'slo.store', message: /another process/ });
  await a.close();
  const b = new SqliteStore(path);
  await b.open([AV], NOW);
  await b.close();
  assert.equal(existsSync(`${path}-shm`), false, 'exclusive locking keeps the WAL index in memory');
});

test('SQLite store: a failing save resolves false, is reported once per outage, and the recovery is logged', async (t) => {
  if (!requireSqlite(t)) return;
  const path = join(tempDir(t), 'slo.sqlite');
  const infos: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const s = new SqliteStore(path, { logger: { info: (message, fields) => infos.push({ message, fields }) } });
  assert.equal(await s.save(changes([[AV.id, [{ minute: 1, bad: 0, total: 1 }]]]), NOW), false, 'not open yet');
  await s.open([AV], NOW);
  const reports: { pillar: string; reason: string; message: string }[] = [];
  const onReport = (m: unknown): void => {
    reports.push(m as { pillar: string; reason: string; message: string });
  };
  subscribe(INTERNAL_ERROR_CHANNEL, onReport);
  t.after(() => unsubscribe(INTERNAL_ERROR_CHANNEL, onReport));
  const m = NOW / MIN;
  // A NaN count is stored as NULL, which the NOT NULL column rejects: the transaction fails as a whole.
  const bad = changes([[AV.id, [{ minute: m - 1, bad: 0, total: 5 }, { minute: m, bad: Number.NaN, total: 1 }]]]);
  assert.equal(await s.save(bad, NOW), false);
  assert.equal(await s.save(bad, NOW + 1000), false);
  assert.deepEqual(reports.map((r) => `${r.pillar}:${r.reason}`), ['slo:store_failed', 'slo:store_failed']);
  assert.match(reports[0]?.message ?? '', /the SLO store sqlite:.* failed \(save: .*NOT NULL/);
  assert.equal(infos.length, 0);
  assert.equal(await s.save(changes([[AV.id, [{ minute: m, bad: 0, total: 1 }]]]), NOW + 5000), true);
  assert.equal(infos.length, 1);
  assert.match(infos[0]?.message ?? '', /is back/);
  assert.deepEqual(infos[0]?.fields, { store: `sqlite:${path}`, outageMs: 5000, failures: 2 });
  await s.close();
  const again = new SqliteStore(path);
  const { own } = await again.open([AV], NOW);
  assert.deepEqual(own.get(AV.id), [{ minute: m, bad: 0, total: 1 }], 'nothing of the failed transaction was written');
  await again.close();
  assert.equal(await again.save(changes([]), NOW), false, 'closed');
});

test('SQLite store: kill -9 of a process saving every few ms loses no resolved save (at most the tick in flight)', async (t) => {
  if (!requireSqlite(t)) return;
  const path = join(tempDir(t), 'slo.sqlite');
  const id = 'svc-kill';
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', FIXTURE, path, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      // Kill while it is saving, once a few hundred ticks have been acknowledged.
      if (/\n300\n/.test(out)) resolve();
    });
    child.once('exit', () => reject(new Error(`the saver exited early: ${err}`)));
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  // Everything the child printed before it died: each number is a save that had resolved.
  const acked = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  const last = acked.at(-1) ?? 0;
  assert.ok(last >= 300);
  assert.deepEqual(acked, Array.from({ length: last }, (_, i) => i + 1));

  const store = new SqliteStore(path);
  const { own } = await store.open([{ id, retentionMinutes: 1_000_000, histBuckets: 3 }], 28_000_000 * MIN);
  await store.close();
  const rows = own.get(id) ?? [];
  const BASE = 28_000_000;
  const byMinute = new Map(rows.map((r) => [r.minute, r]));
  for (let i = 1; i <= last; i++) assert.deepEqual(byMinute.get(BASE + i), { minute: BASE + i, bad: i % 7, total: i, hist: [i, 1, 0] }, `tick ${i}`);
  // Beyond the last acknowledged tick, at most the one in flight made it.
  assert.ok(rows.length === last + 1 || rows.length === last + 2, `${rows.length} rows for ${last} acknowledged ticks`);
  const current = byMinute.get(BASE)?.total ?? 0;
  assert.ok(current === last || current === last + 1, `the rewritten minute holds tick ${current}, last acknowledged ${last}`);
  const db = raw(path);
  t.after(() => db.close());
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});
