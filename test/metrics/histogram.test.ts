import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_BUCKETS, exponentialBuckets, linearBuckets, Registry } from 'sightline/metrics';
import { SightlineError } from 'sightline';

test('bucket helpers', () => {
  assert.deepEqual(linearBuckets(0.1, 0.1, 5), [0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual(linearBuckets(-1, 2, 3), [-1, 1, 3]);
  assert.deepEqual(exponentialBuckets(0.001, 2, 4), [0.001, 0.002, 0.004, 0.008]);
  assert.deepEqual(exponentialBuckets(1, 10, 3), [1, 10, 100]);
  for (const bad of [() => linearBuckets(0, 0, 3), () => linearBuckets(0, 1, 0), () => exponentialBuckets(0, 2, 3), () => exponentialBuckets(1, 1, 3), () => exponentialBuckets(1, 2, 1.5)]) {
    assert.throws(bad, (e: unknown) => (e as SightlineError).code === 'SL_ERR_METRICS_INVALID_BUCKETS');
  }
});

test('default buckets are seconds from 5 ms to 10 s', () => {
  assert.equal(DEFAULT_BUCKETS[0], 0.005);
  assert.equal(DEFAULT_BUCKETS.at(-1), 10);
  const h = new Registry().histogram({ name: 'd_seconds', help: 'd' });
  assert.deepEqual(h.buckets, DEFAULT_BUCKETS);
});

test('a trailing +Inf bound is accepted and not doubled', async () => {
  const r = new Registry();
  const h = r.histogram({ name: 'h', help: 'h', buckets: [1, Infinity] });
  assert.deepEqual(h.buckets, [1]);
  h.observe(3);
  const text = await r.render('text');
  assert.equal(text.match(/le="\+Inf"/g)?.length, 1);
});

test('observations land in the first bucket whose bound is >= the value (property, linear and binary search)', async () => {
  await fc.assert(fc.asyncProperty(
    fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }),
    fc.array(fc.double({ min: -2000, max: 2000, noNaN: true }), { maxLength: 100 }),
    async (rawBounds, xs) => {
      const bounds = [...rawBounds].sort((a, b) => a - b);
      const r = new Registry();
      const h = r.histogram({ name: 'h', help: 'h', labelNames: ['k'], buckets: bounds });
      const child = h.labels({ k: 'v' });
      for (const x of xs) child.observe(x);
      const lines = (await r.render('text')).split('\n').filter((l) => l.startsWith('h_bucket'));
      bounds.forEach((b, i) => assert.equal(Number(lines[i]!.split(' ')[1]), xs.filter((x) => x <= b).length));
    },
  ));
});

test('NaN observations are dropped and counted; startTimer observes seconds', async () => {
  const r = new Registry();
  const h = r.histogram({ name: 'h_seconds', help: 'h' });
  h.observe(NaN);
  const end = h.startTimer();
  const s = end();
  assert.ok(s >= 0);
  const text = await r.render('text');
  assert.match(text, /^h_seconds_count 1$/m);
  assert.match(text, /^sightline_metrics_invalid_values_total\{metric="h_seconds"\} 1$/m);
});
