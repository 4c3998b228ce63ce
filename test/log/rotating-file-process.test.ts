import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createLogger, rotatingFile } from 'sightline/log';
import { readLogFiles, runFixture, seqs, tmpDir } from './rotating-file.support.js';

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function bySeq(files: Map<string, string[]>): Map<string, string[]> {
  // Rotated files by sequence number, the live file (no stamp) last.
  const key = (f: string) => Number(/\.\d{4}-\d{2}-\d{2}(?:T\d\d)?\.(\d+)\.log/.exec(f)?.[1] ?? Infinity);
  return new Map([...files].sort(([a], [b]) => key(a) - key(b)));
}

test('crash (SIGKILL) during compression: nothing lost or corrupt; the next start finishes the job', async () => {
  const dir = tmpDir('rf-crash');
  // ~12.4 MB of lines: one rotation at 12 MB near the end, so the gzip of that file is still
  // running when the child sees its lines flushed.
  const n = 48_500;
  const r = await runFixture('rotating-file-child.ts', ['crash-compress', dir, String(n)]);
  assert.equal(r.signal, 'SIGKILL', `child: ${r.stdout} ${r.stderr}`);
  assert.match(r.stdout, /^KILL app\.\d{4}-\d{2}-\d{2}\.1\.log\.gz\.tmp/);
  const left = fs.readdirSync(dir);
  assert.ok(left.some((f) => f.endsWith('.gz.tmp')), 'a partial .gz.tmp was left behind');
  assert.ok(left.some((f) => /\.1\.log$/.test(f)), 'the rotated file is still there, uncompressed');
  // Every line is already there (the partial .tmp aside).
  assert.deepEqual(seqs(bySeq(readLogFiles(dir, (f) => !f.endsWith('.tmp')))), range(n));

  // Restart: the partial .tmp is deleted and the rotated file compressed again.
  const dest = rotatingFile({ path: path.join(dir, 'app.log'), size: '12MB', compress: true });
  await dest.close();
  const after = fs.readdirSync(dir).filter((f) => !f.startsWith('.'));
  assert.deepEqual(after.filter((f) => f.endsWith('.tmp')), []);
  assert.ok(after.some((f) => /\.1\.log\.gz$/.test(f)), after.join(','));
  assert.deepEqual(seqs(bySeq(readLogFiles(dir))), range(n));
  assert.equal(dest.stats().compressed, 1);
});

test('disk full (1 MiB tmpfs): lines fall back to stderr, counted, warned once, and writing recovers', async (t) => {
  const dir = tmpDir('rf-full');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  if (m.status !== 0) {
    t.skip(`cannot mount a tmpfs here (${m.stderr.toString().trim()}); the deleted-directory test covers run-time failures`);
    return;
  }
  try {
    const ballast = path.join(dir, 'ballast');
    fs.writeFileSync(ballast, Buffer.alloc(700 * 1024));
    const r = await runFixture('rotating-file-child.ts', ['disk-full', dir, ballast]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { n: number; full: number; stats: Record<string, number> };
    const inFile = seqs(readLogFiles(dir, (f) => f.startsWith('app')));
    const stderrLines = r.stderr.split('\n').filter((l) => l.startsWith('{'));
    const onStderr = stderrLines.map((l) => (JSON.parse(l) as { i: number }).i);
    // Every line exactly once: in the file or on stderr; nothing partial in the file.
    assert.deepEqual([...inFile, ...onStderr].sort((a, b) => a - b), range(res.n));
    assert.ok(onStderr.length > 0 && inFile.length > 0);
    assert.equal(res.stats.fallback, onStderr.length);
    assert.ok(res.stats.errors! >= 1);
    assert.equal(r.stderr.match(/failed \(ENOSPC/g)?.length, 1, 'warned once');
    assert.match(r.stderr, /recovered/);
    // After recovery, the last lines are in the file.
    assert.deepEqual(inFile.slice(-200), range(res.n).slice(-200));
  } finally {
    spawnSync('umount', [dir]);
  }
});

test('node:cluster, one file per worker (perProcess): 2 workers, each line once in its own files', async () => {
  const dir = tmpDir('rf-cluster');
  const r = await runFixture('rotating-file-child.ts', ['cluster', dir, 'per-process']);
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(r.stdout) as { pid: number; done?: boolean }[];
  assert.equal(results.filter((x) => x.done).length, 2);
  for (const { pid } of results) {
    const files = readLogFiles(dir, (f) => f.startsWith(`app-${pid}.`));
    assert.ok(files.has(`app-${pid}.log`));
    assert.ok(files.size > 3, 'rotated several times');
    const lines = [...files.values()].flat().map((l) => JSON.parse(l) as { pid: number; i: number });
    assert.ok(lines.every((l) => l.pid === pid), 'no line of the other worker');
    assert.deepEqual(seqs(bySeq(files)), range(3000));
  }
  assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith('app-')), [], 'no shared file, no lock left');
});

test('node:cluster, both workers on one path: the second is refused with SL_ERR_LOG_FILE_IN_USE, the first loses nothing', async () => {
  const dir = tmpDir('rf-cluster-shared');
  const r = await runFixture('rotating-file-child.ts', ['cluster', dir, 'shared']);
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(r.stdout) as { pid: number; done?: boolean; refused?: string }[];
  assert.deepEqual(results.map((x) => x.refused ?? 'done').sort(), ['SL_ERR_LOG_FILE_IN_USE', 'done']);
  const writer = results.find((x) => x.done)!.pid;
  const files = readLogFiles(dir);
  const lines = [...files.values()].flat().map((l) => JSON.parse(l) as { pid: number });
  assert.ok(lines.every((l) => l.pid === writer));
  assert.deepEqual(seqs(bySeq(files)), range(3000));
});

test('logging goes on while a rotated file is compressed', async () => {
  const dir = tmpDir('rf-during');
  const dest = rotatingFile({ path: path.join(dir, 'app.log'), size: '4MB', compress: true });
  const log = createLogger({ destination: dest });
  let i = 0;
  const pad = 'q'.repeat(200);
  while (dest.stats().rotations === undefined) {
    for (let k = 0; k < 1000; k++) log.info('m', { i: i++, pad });
    await log.flush();
  }
  // Right after the rotation the gzip is running; these lines are written meanwhile.
  const during = i;
  for (let k = 0; k < 2000; k++) log.info('m', { i: i++, pad });
  await log.flush();
  await log.close();
  assert.ok(i > during);
  assert.deepEqual(seqs(bySeq(readLogFiles(dir))), range(i));
  assert.equal(dest.stats().compressed, 1);
});
