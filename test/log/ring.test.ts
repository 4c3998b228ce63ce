// The thread destination's shared byte ring: lines are UTF-8 encoded into it and written from
// it by the writer thread. These tests drive it through small rings so it wraps constantly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, file } from 'sightline/log';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'sl-ring-'));
}

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// One-, two-, three- and four-byte UTF-8 characters (é, €, 日, 😀) and a lone surrogate, which
// UTF-8 cannot hold: JSON.stringify writes it as a \ud800 escape, so the line stays ASCII there.
const ALPHABET = ['a', 'Z', '0', ' ', 'é', '€', '日', '😀', '\ud800', '"', '\\', '\n'];

for (const seed of [1, 2, 3]) {
  test(`lines of every size and UTF-8 width come out whole and in order through a wrapping ring (seed ${seed})`, async () => {
    const dir = tmp();
    try {
      const path = join(dir, 'ring.log');
      const next = rng(seed);
      // A 4 KiB ring with 1 KiB batches: a line of up to ~1.2 KiB wraps it every few lines.
      const log = createLogger({ level: 'info', destination: file(path, { maxBuffer: 4096, batchSize: 1024, onFull: 'block' }) });
      const sent: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const len = Math.floor(next() ** 3 * 300);
        let s = '';
        for (let k = 0; k < len; k++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
        sent.push(s);
        log.info('m', { i, s });
        // Let the writer run now and then, so batches are acknowledged at varied points.
        if (next() < 0.01) await new Promise((r) => setImmediate(r));
      }
      await log.flush();
      const st = log.stats();
      assert.equal(st.dropped, 0);
      assert.equal(st.written, 3000);
      const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 3000);
      lines.forEach((l, i) => {
        const o = JSON.parse(l) as { i: number; s: string };
        assert.equal(o.i, i);
        assert.equal(o.s, sent[i]);
      });
      await log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a line larger than the whole ring is dropped and counted; the lines around it are kept', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'big.log');
    const log = createLogger({ level: 'info', destination: file(path, { maxBuffer: 2048 }) });
    log.info('before');
    // 700 three-byte characters: 700 UTF-16 units but 2100 bytes, more than the 2048-byte ring.
    log.info('huge', { s: '日'.repeat(700) });
    // 600 three-byte characters: 1800 bytes, which fits.
    log.info('large', { s: '日'.repeat(600) });
    log.info('after');
    await log.flush();
    const msgs = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.deepEqual(msgs, ['before', 'large', 'after']);
    assert.equal(log.stats().dropped, 1);
    assert.equal(log.stats().written, 3);
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad maxBuffer throws SL_ERR_LOG_INVALID_OPTION naming the field, and leaks no descriptor', () => {
  const open = readdirSync('/proc/self/fd').length;
  assert.throws(() => file('/dev/null', { maxBuffer: 0 }), (e: Error & { code?: string; field?: string }) => e.code === 'SL_ERR_LOG_INVALID_OPTION' && e.field === 'destination.maxBuffer');
  assert.throws(() => file('/dev/null', { maxBuffer: 2 ** 31 }), (e: Error & { code?: string; field?: string }) => e.code === 'SL_ERR_LOG_INVALID_OPTION' && e.field === 'destination.maxBuffer' && /2 GiB/.test(e.message));
  assert.equal(readdirSync('/proc/self/fd').length, open);
});
