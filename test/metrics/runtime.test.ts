// Default process and Node.js runtime metrics: prom-client's names, values that match their
// sources, every GC entry of a batch recorded, stop(), options and promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { open } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectDefaultMetrics } from 'sightline/metrics';
import { promtoolCheckMetrics, requireBinary } from '../support/prometheus.js';
import { errorCode, numericSamples, quiet } from '../support/metrics.js';

const isLinux = process.platform === 'linux';

function types(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

function value(s: Map<string, number>, key: string): number {
  const v = s.get(key);
  assert.ok(v !== undefined, `no sample ${key}`);
  return v;
}

// The exposed V8 gc() function, to force collections (never in production code).
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('default metrics keep prom-client names and types', async () => {
  const registry = quiet();
  const h = collectDefaultMetrics(registry);
  try {
    const text = await registry.render('text');
    const t = types(text);
    const expected: Record<string, string> = {
      process_cpu_user_seconds_total: 'counter',
      process_cpu_system_seconds_total: 'counter',
      process_cpu_seconds_total: 'counter',
      process_start_time_seconds: 'gauge',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_total_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_external_memory_bytes: 'gauge',
      nodejs_heap_space_size_total_bytes: 'gauge',
      nodejs_heap_space_size_used_bytes: 'gauge',
      nodejs_heap_space_size_available_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_eventloop_lag_min_seconds: 'gauge',
      nodejs_eventloop_lag_max_seconds: 'gauge',
      nodejs_eventloop_lag_mean_seconds: 'gauge',
      nodejs_eventloop_lag_stddev_seconds: 'gauge',
      nodejs_eventloop_lag_p50_seconds: 'gauge',
      nodejs_eventloop_lag_p90_seconds: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
      nodejs_eventloop_utilization_ratio: 'gauge',
      nodejs_eventloop_active_seconds_total: 'counter',
      nodejs_active_resources: 'gauge',
      nodejs_active_handles: 'gauge',
      nodejs_active_requests: 'gauge',
      nodejs_gc_duration_seconds: 'histogram',
      nodejs_version_info: 'gauge',
      ...(isLinux ? {
        process_virtual_memory_bytes: 'gauge',
        process_heap_bytes: 'gauge',
        process_threads: 'gauge',
        process_open_fds: 'gauge',
        process_max_fds: 'gauge',
      } : {}),
    };
    for (const [name, type] of Object.entries(expected)) assert.equal(t.get(name), type, name);
    assert.deepEqual([...h.names].sort(), Object.keys(expected).sort());
  } finally {
    h.stop();
  }
});

test('default metric values match their sources', async () => {
  const registry = quiet();
  const h = collectDefaultMetrics(registry);
  try {
    const before = process.cpuUsage();
    const s = numericSamples(await registry.render('text'));
    const after = process.cpuUsage();
    const cpu = value(s, 'process_cpu_seconds_total');
    assert.ok(cpu >= (before.user + before.system) / 1e6 && cpu <= (after.user + after.system) / 1e6, `cpu ${cpu}`);
    assert.ok(Math.abs(value(s, 'process_cpu_user_seconds_total') + value(s, 'process_cpu_system_seconds_total') - cpu) < 1e-9);
    assert.equal(value(s, 'process_start_time_seconds'), performance.timeOrigin / 1000);

    const [major, minor, patch] = process.versions.node.split('.');
    assert.equal(value(s, `nodejs_version_info{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"}`), 1);

    // Every V8 heap space appears, labelled without its `_space` suffix.
    for (const sp of getHeapSpaceStatistics()) {
      const space = sp.space_name.replace(/_space$/, '');
      assert.ok(s.has(`nodejs_heap_space_size_total_bytes{space="${space}"}`), space);
    }
    assert.ok(value(s, 'nodejs_heap_size_used_bytes') <= value(s, 'nodejs_heap_size_total_bytes'));

    if (isLinux) {
      const status = readFileSync('/proc/self/status', 'utf8');
      const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
      // Threads may come and go (libuv's pool), but this process has at least the main thread.
      assert.ok(value(s, 'process_threads') >= 1 && threads >= 1);
      const soft = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]);
      assert.equal(value(s, 'process_max_fds'), soft);
      assert.ok(value(s, 'process_resident_memory_bytes') > 0);
      assert.ok(value(s, 'process_virtual_memory_bytes') >= value(s, 'process_resident_memory_bytes'));
    }
  } finally {
    h.stop();
  }
});

test('process_open_fds follows descriptors the process opens', { skip: !isLinux && 'needs /proc' }, async () => {
  const registry = quiet();
  const h = collectDefaultMetrics(registry);
  try {
    // Descriptors of earlier tests may close while we measure (the render yields to the loop), so
    // a measurement can undercount; the metric must follow the eight new ones in one of 3 tries.
    const seen: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = value(numericSamples(await registry.render('text')), 'process_open_fds');
      const files = await Promise.all(Array.from({ length: 8 }, () => open('/proc/self/status', 'r')));
      const during = value(numericSamples(await registry.render('text')), 'process_open_fds');
      await Promise.all(files.map((f) => f.close()));
      seen.push(`${before} -> ${during}`);
      if (during >= before + 8) break;
    }
    const [before, during] = seen.at(-1)!.split(' -> ').map(Number);
    assert.ok(during! >= before! + 8, seen.join(', '));
  } finally {
    h.stop();
  }
});

test('active handles and resources appear and vanish with a listening server', async () => {
  const registry = quiet();
  const h = collectDefaultMetrics(registry);
  const server = createServer();
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = numericSamples(await registry.render('text'));
    assert.ok(value(s, 'nodejs_active_resources{type="TCPServerWrap"}') >= 1);
    assert.ok(value(s, 'nodejs_active_handles{type="Server"}') >= 1);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // libuv frees the closed handle a loop turn or two after the close callback.
    let after = numericSamples(await registry.render('text'));
    for (let i = 0; i < 100 && after.has('nodejs_active_resources{type="TCPServerWrap"}'); i++) {
      await new Promise((r) => setTimeout(r, 5));
      after = numericSamples(await registry.render('text'));
    }
    assert.equal(after.has('nodejs_active_resources{type="TCPServerWrap"}'), false, 'closed server still reported');
    assert.equal(after.has('nodejs_active_handles{type="Server"}'), false);
  } finally {
    if (server.listening) server.close();
    h.stop();
  }
});

test('event-loop delay and utilization see a blocked loop', async () => {
  const registry = quiet();
  const h = collectDefaultMetrics(registry, { eventLoopMonitoringPrecision: 5 });
  try {
    await registry.render('text'); // starts the utilization window and resets the delay histogram
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    while (performance.now() - t0 < 100) { /* block the loop for 100 ms */ }
    await new Promise((r) => setTimeout(r, 20));
    const s = numericSamples(await registry.render('text'));
    // A 100 ms block delays the histogram's timer by at least ~100 ms minus its resolution.
    assert.ok(value(s, 'nodejs_eventloop_lag_max_seconds') >= 0.09, `max ${s.get('nodejs_eventloop_lag_max_seconds')}`);
    assert.ok(value(s, 'nodejs_eventloop_lag_min_seconds') <= value(s, 'nodejs_eventloop_lag_p50_seconds'));
    assert.ok(value(s, 'nodejs_eventloop_lag_p50_seconds') <= value(s, 'nodejs_eventloop_lag_p99_seconds'));
    assert.ok(value(s, 'nodejs_eventloop_lag_p99_seconds') <= value(s, 'nodejs_eventloop_lag_max_seconds'));
    const elu = value(s, 'nodejs_eventloop_utilization_ratio');
    assert.ok(elu > 0 && elu <= 1, `utilization ${elu}`);
    assert.ok(value(s, 'nodejs_eventloop_active_seconds_total') >= 0.1);
    // The next scrape reports only delays since this one: the 100 ms block is gone from max.
    await new Promise((r) => setTimeout(r, 30));
    const next = numericSamples(await registry.render('text'));
    assert.ok(value(next, 'nodejs_eventloop_lag_max_seconds') < value(s, 'nodejs_eventloop_lag_max_seconds'));
  } finally {
    h.stop();
  }
});

test('every GC entry of an observer batch is recorded (prom-client keeps only the first)', async () => {
  const gc = exposedGc();
  const registry = quiet();
  const h = collectDefaultMetrics(registry);
  let seen = 0;
  let largestBatch = 0;
  const reference = new PerformanceObserver((list) => {
    const n = list.getEntries().length;
    seen += n;
    largestBatch = Math.max(largestBatch, n);
  });
  reference.observe({ entryTypes: ['gc'] });
  const counted = (s: Map<string, number>): number =>
    [...s].filter(([k]) => k.startsWith('nodejs_gc_duration_seconds_count')).reduce((a, [, v]) => a + v, 0);
  try {
    // Let entries from before the reference observer existed drain, then take a baseline.
    await new Promise((r) => setTimeout(r, 50));
    const base = counted(numericSamples(await registry.render('text')));
    seen = 0;
    largestBatch = 0;
    // Synchronous collections queue their entries; the observers get them as one batch.
    for (let i = 0; i < 10; i++) gc();
    await new Promise((r) => setTimeout(r, 100));
    const s = numericSamples(await registry.render('text'));
    assert.ok(largestBatch > 1, `the burst was not batched (largest batch ${largestBatch})`);
    assert.ok(seen >= 10, `only ${seen} GC entries observed`);
    assert.equal(counted(s) - base, seen);
    assert.ok(value(s, 'nodejs_gc_duration_seconds_count{kind="major"}') >= 10);
  } finally {
    reference.disconnect();
    h.stop();
  }
});

test('stop() disconnects the observers and removes the metrics; a new start works', async () => {
  const gc = exposedGc();
  const registry = quiet();
  const first = collectDefaultMetrics(registry);
  assert.equal(collectDefaultMetrics(registry), first, 'a second call returns the first handle');
  const gcHistogram = registry.get('nodejs_gc_duration_seconds');
  assert.ok(gcHistogram !== undefined && gcHistogram.type === 'histogram');
  first.stop();
  assert.equal(await registry.render('text'), '');
  const countBefore = [...gcHistogram.series()].reduce((a, s) => a + s.count, 0);
  gc();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal([...gcHistogram.series()].reduce((a, s) => a + s.count, 0), countBefore, 'observer still recording after stop()');
  const second = collectDefaultMetrics(registry);
  assert.notEqual(second, first);
  assert.match(await registry.render('text'), /^process_cpu_seconds_total /m);
  second.stop();
});

test('options: prefix, exclude and coded errors', async () => {
  const registry = quiet();
  const h = collectDefaultMetrics(registry, { prefix: 'app_', exclude: ['nodejs_gc_duration_seconds', 'process_threads'] });
  try {
    const text = await registry.render('text');
    assert.match(text, /^app_process_cpu_seconds_total /m);
    assert.match(text, /^app_nodejs_version_info\{/m);
    assert.doesNotMatch(text, /^(?!app_)[a-z]/m, 'a default metric without the prefix');
    assert.doesNotMatch(text, /gc_duration|process_threads/);
  } finally {
    h.stop();
  }
  assert.equal(errorCode(() => collectDefaultMetrics(quiet(), { prefix: 'bad-prefix' })), 'SL_ERR_METRICS_RUNTIME_OPTION');
  assert.equal(errorCode(() => collectDefaultMetrics(quiet(), { eventLoopMonitoringPrecision: 0 })), 'SL_ERR_METRICS_RUNTIME_OPTION');
  assert.equal(errorCode(() => collectDefaultMetrics(quiet(), { exclude: 'x' as unknown as string[] })), 'SL_ERR_METRICS_RUNTIME_OPTION');
  assert.equal(errorCode(() => collectDefaultMetrics(quiet(), { gcDurationBuckets: [1, 0.5] })), 'SL_ERR_METRICS_INVALID_BUCKETS');
});

test('a conflicting user metric is a coded error and leaves nothing half-installed', async () => {
  const registry = quiet();
  registry.counter({ name: 'process_open_fds_total', help: 'unrelated' });
  registry.counter({ name: 'nodejs_heap_size_used_bytes', help: 'a counter under a default gauge name' });
  assert.equal(errorCode(() => collectDefaultMetrics(registry)), 'SL_ERR_METRICS_CONFLICT');
  const text = await registry.render('text');
  assert.doesNotMatch(text, /process_cpu|nodejs_version_info/);
  assert.match(text, /^nodejs_heap_size_used_bytes_total 0$/m, 'the user metric is untouched');
});

test('promtool: the default metrics pass check metrics with no lint warning', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const registry = quiet();
  const h = collectDefaultMetrics(registry);
  try {
    exposedGc()();
    await new Promise((r) => setTimeout(r, 20));
    const text = await registry.render('text');
    const r = await promtoolCheckMetrics(text, promtool);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.output.trim(), '', r.output);
  } finally {
    h.stop();
  }
});

test('activeTotals: prom-client\'s nodejs_active_*_total, untyped, equal to the sums of the {type} gauges; off by default', async (t) => {
  const off = quiet();
  const h0 = collectDefaultMetrics(off);
  try {
    assert.doesNotMatch(await off.render('text'), /nodejs_active_\w+_total/);
  } finally {
    h0.stop();
  }
  const registry = quiet();
  const h = collectDefaultMetrics(registry, { activeTotals: true });
  const server = createServer();
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const text = await registry.render('text');
    const ty = types(text);
    const s = numericSamples(text);
    for (const kind of ['handles', 'requests', 'resources']) {
      assert.equal(ty.get(`nodejs_active_${kind}_total`), 'untyped', kind);
      let sum = 0;
      for (const [k, v] of s) if (k.startsWith(`nodejs_active_${kind}{`)) sum += v;
      assert.equal(value(s, `nodejs_active_${kind}_total`), sum, `${kind}: the total counts the same list as the {type} gauge`);
    }
    assert.ok(value(s, 'nodejs_active_handles_total') >= 1, 'the listening server is a handle');
    assert.ok(h.names.includes('nodejs_active_handles_total'));
    const om = await registry.render('openmetrics');
    assert.match(om, /^# TYPE nodejs_active_handles_total unknown$/m);
    assert.match(om, /^nodejs_active_handles_total \d+$/m);
    const promtool = requireBinary(t, 'promtool', 'prometheus');
    if (promtool !== undefined) {
      const r = await promtoolCheckMetrics(text, promtool);
      assert.equal(r.code, 0, r.output);
      assert.equal(r.output.trim(), '', 'untyped: no "_total" lint warning');
    }
  } finally {
    server.close();
    h.stop();
  }
  assert.equal(registry.get('nodejs_active_handles_total'), undefined, 'stop() removes them');
  assert.equal(errorCode(() => collectDefaultMetrics(quiet(), { activeTotals: 'yes' } as never)), 'SL_ERR_METRICS_RUNTIME_OPTION');
  // A user gauge cannot take the name (gauges may not end in _total), and excluding one keeps the others.
  const ex = quiet();
  const he = collectDefaultMetrics(ex, { activeTotals: true, exclude: ['nodejs_active_requests_total'] });
  try {
    const text = await ex.render('text');
    assert.match(text, /^nodejs_active_handles_total /m);
    assert.doesNotMatch(text, /nodejs_active_requests_total/);
  } finally {
    he.stop();
  }
});
