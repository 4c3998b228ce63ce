// A real node:cluster with 2 workers: the primary merges their metrics per rule, and a worker that
// stops answering is left out and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { ClusterAggregator, Registry } from 'sightline/metrics';
import { promtoolCheckMetrics, findBinary } from '../support/prometheus.js';
import { samples } from '../support/metrics.js';

function waitMessage(w: Worker, expected: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (msg: unknown): void => {
      if (msg === expected) {
        w.off('message', on);
        resolve();
      }
    };
    w.on('message', on);
  });
}

test('primary aggregates 2 real workers per metric rule; a silent worker is left out and counted', { timeout: 60_000 }, async () => {
  cluster.setupPrimary({
    exec: fileURLToPath(new URL('./fixtures/cluster-worker.ts', import.meta.url)),
    execArgv: ['--import', 'tsx', '--conditions=source'],
    silent: false,
  });
  const workers = [0, 1].map((i) => cluster.fork({ WORKER_INDEX: String(i) }));
  const own = new Registry();
  own.gauge({ name: 'primary_only', help: 'Primary' }).set(5);
  const agg = new ClusterAggregator({ registry: own, timeoutMs: 1500, rules: { low_bytes: 'min' } });
  try {
    await Promise.all(workers.map((w) => waitMessage(w, 'ready')));
    const text = await agg.render('text');
    const s = samples(text);
    assert.equal(s.get('jobs_total{kind="a"}'), '30'); // 10 + 20
    assert.equal(s.get('peak_bytes'), '200'); // max
    assert.equal(s.get('low_bytes'), '100'); // min
    assert.equal(s.get('build_info{version="1.2.3"}'), '1'); // first
    assert.equal(s.has('worker_secret'), false); // omit
    assert.doesNotMatch(text, /worker_secret/);
    assert.equal(s.get('work_seconds_bucket{le="1"}'), '1'); // 0.5 and 1.5
    assert.equal(s.get('work_seconds_bucket{le="2"}'), '2');
    assert.equal(s.get('work_seconds_bucket{le="+Inf"}'), s.get('work_seconds_count'));
    assert.equal(s.get('work_seconds_sum'), '2');
    assert.equal(s.get('size_bytes_count'), '2');
    assert.equal(s.get('size_bytes{quantile="0.5"}'), '20'); // quantiles: max across workers
    assert.equal(s.get('collected'), '3'); // collect callbacks ran in each worker: 1 + 2
    assert.equal(s.get('primary_only'), '5');
    assert.equal(s.get('sightline_metrics_cluster_worker_timeouts_total'), '0');
    const promtool = findBinary('promtool');
    if (promtool !== undefined) {
      const res = await promtoolCheckMetrics(text, promtool);
      assert.equal(res.code, 0, res.output);
    }
    assert.ok((await agg.render('openmetrics')).endsWith('# EOF\n'));

    // Worker 1 stops answering: its collect callback never finishes.
    workers[1]!.send('hang');
    await waitMessage(workers[1]!, 'hanging');
    const s2 = samples(await agg.render('text'));
    assert.equal(s2.get('jobs_total{kind="a"}'), '10');
    assert.equal(s2.get('peak_bytes'), '100');
    assert.equal(s2.get('sightline_metrics_cluster_worker_timeouts_total'), '1');
  } finally {
    agg.close();
    for (const w of workers) w.kill();
  }
});
