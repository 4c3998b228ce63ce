// The token bucket behind the logger's `rateLimit`, on its injected clock: refill, summaries and
// the key cap are checked at exact instants, with no sleeping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/log/rate-limit.js';

function limiter(o: ConstructorParameters<typeof RateLimiter>[0]) {
  let now = 5_000;
  const emitted: [number, string, number][] = [];
  const rl = new RateLimiter(o, (level, key, n) => emitted.push([level, key, n]), () => now);
  return { rl, emitted, advance: (ms: number) => (now += ms) };
}

test('a bucket holds max lines, then refills continuously at max per window', () => {
  const { rl, advance } = limiter({ max: 4, windowMs: 1000 });
  const allowed = (n: number): number => Array.from({ length: n }, () => rl.allow('k', 30)).filter(Boolean).length;
  assert.equal(allowed(10), 4);
  advance(249); // 0.996 tokens
  assert.equal(rl.allow('k', 30), false);
  advance(1); // 1 token
  assert.equal(rl.allow('k', 30), true);
  assert.equal(rl.allow('k', 30), false);
  advance(10_000); // refills to max, not beyond
  assert.equal(allowed(10), 4);
  assert.equal(rl.suppressedTotal, 6 + 1 + 1 + 6);
});

test('summaries: one per suppressed key with its count and the highest level seen; none for quiet keys', () => {
  const { rl, emitted } = limiter({ max: 1, windowMs: 1000 });
  rl.allow('a', 30);
  rl.allow('a', 30);
  rl.allow('a', 50);
  rl.allow('a', 40);
  rl.allow('b', 30);
  rl.flushSummaries();
  assert.deepEqual(emitted, [[50, 'a', 3]]);
  rl.flushSummaries();
  assert.equal(emitted.length, 1, 'a summary is written once');
});

test('idle full buckets are forgotten after a window; more than maxKeys keys share one bucket', () => {
  const { rl, emitted, advance } = limiter({ max: 1, windowMs: 100, maxKeys: 2 });
  assert.equal(rl.allow('a', 30), true);
  assert.equal(rl.allow('b', 30), true);
  // A third key shares the overflow bucket with every further one.
  assert.equal(rl.allow('c', 30), true);
  assert.equal(rl.allow('d', 30), false);
  rl.flushSummaries();
  assert.deepEqual(emitted, [[30, '…other keys', 1]]);
  advance(101);
  rl.flushSummaries(); // buckets full again and idle for over a window: dropped
  assert.equal(rl.allow('e', 30), true);
  assert.equal(rl.allow('f', 30), true, 'e and f have buckets of their own again');
});

test('bad options throw SL_ERR_LOG_INVALID_OPTION naming the field', () => {
  const code = (o: unknown): string | undefined => {
    try {
      new RateLimiter(o as never, () => undefined);
      return undefined;
    } catch (e) {
      return `${(e as { code?: string }).code} ${(e as { field?: string }).field}`;
    }
  };
  assert.equal(code(null), 'SL_ERR_LOG_INVALID_OPTION rateLimit');
  assert.equal(code({ max: 1.5 }), 'SL_ERR_LOG_INVALID_OPTION rateLimit.max');
  assert.equal(code({ max: 1, windowMs: 0 }), 'SL_ERR_LOG_INVALID_OPTION rateLimit.windowMs');
});

test('never-suppressed keys do not fill the map for good: idle ones are forgotten when a new key finds it full', () => {
  const { rl, advance } = limiter({ max: 1, windowMs: 100, maxKeys: 2 });
  // Two one-off messages, never suppressed: no summary timer ever runs to forget them.
  assert.equal(rl.allow('one-off 1', 30), true);
  assert.equal(rl.allow('one-off 2', 30), true);
  advance(101);
  assert.equal(rl.allow('new 1', 30), true);
  assert.equal(rl.allow('new 2', 30), true, 'each new key has its own bucket, not the shared overflow');
  assert.equal(rl.allow('new 1', 30), false, 'and its own budget');
});
