// A real Prometheus scrapes two targets serving the same registry: one negotiates OpenMetrics
// (Prometheus 2.42's default), one only speaks text 0.0.4. Both must be healthy, the exact values
// must be queryable, and the exemplars' trace ids must come back from /api/v1/query_exemplars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { metricsHandler, Registry } from 'sightline/metrics';
import type { MetricsHandlerOptions } from 'sightline/metrics';
import { runInContext } from 'sightline/context';
import { requireBinary, startPrometheus } from '../support/prometheus.js';

async function listen(registry: Registry, options?: MetricsHandlerOptions): Promise<{ server: Server; target: string }> {
  const server = createServer(metricsHandler(registry, options));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, target: `127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}` };
}

test('a real Prometheus scrapes both formats: targets up, exact values, exemplar trace ids', { timeout: 120_000 }, async (t) => {
  if (requireBinary(t, 'prometheus') === undefined) return;
  const r = new Registry();
  const orders = r.counter({ name: 'shop_orders_total', help: 'Orders "placed"\\', labelNames: ['country'] });
  const latency = r.histogram({ name: 'shop_latency_seconds', help: 'Latency', labelNames: ['route'], buckets: [0.1, 0.5, 1] });
  r.gauge({ name: 'shop_queue_depth', help: 'Queue', labelNames: ['queue'] }).set({ queue: 'a "quoted"\\ \n value ü😀' }, 42.25);
  r.summary({ name: 'shop_payload_bytes', help: 'Payloads', percentiles: [0.5] }).observe(512);
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const spanId = 'b7ad6b7169203331';
  runInContext({ trace: { traceId, spanId, traceFlags: 1 } }, () => {
    orders.inc({ country: 'de' }, 3);
    latency.observe({ route: '/checkout' }, 0.25);
  });
  orders.inc({ country: 'fr' });

  const om = await listen(r);
  const text = await listen(r, { formats: ['text'] });
  const prom = await startPrometheus({ jobs: [{ job: 'om', targets: [om.target] }, { job: 'text', targets: [text.target] }] });
  try {
    const targets = await prom.waitFor(async () => {
      const ts = await prom.targets();
      return ts.length === 2 && ts.every((x) => x.health === 'up') ? ts : undefined;
    }, 30_000, 'both targets up');
    for (const x of targets) assert.equal(x.lastError, '', `${x.labels.job}: ${x.lastError}`);

    for (const job of ['om', 'text']) {
      const q = async (expr: string): Promise<string | undefined> => (await prom.query(expr))[0]?.value[1];
      assert.equal(await prom.waitFor(() => q(`up{job="${job}"}`)), '1');
      assert.equal(await q(`shop_orders_total{job="${job}",country="de"}`), '3');
      assert.equal(await q(`shop_orders_total{job="${job}",country="fr"}`), '1');
      assert.equal(await q(`shop_queue_depth{job="${job}",queue="a \\"quoted\\"\\\\ \\n value ü😀"}`), '42.25');
      assert.equal(await q(`shop_latency_seconds_count{job="${job}",route="/checkout"}`), '1');
      assert.equal(await q(`shop_latency_seconds_sum{job="${job}",route="/checkout"}`), '0.25');
      assert.equal(await q(`shop_latency_seconds_bucket{job="${job}",route="/checkout",le=~"0.5|0.5.0"}`), '1');
      assert.equal(await q(`shop_payload_bytes{job="${job}",quantile=~"0.5"}`), '512');
      assert.equal(await q(`count(shop_latency_seconds_bucket{job="${job}"})`), '4');
    }

    const exemplars = await prom.waitFor(async () => {
      const res = await prom.queryExemplars('{__name__=~"shop_orders_total|shop_latency_seconds_bucket",job="om"}');
      return res.length >= 2 ? res : undefined;
    }, 30_000, 'exemplars');
    const ids = exemplars.flatMap((s) => s.exemplars.map((e) => `${s.seriesLabels.__name__}:${e.labels.trace_id}:${e.labels.span_id}:${e.value}`));
    assert.ok(ids.includes(`shop_orders_total:${traceId}:${spanId}:3`), ids.join('\n'));
    assert.ok(ids.includes(`shop_latency_seconds_bucket:${traceId}:${spanId}:0.25`), ids.join('\n'));
    // No exemplars from the text target (the format has none).
    assert.equal((await prom.queryExemplars('{job="text"}')).length, 0);
  } finally {
    await prom.stop();
    om.server.close();
    text.server.close();
  }
});
