import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Registry, TEXT_CONTENT_TYPE } from 'sightline/metrics';
import { promtoolCheckMetrics, requireBinary } from '../support/prometheus.js';
import { SightlineError } from 'sightline';
import { errorCode, quiet, samples } from '../support/metrics.js';

test('re-defining a metric with the same definition returns the same object', () => {
  const r = quiet();
  const a = r.counter({ name: 'a_total', help: 'A', labelNames: ['x'] });
  assert.equal(r.counter({ name: 'a_total', help: 'A', labelNames: ['x'] }), a);
  const h = r.histogram({ name: 'h', help: 'H', buckets: [1, 2] });
  assert.equal(r.histogram({ name: 'h', help: 'H', buckets: [1, 2] }), h);
  const s = r.summary({ name: 's', help: 'S', percentiles: [0.5] });
  assert.equal(r.summary({ name: 's', help: 'S', percentiles: [0.5] }), s);
});

test('conflicting definitions throw SL_ERR_METRICS_CONFLICT', () => {
  const r = quiet();
  r.counter({ name: 'a_total', help: 'A', labelNames: ['x'] });
  r.histogram({ name: 'h', help: 'H', buckets: [1, 2] });
  r.summary({ name: 's', help: 'S', percentiles: [0.5] });
  assert.equal(errorCode(() => r.counter({ name: 'a_total', help: 'B', labelNames: ['x'] })), 'SL_ERR_METRICS_CONFLICT');
  assert.equal(errorCode(() => r.counter({ name: 'a_total', help: 'A', labelNames: ['y'] })), 'SL_ERR_METRICS_CONFLICT');
  assert.equal(errorCode(() => r.gauge({ name: 'h', help: 'H' })), 'SL_ERR_METRICS_CONFLICT');
  assert.equal(errorCode(() => r.histogram({ name: 'h', help: 'H', buckets: [1, 3] })), 'SL_ERR_METRICS_CONFLICT');
  assert.equal(errorCode(() => r.summary({ name: 's', help: 'S', percentiles: [0.9] })), 'SL_ERR_METRICS_CONFLICT');
  // Sample-name clashes: histogram h claims h_bucket/h_count/h_sum; counter a_total claims a.
  assert.equal(errorCode(() => r.gauge({ name: 'h_count', help: 'x' })), 'SL_ERR_METRICS_CONFLICT');
  assert.equal(errorCode(() => r.gauge({ name: 'a', help: 'x' })), 'SL_ERR_METRICS_CONFLICT');
  assert.equal(errorCode(() => r.counter({ name: 'a', help: 'A', labelNames: ['x'] })), 'SL_ERR_METRICS_CONFLICT');
});

test('invalid definitions throw coded errors naming the field', () => {
  const r = quiet();
  const cases: Array<[() => unknown, string]> = [
    [() => r.counter({ name: '1abc', help: 'x' }), 'SL_ERR_METRICS_INVALID_NAME'],
    [() => r.counter({ name: 'a-b', help: 'x' }), 'SL_ERR_METRICS_INVALID_NAME'],
    [() => r.counter({ name: '', help: 'x' }), 'SL_ERR_METRICS_INVALID_NAME'],
    [() => r.counter({ name: '__x', help: 'x' }), 'SL_ERR_METRICS_INVALID_NAME'],
    [() => r.counter({ name: 'x_total', help: '' }), 'SL_ERR_METRICS_INVALID_HELP'],
    [() => r.counter({ name: 'x_total', help: 'x', labelNames: ['a b'] }), 'SL_ERR_METRICS_INVALID_LABEL_NAME'],
    [() => r.counter({ name: 'x_total', help: 'x', labelNames: ['__a'] }), 'SL_ERR_METRICS_INVALID_LABEL_NAME'],
    [() => r.counter({ name: 'x_total', help: 'x', labelNames: ['a', 'a'] }), 'SL_ERR_METRICS_DUPLICATE_LABEL'],
    [() => r.histogram({ name: 'x', help: 'x', labelNames: ['le'] }), 'SL_ERR_METRICS_RESERVED_LABEL'],
    [() => r.summary({ name: 'x', help: 'x', labelNames: ['quantile'] }), 'SL_ERR_METRICS_RESERVED_LABEL'],
    [() => r.gauge({ name: 'x', help: 'x', labelNames: ['le'] }), 'SL_ERR_METRICS_RESERVED_LABEL'],
    [() => r.gauge({ name: 'x_total', help: 'x' }), 'SL_ERR_METRICS_TOTAL_SUFFIX'],
    [() => r.histogram({ name: 'x_total', help: 'x' }), 'SL_ERR_METRICS_TOTAL_SUFFIX'],
    [() => r.summary({ name: 'x_total', help: 'x' }), 'SL_ERR_METRICS_TOTAL_SUFFIX'],
    [() => r.histogram({ name: 'x', help: 'x', buckets: [1, 1] }), 'SL_ERR_METRICS_INVALID_BUCKETS'],
    [() => r.histogram({ name: 'x', help: 'x', buckets: [2, 1] }), 'SL_ERR_METRICS_INVALID_BUCKETS'],
    [() => r.histogram({ name: 'x', help: 'x', buckets: [] }), 'SL_ERR_METRICS_INVALID_BUCKETS'],
    [() => r.histogram({ name: 'x', help: 'x', buckets: [1, NaN] }), 'SL_ERR_METRICS_INVALID_BUCKETS'],
    [() => r.summary({ name: 'x', help: 'x', percentiles: [1.5] }), 'SL_ERR_METRICS_INVALID_PERCENTILES'],
    [() => r.summary({ name: 'x', help: 'x', percentiles: [0.5, 0.5] }), 'SL_ERR_METRICS_INVALID_PERCENTILES'],
    [() => r.summary({ name: 'x', help: 'x', maxAgeSeconds: -1 }), 'SL_ERR_METRICS_INVALID_OPTION'],
    [() => r.counter({ name: 'x_total', help: 'x', maxSeries: 0 }), 'SL_ERR_METRICS_INVALID_OPTION'],
    [() => new Registry({ maxSeries: 1.5 }), 'SL_ERR_METRICS_INVALID_OPTION'],
  ];
  for (const [fn, expected] of cases) assert.equal(errorCode(fn), expected, fn.toString());
  try {
    r.counter({ name: 'x_total', help: 'x', labelNames: ['ok', 'a-b'] });
  } catch (e) {
    assert.equal((e as SightlineError).field, 'labelNames[1]');
  }
  // A failed definition leaves nothing behind.
  assert.equal(r.getMetricsAsArray().length, 0);
});

test('series keys cannot collide, whatever the label values (property)', async () => {
  await fc.assert(fc.asyncProperty(
    fc.uniqueArray(fc.tuple(fc.string(), fc.string()), { minLength: 1, maxLength: 20, selector: ([a, b]) => JSON.stringify([a, b]) }),
    async (pairs) => {
      const r = quiet();
      const c = r.counter({ name: 'c_total', help: 'c', labelNames: ['a', 'b'] });
      pairs.forEach(([a, b], i) => c.inc({ a, b }, i + 1));
      assert.equal(c.seriesCount, pairs.length);
      pairs.forEach(([a, b], i) => assert.equal(c.labels({ a, b }).get(), i + 1));
      assert.equal(samples(await r.render('text')).size, pairs.length);
    },
  ));
  // prom-client's collision: {a:"x,b:y"} vs {a:"x",b:"y"}.
  const r = quiet();
  const c = r.counter({ name: 'c_total', help: 'c', labelNames: ['a', 'b'] });
  c.inc({ a: 'x,b:y', b: '' });
  c.inc({ a: 'x', b: 'y' });
  assert.equal(c.seriesCount, 2);
});

test('labels() returns the same cached child; label order in the object does not matter', () => {
  const r = quiet();
  const c = r.counter({ name: 'c_total', help: 'c', labelNames: ['a', 'b'] });
  const child = c.labels({ a: '1', b: '2' });
  assert.equal(c.labels({ b: '2', a: '1' }), child);
  assert.equal(c.labels({ a: 1, b: 2 }), child, 'numbers are converted with String()');
  child.inc();
  c.inc({ a: '1', b: '2' }, 2);
  assert.equal(child.get(), 3);
});

test('invalid label sets and values are dropped, counted and warned about once', async () => {
  const warnings: string[] = [];
  const r = new Registry({ onWarning: (codeName) => warnings.push(codeName) });
  const c = r.counter({ name: 'c_total', help: 'c', labelNames: ['a'] });
  c.inc({ b: 'x' } as never);
  c.inc({ a: 'x', b: 'y' } as never);
  c.inc({ a: { nested: true } } as never);
  c.inc(); // labelled metric without labels
  c.inc({ a: 'ok' }, -1);
  c.inc({ a: 'ok' }, NaN);
  c.inc({ a: 'ok' }, 2);
  const g = r.gauge({ name: 'g', help: 'g' });
  g.set('3' as never);
  assert.equal(c.seriesCount, 1);
  const s = samples(await r.render('text'));
  assert.equal(s.get('c_total{a="ok"}'), '2');
  assert.equal(s.get('sightline_metrics_invalid_labels_total{metric="c_total"}'), '4');
  assert.equal(s.get('sightline_metrics_invalid_values_total{metric="c_total"}'), '2');
  assert.equal(s.get('sightline_metrics_invalid_values_total{metric="g"}'), '1');
  assert.deepEqual(warnings, ['SL_METRICS_INVALID_LABELS']);
});

test('cardinality cap: further label sets share one overflow series, counted, one warning', async () => {
  const warnings: Array<[string, string]> = [];
  const r = new Registry({ onWarning: (c, m) => warnings.push([c, m]) });
  const c = r.counter({ name: 'req_total', help: 'r', labelNames: ['user'], maxSeries: 3 });
  for (let i = 0; i < 10; i++) c.inc({ user: `u${i}` });
  c.inc({ user: 'u1' }); // existing series still work past the cap
  assert.equal(c.seriesCount, 3);
  const s = samples(await r.render('text'));
  assert.equal(s.get('req_total{user="u1"}'), '2');
  assert.equal(s.get('req_total{sightline_overflow="true"}'), '7');
  assert.equal(s.get('sightline_metrics_series_overflow_total{metric="req_total"}'), '7');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]![0], 'SL_METRICS_SERIES_CAP');
  assert.match(warnings[0]![1], /req_total/);
  // Removing a series makes room again.
  assert.equal(c.remove({ user: 'u0' }), true);
  c.inc({ user: 'new' });
  assert.equal(c.labels({ user: 'new' }).get(), 1);
  assert.equal(warnings.length, 1);
});

test('remove and reset', async () => {
  const r = quiet();
  const g = r.gauge({ name: 'g', help: 'g', labelNames: ['a', 'b'] });
  g.set({ a: '1', b: '1' }, 1);
  g.set({ a: '1', b: '2' }, 2);
  assert.equal(g.remove({ a: '1', b: '1' }), true);
  assert.equal(g.remove({ a: '1', b: '1' }), false);
  assert.equal(g.remove({ a: 'nope', b: '1' }), false);
  let s = samples(await r.render('text'));
  assert.deepEqual([...s.keys()], ['g{a="1",b="2"}']);
  g.reset();
  s = samples(await r.render('text'));
  assert.equal(s.size, 0);
  assert.equal(g.seriesCount, 0);
  const plain = r.counter({ name: 'p_total', help: 'p' });
  plain.inc(5);
  plain.reset();
  plain.inc();
  assert.equal(samples(await r.render('text')).get('p_total'), '1');
  assert.equal(r.unregister('p_total'), true);
  assert.equal(r.get('p_total'), undefined);
  r.counter({ name: 'p_total', help: 'another help is fine after unregister' });
});

test('collect callbacks set values at scrape time (sync, async, per label set)', async () => {
  const r = quiet();
  let n = 0;
  r.gauge({ name: 'calls', help: 'calls', collect: (g) => g.set(++n) });
  r.gauge({
    name: 'by_kind', help: 'kinds', labelNames: ['kind'],
    collect: async (g) => {
      await new Promise((res) => setTimeout(res, 5));
      g.labels({ kind: 'a' }).set(1);
      g.labels({ kind: 'b' }).set(2);
    },
  });
  r.counter({ name: 'ticks_total', help: 't', collect: (c) => c.inc() });
  const heap = r.gauge({ name: 'group_a', help: 'a' });
  const unregister = r.registerCollector(() => heap.set(7), { name: 'group' });
  let s = samples(await r.render('text'));
  assert.equal(s.get('calls'), '1');
  assert.equal(s.get('by_kind{kind="b"}'), '2');
  assert.equal(s.get('ticks_total'), '1');
  assert.equal(s.get('group_a'), '7');
  unregister();
  heap.set(0);
  s = samples(await r.render('openmetrics'));
  assert.equal(s.get('calls'), '2');
  assert.equal(s.get('group_a'), '0');
});

test('a collect callback that hangs or throws: previous values rendered, counted', async () => {
  const r = quiet();
  let hang = false;
  r.gauge({
    name: 'slow', help: 's', collectTimeoutMs: 50,
    collect: (g) => {
      if (hang) return new Promise<void>(() => undefined);
      g.set(41);
      return undefined;
    },
  });
  let fail = false;
  r.gauge({ name: 'bad', help: 'b', collect: (g) => { if (fail) throw new Error('boom'); g.set(1); } });
  r.gauge({ name: 'bad_async', help: 'b', collect: async () => { await Promise.resolve(); throw new Error('boom'); } });
  r.registerCollector(() => new Promise<void>(() => undefined), { name: 'stuck_group', timeoutMs: 30 });
  await r.render('text');
  hang = true;
  fail = true;
  const s = samples(await r.render('text'));
  assert.equal(s.get('slow'), '41');
  assert.equal(s.get('bad'), '1');
  assert.equal(s.get('sightline_metrics_collect_timeouts_total{metric="slow"}'), '1');
  assert.equal(s.get('sightline_metrics_collect_timeouts_total{metric="stuck_group"}'), '2');
  assert.equal(s.get('sightline_metrics_collect_errors_total{metric="bad"}'), '1');
  assert.equal(s.get('sightline_metrics_collect_errors_total{metric="bad_async"}'), '2');
});

test('render rejects an unknown format with a coded error', async () => {
  const r = quiet();
  await assert.rejects(r.render('json' as never), (e: unknown) => (e as SightlineError).code === 'SL_ERR_METRICS_INVALID_FORMAT');
});

test('memory: one million distinct label values offered to a capped metric grow RSS by at most 50 MB', () => {
  const r = quiet();
  const c = r.counter({ name: 'm_total', help: 'm', labelNames: ['id'], maxSeries: 1000 });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 1_000_000; i++) c.inc({ id: `id-${i}` });
  gc?.();
  const grown = process.memoryUsage().rss - before;
  assert.equal(c.seriesCount, 1000);
  assert.equal(c.labels({ id: 'overflowing' }).labelText, 'sightline_overflow="true"');
  assert.ok(grown <= 50 * 2 ** 20, `RSS grew by ${(grown / 2 ** 20).toFixed(1)} MB`);
});

test('label lookup: the generated path and the generic loop (over 8 labels) agree, whatever the key order or value type', () => {
  const r = new Registry({ onWarning: () => undefined });
  const names9 = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  const three = r.counter({ name: 'three_total', help: 't', labelNames: ['x', 'y', 'z'] });
  const nine = r.counter({ name: 'nine_total', help: 'n', labelNames: names9 });
  fc.assert(fc.property(fc.array(fc.tuple(fc.string(), fc.string(), fc.nat(3)), { minLength: 1, maxLength: 30 }), (sets) => {
    three.reset();
    nine.reset();
    const expected = new Map<string, number>();
    for (const [x, y, n] of sets) {
      // Same label set in another key order, and a number where a string is expected.
      three.inc({ x, y, z: '7' }, n);
      three.inc({ z: 7, y, x }, 1);
      const nineLabels = Object.fromEntries(names9.map((k, i) => [k, i === 0 ? x : i === 1 ? y : 'v']));
      nine.inc(nineLabels, n + 1);
      const key = JSON.stringify([x, y]);
      expected.set(key, (expected.get(key) ?? 0) + n + 1);
    }
    for (const [key, total] of expected) {
      const [x, y] = JSON.parse(key) as [string, string];
      assert.equal(three.get({ x, y, z: '7' }), total);
      assert.equal(nine.get(Object.fromEntries(names9.map((k, i) => [k, i === 0 ? x : i === 1 ? y : 'v']))), total);
    }
    assert.equal(three.seriesCount, expected.size);
    assert.equal(nine.seriesCount, expected.size);
  }), { numRuns: 50 });
});

test('prom-client habits: metrics() is the text exposition 0.0.4, contentType its media type, both pass promtool', async (t) => {
  const r = new Registry({ onWarning: () => undefined });
  r.counter({ name: 'jobs_total', help: 'Jobs "done"', labelNames: ['queue'] }).labels({ queue: 'a\\b' }).inc(3);
  r.histogram({ name: 'job_seconds', help: 'Job durations', buckets: [0.1, 1] }).observe(0.5);
  r.gauge({ name: 'queue_depth', help: 'Waiting jobs', collect: (g) => g.set(4) });
  assert.equal(r.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(r.contentType, TEXT_CONTENT_TYPE);
  const body = await r.metrics();
  assert.equal(typeof body, 'string');
  assert.equal(body, await r.render('text'));
  assert.match(body, /^jobs_total\{queue="a\\\\b"\} 3$/m);
  assert.match(body, /^queue_depth 4$/m, 'collect callbacks ran');
  assert.doesNotMatch(body, /# EOF/);
  assert.deepEqual(r.getMetricsAsArray().map((m) => m.name), ['jobs_total', 'job_seconds', 'queue_depth']);
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const checked = await promtoolCheckMetrics(body, promtool);
  assert.equal(checked.code, 0, checked.output);
  assert.equal(checked.output.trim(), '', checked.output);
});
