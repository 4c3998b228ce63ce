import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Registry } from 'sightline/metrics';
import { Summary } from '#internal/metrics';

/** Smallest and largest 1-based rank of `v` in sorted data. */
function rankRange(sorted: number[], v: number): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[m]! < v) lo = m + 1;
    else hi = m;
  }
  let end = lo;
  while (end < sorted.length && sorted[end] === v) end++;
  return [lo + 1, end];
}

/** Deterministic data sets of known content. */
function datasets(): Record<string, number[]> {
  const n = 20_000;
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return {
    ascending: Array.from({ length: n }, (_, i) => i + 1),
    descending: Array.from({ length: n }, (_, i) => n - i),
    uniform: Array.from({ length: n }, () => rand()),
    exponential: Array.from({ length: n }, () => -Math.log(1 - rand())),
    duplicates: Array.from({ length: n }, () => Math.floor(rand() * 10)),
    zigzag: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : n * 2 - i)),
  };
}

const PERCENTILES = [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999];
// The documented default error: ε(φ) = min(0.01, φ/10, (1−φ)/10) of the count, in rank.
const eps = (q: number): number => Math.min(0.01, q / 10, (1 - q) / 10);

test('CKMS quantiles are within the stated rank error of the exact quantiles on known data', () => {
  for (const [name, data] of Object.entries(datasets())) {
    const r = new Registry();
    const s = r.summary({ name: 's', help: 's', percentiles: PERCENTILES });
    for (const x of data) s.observe(x);
    const got = s.labels({}).quantiles();
    const sorted = [...data].sort((a, b) => a - b);
    const n = data.length;
    PERCENTILES.forEach((q, i) => {
      const v = got[i]!;
      const [lo, hi] = rankRange(sorted, v);
      assert.ok(lo <= hi, `${name} p${q}: ${v} was never observed`);
      const target = q * n;
      const err = Math.max(0, lo - target, target - hi);
      assert.ok(err <= eps(q) * n + 1, `${name} p${q}: value ${v} has ranks ${lo}..${hi}, target ${target}, allowed ±${eps(q) * n}`);
    });
  }
});

test('CKMS rank error bound holds for arbitrary data and custom errors (property)', () => {
  fc.assert(fc.property(
    fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 3000 }),
    fc.constantFrom(0.05, 0.01),
    (data, e) => {
      const s = new Registry().summary({ name: 's', help: 's', percentiles: [0.1, 0.5, 0.9], percentileErrors: [e, e, e] });
      for (const x of data) s.observe(x);
      const got = s.labels({}).quantiles();
      const sorted = [...data].sort((a, b) => a - b);
      [0.1, 0.5, 0.9].forEach((q, i) => {
        const [lo, hi] = rankRange(sorted, got[i]!);
        const target = q * data.length;
        assert.ok(Math.max(0, lo - target, target - hi) <= e * data.length + 1);
      });
    },
  ), { numRuns: 60 });
});

test('each series has its own digest (no shared state between label sets)', () => {
  const s = new Registry().summary({ name: 's', help: 's', labelNames: ['k'], percentiles: [0.5] });
  for (let i = 0; i < 1000; i++) {
    s.observe({ k: 'small' }, i % 10);
    s.observe({ k: 'large' }, 1000 + (i % 10));
  }
  assert.ok(s.labels({ k: 'small' }).quantiles()[0]! < 10);
  assert.ok(s.labels({ k: 'large' }).quantiles()[0]! >= 1000);
});

test('sliding window: observations count for maxAgeSeconds exactly, then age out; sum and count stay cumulative', () => {
  // The summary's own clock, injected: the window moves only when the test says so.
  let now = 1_000_000;
  const s = new Summary({ name: 'w', help: 'w', percentiles: [0.5], maxAgeSeconds: 0.3, ageBuckets: 3 }, new Registry().host, () => now);
  for (let i = 0; i < 100; i++) s.observe(1000);
  assert.equal(s.labels({}).quantiles()[0], 1000);
  now += 300;
  assert.equal(s.labels({}).quantiles()[0], 1000, 'still inside the window at maxAge');
  now += 1;
  assert.ok(Number.isNaN(s.labels({}).quantiles()[0]), 'window empty after maxAge');
  s.observe(1);
  assert.equal(s.labels({}).quantiles()[0], 1);
  now += 200;
  s.observe(3);
  // 1 (200 ms old) and 3 are both in the window: the median of two is one of them.
  assert.ok([1, 3].includes(s.labels({}).quantiles()[0]!));
  assert.equal(s.labels({}).count, 102);
  assert.equal(s.labels({}).sum, 100_004);
});

test('registry.summary exposes the all-time sum and count', async () => {
  const r = new Registry();
  const s = r.summary({ name: 'w', help: 'w', percentiles: [0.5], maxAgeSeconds: 0.3, ageBuckets: 3 });
  for (let i = 0; i < 100; i++) s.observe(1000);
  s.observe(1);
  const text = await r.render('text');
  assert.match(text, /^w_count 101$/m);
  assert.match(text, /^w_sum 100001$/m);
});

test('batched merges keep the rank error bound over many batches, with scrapes between partial batches (property)', () => {
  // Runs long enough for dozens of buffer merges (1,024 values each), interleaved with quantile
  // queries that merge a partial buffer, on shapes that stress the run folding: long sorted runs,
  // heavy duplicates, a few huge outliers.
  const shape = fc.constantFrom('ascending', 'descending', 'duplicates', 'outliers', 'random');
  fc.assert(fc.property(shape, fc.integer({ min: 5_000, max: 40_000 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 100, max: 5_000 }),
    (kind, n, seed0, queryEvery) => {
      let seed = seed0;
      const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const data = Array.from({ length: n }, (_, i) => {
        switch (kind) {
          case 'ascending': return i;
          case 'descending': return n - i;
          case 'duplicates': return Math.floor(rand() * 7);
          case 'outliers': return rand() < 0.001 ? 1e12 * rand() : rand();
          default: return rand() * 1000 - 500;
        }
      });
      const s = new Registry().summary({ name: 's', help: 's', percentiles: PERCENTILES });
      const child = s.labels({});
      data.forEach((x, i) => {
        child.observe(x);
        if (i % queryEvery === 0) child.quantiles();
      });
      const got = child.quantiles();
      const sorted = [...data].sort((a, b) => a - b);
      PERCENTILES.forEach((q, i) => {
        const [lo, hi] = rankRange(sorted, got[i]!);
        assert.ok(lo <= hi, `${kind} p${q}: ${got[i]} was never observed`);
        const target = q * n;
        assert.ok(Math.max(0, lo - target, target - hi) <= eps(q) * n + 1, `${kind} n=${n} p${q}: ranks ${lo}..${hi}, target ${target}`);
      });
    },
  ), { numRuns: 25 });
});
