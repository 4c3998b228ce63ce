import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { createLogger, rotatingFile } from 'sightline/log';
import { readLogFiles, seqs, tmpDir } from './rotating-file.support.js';

const ROTATED = /^app\.\d{4}-\d{2}-\d{2}\.(\d+)\.log(\.gz)?$/;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

test('size rotation: every line exactly once across live and gzipped files, none over the limit', async () => {
  const dir = tmpDir('rf-size');
  const dest = rotatingFile({ path: path.join(dir, 'app.log'), size: '16KB', compress: true });
  const log = createLogger({ service: 'svc', destination: dest });
  const n = 3000;
  for (let i = 0; i < n; i++) log.info('line "quoted" ✓ ünïcödé', { i, pad: 'x'.repeat(i % 97) });
  await log.close();
  const files = readLogFiles(dir);
  assert.ok(files.has('app.log'), 'the live file keeps its name');
  const rotated = [...files.keys()].filter((f) => f !== 'app.log');
  assert.ok(rotated.length >= 10, `expected many rotations, got ${rotated.length}`);
  for (const f of rotated) assert.match(f, ROTATED);
  assert.ok(rotated.every((f) => f.endsWith('.gz')), 'all rotated files compressed after close');
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  // Order: rotated by sequence number, then the live file.
  const ordered = [...rotated.sort((a, b) => Number(ROTATED.exec(a)![1]) - Number(ROTATED.exec(b)![1])), 'app.log'];
  const all: number[] = [];
  for (const f of ordered) {
    const lines = files.get(f)!;
    const bytes = Buffer.byteLength(lines.map((l) => `${l}\n`).join(''));
    assert.ok(bytes <= 16 * 1024, `${f} has ${bytes} bytes`);
    for (const l of lines) all.push((JSON.parse(l) as { i: number }).i);
  }
  assert.deepEqual(all, range(n));
  const st = dest.stats();
  assert.equal(st.written, n);
  assert.equal(st.rotations, rotated.length);
  assert.equal(st.compressed, rotated.length);
  assert.equal(st.fallback, 0);
});

test('property: any line sizes and limit, each line once, files within the limit unless one line is larger', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 300 }),
      fc.integer({ min: 50, max: 4000 }),
      fc.integer({ min: 1, max: 5000 }),
      async (sizes, limit, batchSize) => {
        const dir = tmpDir('rf-prop');
        const dest = rotatingFile({ path: path.join(dir, 'app.log'), size: limit, batchSize });
        const log = createLogger({ destination: dest });
        sizes.forEach((s, i) => log.info('m', { i, s: 'é'.repeat(s) }));
        await log.close();
        const files = readLogFiles(dir);
        const all: number[] = [];
        const order = [...files.keys()].filter((f) => f !== 'app.log')
          .sort((a, b) => Number(ROTATED.exec(a)![1]) - Number(ROTATED.exec(b)![1]));
        for (const f of [...order, 'app.log']) {
          const lines = files.get(f) ?? [];
          const bytes = Buffer.byteLength(lines.map((l) => `${l}\n`).join(''));
          assert.ok(bytes <= limit || lines.length === 1, `${f}: ${bytes} bytes in ${lines.length} lines, limit ${limit}`);
          if (f !== 'app.log') assert.ok(lines.length > 0, `${f} is empty`);
          for (const l of lines) all.push((JSON.parse(l) as { i: number }).i);
        }
        assert.deepEqual(all, range(sizes.length));
        fs.rmSync(dir, { recursive: true });
      },
    ),
    { numRuns: 25 },
  );
});

test('retention by count keeps the newest rotated files', async () => {
  const dir = tmpDir('rf-keep');
  const dest = rotatingFile({ path: path.join(dir, 'app.log'), size: 2000, keep: 3, compress: true });
  const log = createLogger({ destination: dest });
  for (let i = 0; i < 500; i++) log.info('m', { i, pad: 'y'.repeat(50) });
  await log.close();
  const files = readLogFiles(dir);
  const rotated = [...files.keys()].filter((f) => f !== 'app.log');
  assert.equal(rotated.length, 3);
  const total = dest.stats().rotations!;
  assert.ok(total > 3);
  // The kept ones are the last three sequence numbers, and hold the last lines before the live file.
  assert.deepEqual(rotated.map((f) => Number(ROTATED.exec(f)![1])).sort((a, b) => a - b), [total - 2, total - 1, total]);
  const kept = seqs(new Map([...files].filter(([f]) => f !== 'app.log').sort(([a], [b]) => Number(ROTATED.exec(a)![1]) - Number(ROTATED.exec(b)![1]))));
  const live = seqs(new Map([['app.log', files.get('app.log')!]]));
  assert.deepEqual([...kept, ...live], range(500).slice(500 - kept.length - live.length));
  assert.equal(dest.stats().removed, total - 3);
});

test('retention by age deletes rotated files older than maxAge, keeps younger ones', async () => {
  const dir = tmpDir('rf-age');
  const old = path.join(dir, 'app.2020-01-01.1.log.gz');
  const young = path.join(dir, 'app.2020-01-02.1.log');
  const other = path.join(dir, 'other.2020-01-01.1.log');
  for (const f of [old, young, other]) fs.writeFileSync(f, 'x\n');
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
  fs.utimesSync(old, tenDaysAgo, tenDaysAgo);
  fs.utimesSync(other, tenDaysAgo, tenDaysAgo);
  const dest = rotatingFile({ path: path.join(dir, 'app.log'), size: 1000, maxAge: '7d' });
  const log = createLogger({ destination: dest });
  for (let i = 0; i < 30; i++) log.info('m', { i, pad: 'z'.repeat(60) });
  await log.close();
  assert.equal(fs.existsSync(old), false, 'older than 7 days: deleted');
  assert.equal(fs.existsSync(young), true, 'younger: kept');
  assert.equal(fs.existsSync(other), true, "another log's files are never touched");
  // Sequence numbers continue after existing files of the same stamp.
  const today = fs.readdirSync(dir).filter((f) => ROTATED.test(f) && !f.startsWith('app.2020'));
  assert.ok(today.length > 0);
});

test('bad configuration fails at creation with a coded error naming the field', () => {
  const dir = tmpDir('rf-bad');
  const p = path.join(dir, 'app.log');
  const cases: [Record<string, unknown>, string, string][] = [
    [{ path: p, size: 0 }, 'SL_ERR_LOG_INVALID_SIZE', 'destination.size'],
    [{ path: p, size: '0MB' }, 'SL_ERR_LOG_INVALID_SIZE', 'destination.size'],
    [{ path: p, size: '10XB' }, 'SL_ERR_LOG_INVALID_SIZE', 'destination.size'],
    [{ path: p, size: -5 }, 'SL_ERR_LOG_INVALID_SIZE', 'destination.size'],
    [{ path: p, interval: 'weekly' }, 'SL_ERR_LOG_INVALID_INTERVAL', 'destination.interval'],
    [{ path: p, size: '1MB', maxAge: 'soon' }, 'SL_ERR_LOG_INVALID_DURATION', 'destination.maxAge'],
    [{ path: p, size: '1MB', maxAge: '3 fortnights' }, 'SL_ERR_LOG_INVALID_DURATION', 'destination.maxAge'],
    [{ path: p, size: '1MB', keep: -1 }, 'SL_ERR_LOG_INVALID_OPTION', 'destination.keep'],
    [{ path: p }, 'SL_ERR_LOG_INVALID_OPTION', 'destination.size'],
    [{ path: '' , size: '1MB' }, 'SL_ERR_LOG_FILE_NOT_WRITABLE', 'destination.path'],
    [{ path: path.join(dir, 'missing', 'app.log'), size: '1MB' }, 'SL_ERR_LOG_FILE_NOT_WRITABLE', 'destination.path'],
    [{ path: p, size: '1MB', level: 'loud' }, 'SL_ERR_LOG_INVALID_LEVEL', 'destination.level'],
  ];
  // A directory that is a regular file cannot hold the log.
  fs.writeFileSync(path.join(dir, 'plain'), '');
  cases.push([{ path: path.join(dir, 'plain', 'app.log'), size: '1MB' }, 'SL_ERR_LOG_FILE_NOT_WRITABLE', 'destination.path']);
  for (const [o, code, field] of cases) {
    assert.throws(() => rotatingFile(o as never), (e: any) => e.code === code && e.field === field, `${JSON.stringify(o)} → ${code}`);
  }
  // Nothing was left locked by the failures: a valid one opens.
  const ok = rotatingFile({ path: p, size: '1KB' });
  return ok.close();
});

test('unwritable directory (read-only mount) fails at creation', async (t) => {
  const dir = tmpDir('rf-ro');
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir]);
  if (r.status !== 0) {
    t.skip(`cannot mount a read-only tmpfs here (${r.stderr.toString().trim()}); the ENOTDIR case above covers creation errors`);
    return;
  }
  try {
    assert.throws(() => rotatingFile({ path: path.join(dir, 'app.log'), size: '1MB' }),
      (e: any) => e.code === 'SL_ERR_LOG_FILE_NOT_WRITABLE' && e.field === 'destination.path' && /EROFS/.test(e.message));
  } finally {
    spawnSync('umount', [dir]);
  }
});

test('a second writer of the same file is refused (SL_ERR_LOG_FILE_IN_USE); closing releases it', async () => {
  const dir = tmpDir('rf-lock');
  const p = path.join(dir, 'app.log');
  const a = rotatingFile({ path: p, size: '1MB' });
  assert.throws(() => rotatingFile({ path: p, size: '1MB' }), (e: any) => e.code === 'SL_ERR_LOG_FILE_IN_USE' && e.field === 'destination.path');
  await a.close();
  const b = rotatingFile({ path: p, size: '1MB' });
  await b.close();
  // A stale lock left by a dead process is taken over.
  fs.writeFileSync(path.join(dir, '.app.log.lock'), '2147483646 1\n');
  const c = rotatingFile({ path: p, size: '1MB' });
  await c.close();
  assert.equal(fs.existsSync(path.join(dir, '.app.log.lock')), false);
});

test('a deleted directory is re-created and writing goes on', async () => {
  const dir = tmpDir('rf-del');
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(logDir);
  const dest = rotatingFile({ path: path.join(logDir, 'app.log'), size: '1MB' });
  const log = createLogger({ destination: dest });
  for (let i = 0; i < 10; i++) log.info('before', { i });
  await log.flush();
  fs.rmSync(logDir, { recursive: true });
  for (let i = 10; i < 20; i++) log.info('after', { i });
  await log.close();
  assert.deepEqual(seqs(readLogFiles(logDir)), range(20).slice(10));
  assert.equal(dest.stats().fallback, 0);
});

test('SIGHUP re-opens the live file when reopenOnSighup (external logrotate), and the process lives on', async () => {
  const dir = tmpDir('rf-hup');
  const p = path.join(dir, 'app.log');
  const dest = rotatingFile({ path: p, size: '1MB', reopenOnSighup: true });
  const log = createLogger({ destination: dest });
  for (let i = 0; i < 5; i++) log.info('m', { i });
  await log.flush();
  fs.renameSync(p, `${p}.1`);
  // Signal listeners do not keep the event loop alive: a timer does, until the signal arrives.
  const keepAlive = setInterval(() => undefined, 1000);
  const hup = new Promise<void>((resolve) => process.once('SIGHUP', () => resolve()));
  process.kill(process.pid, 'SIGHUP');
  await hup;
  clearInterval(keepAlive);
  for (let i = 5; i < 10; i++) log.info('m', { i });
  await log.close();
  assert.deepEqual(seqs(new Map([['a', fs.readFileSync(`${p}.1`, 'utf8').trim().split('\n')]])), range(5));
  assert.deepEqual(seqs(new Map([['b', fs.readFileSync(p, 'utf8').trim().split('\n')]])), range(10).slice(5));
});
