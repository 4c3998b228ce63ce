import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { setImmediate as tick } from 'node:timers/promises';
import { Registry } from 'sightline/metrics';
import { runInContext } from 'sightline/context';
import { promtoolCheckMetrics, requireBinary } from '../support/prometheus.js';
import { quiet } from '../support/metrics.js';

/** Parses a label set body `a="x",b="y"` back into values, undoing the exposition escapes. */
function parseLabels(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/gu;
  for (const m of body.matchAll(re)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/gu, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}

test('text 0.0.4: exact exposition of every type', async () => {
  const r = quiet();
  r.counter({ name: 'orders_total', help: 'Orders "placed"\\ here\nnext', labelNames: ['country'] }).inc({ country: 'de' }, 3);
  r.counter({ name: 'bare', help: 'No suffix' }).inc();
  r.gauge({ name: 'temp_celsius', help: 'T' }).set(-1.5);
  const h = r.histogram({ name: 'lat_seconds', help: 'L', buckets: [0.5, 1, 2.5] });
  h.observe(0.5);
  h.observe(2);
  h.observe(99);
  const s = r.summary({ name: 'size_bytes', help: 'S', percentiles: [0.5, 1] });
  s.observe(10);
  r.gauge({ name: 'special', help: 'x', labelNames: ['v'] }).set({ v: 'a"b\\c\nd' }, Infinity);
  assert.equal(await r.render('text'), [
    '# HELP orders_total Orders "placed"\\\\ here\\nnext',
    '# TYPE orders_total counter',
    'orders_total{country="de"} 3',
    '# HELP bare_total No suffix',
    '# TYPE bare_total counter',
    'bare_total 1',
    '# HELP temp_celsius T',
    '# TYPE temp_celsius gauge',
    'temp_celsius -1.5',
    '# HELP lat_seconds L',
    '# TYPE lat_seconds histogram',
    'lat_seconds_bucket{le="0.5"} 1',
    'lat_seconds_bucket{le="1"} 1',
    'lat_seconds_bucket{le="2.5"} 2',
    'lat_seconds_bucket{le="+Inf"} 3',
    'lat_seconds_sum 101.5',
    'lat_seconds_count 3',
    '# HELP size_bytes S',
    '# TYPE size_bytes summary',
    'size_bytes{quantile="0.5"} 10',
    'size_bytes{quantile="1"} 10',
    'size_bytes_sum 10',
    'size_bytes_count 1',
    '# HELP special x',
    '# TYPE special gauge',
    'special{v="a\\"b\\\\c\\nd"} +Inf',
    '',
  ].join('\n'));
});

test('OpenMetrics: counter family without _total, canonical le/quantile, HELP escapes quotes, # EOF', async () => {
  const r = quiet();
  r.counter({ name: 'orders_total', help: 'Orders "placed"', labelNames: ['country'] }).inc({ country: 'de' }, 3);
  r.counter({ name: 'bare', help: 'No suffix' }).inc();
  const h = r.histogram({ name: 'lat_seconds', help: 'L', buckets: [0.5, 1, 1e6] });
  h.observe(1);
  r.summary({ name: 'size_bytes', help: 'S', percentiles: [0, 0.5, 1] }).observe(4);
  const om = await r.render('openmetrics');
  assert.equal(om, [
    '# HELP orders Orders \\"placed\\"',
    '# TYPE orders counter',
    'orders_total{country="de"} 3',
    '# HELP bare No suffix',
    '# TYPE bare counter',
    'bare_total 1',
    '# HELP lat_seconds L',
    '# TYPE lat_seconds histogram',
    'lat_seconds_bucket{le="0.5"} 0',
    'lat_seconds_bucket{le="1.0"} 1',
    'lat_seconds_bucket{le="1000000.0"} 1',
    'lat_seconds_bucket{le="+Inf"} 1',
    'lat_seconds_sum 1',
    'lat_seconds_count 1',
    '# HELP size_bytes S',
    '# TYPE size_bytes summary',
    'size_bytes{quantile="0.0"} 4',
    'size_bytes{quantile="0.5"} 4',
    'size_bytes{quantile="1.0"} 4',
    'size_bytes_sum 4',
    'size_bytes_count 1',
    '# EOF',
    '',
  ].join('\n'));
  // The metric itself is not renamed by rendering OpenMetrics.
  assert.ok(r.get('orders_total'));
  assert.match(await r.render('text'), /^# TYPE orders_total counter$/m);
});

test('promtool accepts the exposition of every type, with no lint warning', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const r = quiet();
  r.counter({ name: 'app_orders_total', help: 'Orders', labelNames: ['country'] }).inc({ country: 'de' });
  r.gauge({ name: 'app_temperature_celsius', help: 'Temperature' }).set(21.5);
  r.histogram({ name: 'app_latency_seconds', help: 'Latency', labelNames: ['route'] }).observe({ route: '/' }, 0.2);
  r.summary({ name: 'app_payload_bytes', help: 'Payloads' }).observe(100);
  r.gauge({ name: 'app_empty', help: 'No series yet', labelNames: ['x'] });
  const c = r.counter({ name: 'app_capped_total', help: 'Capped', labelNames: ['id'], maxSeries: 1 });
  c.inc({ id: 'a' });
  c.inc({ id: 'b' }); // overflow series and self-metric
  const res = await promtoolCheckMetrics(await r.render('text'), promtool);
  assert.equal(res.code, 0, res.output);
  assert.equal(res.output.trim(), '');
});

test('promtool accepts fuzzed label values and help texts (quotes, backslashes, newlines, any Unicode)', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const value = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('"', '\\', '\n', 'n', '\r', '\t', '{', '}', ',', '=', ' ', '#', 'é', '😀', '\u2028', '\u0000') }),
  );
  await fc.assert(fc.asyncProperty(
    fc.uniqueArray(fc.tuple(value, value), { minLength: 1, maxLength: 8, selector: (p) => JSON.stringify(p) }),
    fc.string({ unit: 'binary', minLength: 1 }),
    async (pairs, help) => {
      const r = quiet();
      const c = r.counter({ name: 'fuzz_total', help, labelNames: ['a', 'b'] });
      const h = r.histogram({ name: 'fuzz_seconds', help: 'h', labelNames: ['a', 'b'], buckets: [1] });
      for (const [a, b] of pairs) {
        c.inc({ a, b });
        h.observe({ a, b }, 0.5);
      }
      const text = await r.render('text');
      const res = await promtoolCheckMetrics(text, promtool);
      assert.equal(res.code, 0, `${res.output}\n${JSON.stringify(text)}`);
      assert.equal(res.output.trim(), '');
      // And the values survive the round trip (decoded from the exposition).
      const seen = text.split('\n').filter((l) => l.startsWith('fuzz_total{')).map((l) => parseLabels(l.slice(11, l.lastIndexOf('}'))));
      assert.deepEqual(seen, pairs.map(([a, b]) => ({ a, b })));
    },
  ), { numRuns: 40 });
});

test('histogram: +Inf bucket equals _count and buckets are cumulative (property)', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.double({ noNaN: true }), { maxLength: 200 }), async (xs) => {
    const r = quiet();
    const h = r.histogram({ name: 'h', help: 'h', buckets: [-1, 0, 0.5, 1, 10] });
    for (const x of xs) h.observe(x);
    for (const format of ['text', 'openmetrics'] as const) {
      const lines = (await r.render(format)).split('\n');
      const buckets = lines.filter((l) => l.startsWith('h_bucket')).map((l) => Number(l.split(' ')[1]));
      const count = Number(lines.find((l) => l.startsWith('h_count'))!.split(' ')[1]);
      assert.equal(buckets.at(-1), count);
      assert.equal(count, xs.length);
      for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]! >= buckets[i - 1]!);
      const le1 = lines.find((l) => /le="1(\.0)?"/.test(l))!;
      assert.equal(Number(le1.split(' ')[1]), xs.filter((x) => x <= 1).length);
    }
  }));
});

test('exemplars: filled from a sampled trace context, rendered only in OpenMetrics, value inside its bucket', async () => {
  const r = quiet();
  const c = r.counter({ name: 'req_total', help: 'r' });
  const h = r.histogram({ name: 'lat_seconds', help: 'l', buckets: [0.1, 1] });
  const sampled = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
  const unsampled = { traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb', traceFlags: 0 };
  runInContext({ trace: sampled }, () => {
    c.inc(2);
    h.observe(0.5);
  });
  runInContext({ trace: unsampled }, () => {
    c.inc();
    h.observe(0.05);
  });
  h.observe(5); // no context at all
  const om = await r.render('openmetrics');
  const ex = (s: string): RegExp => new RegExp(`^${s} # \\{trace_id="${sampled.traceId}",span_id="${sampled.spanId}"\\} ([^ ]+) (\\d+(\\.\\d+)?)$`, 'm');
  const cm = om.match(ex('req_total 3'));
  assert.ok(cm, om);
  assert.equal(cm[1], '2');
  const hm = om.match(ex('lat_seconds_bucket\\{le="1.0"\\} 2'));
  assert.ok(hm, om);
  assert.ok(Number(hm[1]) > 0.1 && Number(hm[1]) <= 1, 'exemplar value inside its bucket');
  assert.ok(Math.abs(Number(hm[2]) * 1000 - Date.now()) < 60_000, 'timestamp in seconds');
  assert.doesNotMatch(om, /aaaaaaaa/);
  assert.doesNotMatch(await r.render('text'), /trace_id/);
  // exemplars: false switches them off.
  const off = r.counter({ name: 'off_total', help: 'o', exemplars: false });
  runInContext({ trace: sampled }, () => off.inc());
  assert.match(await r.render('openmetrics'), /^off_total 1$/m);
});

test('exemplar label sets over 128 code points are left out', async () => {
  const r = quiet();
  const c = r.counter({ name: 'req_total', help: 'r' });
  runInContext({ trace: { traceId: 'x'.repeat(120), spanId: 'y', traceFlags: 1 } }, () => c.inc());
  assert.match(await r.render('openmetrics'), /^req_total 1$/m);
});

test('rendering yields to the event loop on large registries', async () => {
  const r = quiet();
  for (let m = 0; m < 10; m++) {
    const h = r.histogram({ name: `big_${m}_seconds`, help: 'b', labelNames: ['id'] });
    for (let i = 0; i < 1000; i++) h.observe({ id: String(i) }, i / 1000);
  }
  let ticks = 0;
  let running = true;
  const probe = async (): Promise<void> => {
    while (running) {
      await tick();
      ticks++;
    }
  };
  const p = probe();
  const text = await r.render('openmetrics');
  running = false;
  await p;
  assert.ok(text.endsWith('# EOF\n'));
  assert.ok(ticks >= 2, `the event loop ran ${ticks} times during the render`);
});

test('sample values print as JS shortest round-trip numbers, integers through the digit writer (property)', async () => {
  const special = fc.constantFrom(0, -0, 1, -1, 9, 10, 99, 100, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e21, 1e-7, 123456789012345, Infinity, -Infinity, NaN);
  await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), special), { minLength: 1, maxLength: 40 }), async (vs) => {
    const r = quiet();
    const g = r.gauge({ name: 'g', help: 'g', labelNames: ['i'] });
    vs.forEach((v, i) => g.set({ i: String(i) }, v));
    const text = await r.render('text');
    vs.forEach((v, i) => {
      const want = Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
      assert.ok(text.includes(`\ng{i="${i}"} ${want}\n`), `${v} should print as ${want}`);
    });
  }), { numRuns: 100 });
});

async function streamed(r: Registry, format: 'text' | 'openmetrics'): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of r.stream(format)) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

test('render() equals the streamed bytes across its string-building paths (ASCII buffer growth, ASCII then non-ASCII)', async () => {
  // A tiny render first makes the next buffer start small, so the big ASCII render must grow it.
  const tiny = quiet();
  tiny.gauge({ name: 't', help: 't' }).set(1);
  await tiny.render('text');
  const r = quiet();
  const a = r.gauge({ name: 'ascii_only', help: 'a', labelNames: ['id'], maxSeries: 100_000 });
  for (let i = 0; i < 40_000; i++) a.set({ id: `series-${i}` }, i);
  for (const format of ['text', 'openmetrics'] as const) {
    const text = await r.render(format);
    assert.ok(text.length > 1_000_000);
    assert.equal(text, await streamed(r, format));
  }
  // Non-ASCII after more than a chunk of ASCII: the bytes so far are decoded, then piece by piece.
  const b = r.gauge({ name: 'later_unicode', help: 'Ünïcode — later', labelNames: ['v'] });
  for (let i = 0; i < 2_000; i++) b.set({ v: `värde-${i}-名-😀` }, i / 3);
  for (const format of ['text', 'openmetrics'] as const) {
    const text = await r.render(format);
    assert.equal(text, await streamed(r, format));
    assert.ok(text.includes('\nlater_unicode{v="värde-1999-名-😀"} 666.3333333333334\n'));
    assert.ok(text.includes('\nascii_only{id="series-39999"} 39999\n'));
  }
});
