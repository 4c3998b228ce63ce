import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { requireBinary, startPrometheus } from '../support/prometheus.js';
import { testObs, listen, close, get } from '../support/http.js';

test('a real Prometheus scrapes the admin server: target up, RED values, runtime metrics, exemplars', { timeout: 120_000 }, async (t) => {
  if (requireBinary(t, 'prometheus') === undefined) return;
  const { obs } = testObs({ metrics: { defaultMetrics: true }, http: { routes: ['/orders/:id', '/fail'] } });
  const server = http.createServer(obs.handler((req, res) => {
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end();
  }));
  const base = await listen(server);
  const addr = await obs.admin!.ready();
  assert.ok(addr !== undefined);
  assert.equal(addr.address, '127.0.0.1');
  for (let i = 0; i < 5; i++) await get(`${base}/orders/${i}`);
  for (let i = 0; i < 2; i++) await get(`${base}/fail`);
  await get(`${base}/random/${Math.random()}`);
  const prom = await startPrometheus({ jobs: [{ job: 'svc', targets: [`127.0.0.1:${addr.port}`] }] });
  try {
    const targets = await prom.waitFor(async () => {
      const ts = await prom.targets();
      return ts.length === 1 && ts[0]!.health === 'up' ? ts : undefined;
    }, 30_000, 'target up');
    assert.equal(targets[0]!.lastError, '');
    const q = async (expr: string): Promise<string | undefined> => (await prom.query(expr))[0]?.value[1];
    assert.equal(await prom.waitFor(() => q('up{job="svc"}')), '1');
    assert.equal(await q('http_server_requests_total{job="svc",http_route="/orders/:id",http_response_status_code="200"}'), '5');
    assert.equal(await q('http_server_requests_total{job="svc",http_route="/fail",http_response_status_code="500"}'), '2');
    assert.equal(await q('http_server_requests_total{job="svc",http_route="unmatched"}'), '1');
    assert.equal(await q('http_server_errors_total{job="svc",http_route="/fail",error_type="500"}'), '2');
    assert.equal(await q('sum(http_server_request_duration_seconds_count{job="svc"})'), '8');
    assert.equal(await q('http_server_active_requests{job="svc",http_request_method="GET"}'), '0');
    assert.ok(Number(await q('process_cpu_seconds_total{job="svc"}')) > 0, 'runtime metrics on by default');
    // 8 server spans plus the CLIENT spans of the test's own calls (get() and the queries' fetch).
    assert.ok(Number(await q('sightline_trace_spans_total{job="svc",outcome="ended"}')) >= 16);
    const ex = await prom.waitFor(async () => {
      const res = await prom.queryExemplars('http_server_request_duration_seconds_bucket{job="svc"}');
      return res.length > 0 ? res : undefined;
    }, 30_000, 'exemplars');
    assert.match(ex[0]!.exemplars[0]!.labels.trace_id!, /^[0-9a-f]{32}$/);
  } finally {
    await prom.stop();
    await close(server);
    await obs.shutdown();
  }
});
