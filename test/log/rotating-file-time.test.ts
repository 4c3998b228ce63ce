// Local midnight must differ from UTC midnight for these tests: run in India time (UTC+05:30, no
// DST). Set before any destination starts the writer thread, which inherits the environment.
process.env.TZ = 'Asia/Kolkata';

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createLogger, rotatingFile } from 'sightline/log';
import type { RotatingFileOptions } from 'sightline/log';
import { readLogFiles, seqs, tmpDir } from './rotating-file.support.js';

const MIN = 60_000;

/**
 * Logs lines `i` at the given clock times (the logger's clock is mocked; the destination rotates
 * by each line's own time), closes, and returns which `i` each file holds.
 */
async function logAt(options: Omit<RotatingFileOptions, 'path'>, times: number[], pad = 0): Promise<Record<string, number[]>> {
  const dir = tmpDir('rf-time');
  mock.timers.enable({ apis: ['Date'], now: times[0]! });
  try {
    const log = createLogger({ destination: rotatingFile({ ...options, path: path.join(dir, 'app.log') }) });
    let now = times[0]!;
    times.forEach((t, i) => {
      mock.timers.tick(t - now);
      now = t;
      log.info('tick', { i, pad: 'p'.repeat(pad) });
    });
    await log.close();
  } finally {
    mock.timers.reset();
  }
  const out: Record<string, number[]> = {};
  for (const [name, lines] of readLogFiles(dir)) out[name] = seqs(new Map([[name, lines]]));
  return out;
}

test('daily at local midnight: lines before 00:00 local go to the dated file, after it to the live file', async () => {
  const t0 = Date.parse('2030-03-10T18:28:00Z'); // 23:58 in Kolkata
  const files = await logAt({ interval: 'daily' }, [t0, t0 + 1.5 * MIN, t0 + 2 * MIN, t0 + 2.5 * MIN, t0 + 3 * MIN]);
  assert.deepEqual(files, { 'app.2030-03-10.1.log': [0, 1], 'app.log': [2, 3, 4] });
});

test('daily at UTC midnight: local midnight does not rotate, UTC midnight does', async () => {
  const t0 = Date.parse('2030-03-10T18:29:00Z');
  const times = [t0, t0 + 2 * MIN, Date.parse('2030-03-10T23:59:59.999Z'), Date.parse('2030-03-11T00:00:00.000Z'), Date.parse('2030-03-11T05:00:00Z')];
  const files = await logAt({ interval: 'daily', utc: true }, times);
  assert.deepEqual(files, { 'app.2030-03-10.1.log': [0, 1, 2], 'app.log': [3, 4] });
});

test('hourly, and a gap of several periods gives one file per period that had lines', async () => {
  const h = (s: string) => Date.parse(`2030-03-10T${s}Z`);
  const times = [h('10:59:00'), h('10:59:59.999'), h('11:00:00'), h('11:30:00'), h('14:15:00'), h('14:16:00')];
  const files = await logAt({ interval: 'hourly', utc: true }, times);
  assert.deepEqual(files, { 'app.2030-03-10T10.1.log': [0, 1], 'app.2030-03-10T11.1.log': [2, 3], 'app.log': [4, 5] });
});

test('size and time together: sequence numbers count up within a day and restart on the next', async () => {
  const t0 = Date.parse('2030-03-10T23:50:00Z');
  const times = Array.from({ length: 20 }, (_, i) => t0 + i * MIN); // 23:50 … 00:09
  // Each line is about 120 bytes: a 300-byte limit holds two.
  const files = await logAt({ interval: 'daily', utc: true, size: 300 }, times, 40);
  const day1 = Object.keys(files).filter((f) => f.startsWith('app.2030-03-10.'));
  const day2 = Object.keys(files).filter((f) => f.startsWith('app.2030-03-11.'));
  assert.deepEqual(day1.map((f) => Number(f.split('.')[2])).sort((a, b) => a - b), [1, 2, 3, 4, 5]);
  assert.ok(day2.length >= 1);
  assert.ok(day2.every((f) => Number(f.split('.')[2]) <= day2.length));
  const all = [...day1.sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2])), ...day2.sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2])), 'app.log']
    .flatMap((f) => files[f] ?? []);
  assert.deepEqual(all, times.map((_, i) => i));
  for (const f of day1) assert.ok(files[f]!.every((i) => times[i]! < Date.parse('2030-03-11T00:00:00Z')), `${f} holds only lines of its day`);
});

test('an existing live file from an earlier day is rotated under its own date by the first new line', async () => {
  const dir = tmpDir('rf-old');
  const p = path.join(dir, 'app.log');
  fs.writeFileSync(p, '{"time":"2030-03-08T10:00:00.000Z","level":"info","msg":"old","i":-1}\n');
  const old = new Date('2030-03-08T10:00:00Z');
  fs.utimesSync(p, old, old);
  mock.timers.enable({ apis: ['Date'], now: Date.parse('2030-03-10T12:00:00Z') });
  try {
    const log = createLogger({ destination: rotatingFile({ path: p, interval: 'daily', utc: true }) });
    log.info('new', { i: 0 });
    await log.close();
  } finally {
    mock.timers.reset();
  }
  const files = readLogFiles(dir);
  assert.deepEqual([...files.keys()], ['app.2030-03-08.1.log', 'app.log']);
  assert.deepEqual(seqs(new Map([['x', files.get('app.2030-03-08.1.log')!]])), [-1]);
  assert.deepEqual(seqs(new Map([['x', files.get('app.log')!]])), [0]);
});
