// The log writer thread dying must not lose accepted lines: the destinations write from the main
// thread from then on, including the batches the thread had not acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, file } from 'sightline/log';
import { writerThread } from '../../src/log/destinations/writer.js';

test('when the writer thread dies, every accepted line still reaches the file, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-death-'));
  try {
    const path = join(dir, 'd.log');
    // A small ring, so that lines written after the death need room that only the main thread's
    // own writing of the unacknowledged batches can free.
    const log = createLogger({ level: 'info', destination: file(path, { maxBuffer: 8192, batchSize: 2048 }) });
    for (let i = 0; i < 200; i++) log.info('before', { i });
    await writerThread().kill();
    assert.equal(writerThread().dead, true);
    for (let i = 200; i < 1000; i++) log.info('after', { i, pad: 'p'.repeat(i % 50) });
    await log.flush();
    const st = log.stats();
    assert.equal(st.written, 1000);
    assert.equal(st.dropped, 0);
    const seen = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { i: number }).i);
    // A batch the thread wrote but had not acknowledged when it died may appear twice; none is
    // missing, and the first appearances are in order.
    const first: number[] = [];
    const got = new Set<number>();
    for (const i of seen) if (!got.has(i)) { got.add(i); first.push(i); }
    assert.deepEqual(first, Array.from({ length: 1000 }, (_, i) => i));
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
