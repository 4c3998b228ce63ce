import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { acceptsGzip, metricsHandler, negotiateFormat, OPENMETRICS_CONTENT_TYPE, Registry, TEXT_CONTENT_TYPE } from 'sightline/metrics';
import type { MetricsHandlerOptions } from 'sightline/metrics';

const PROMETHEUS_2_42 = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

test('content negotiation honours q-values', () => {
  assert.equal(negotiateFormat(PROMETHEUS_2_42), 'openmetrics');
  assert.equal(negotiateFormat(undefined), 'text');
  assert.equal(negotiateFormat(''), 'text');
  assert.equal(negotiateFormat('*/*'), 'openmetrics');
  assert.equal(negotiateFormat('text/plain;version=0.0.4'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;version=1.0.0;q=0.2,text/plain;q=0.9'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0,*/*'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;version=2.0.0,text/plain;q=0.1'), 'text');
  assert.equal(negotiateFormat('application/json'), 'text', 'nothing acceptable: fall back to text 0.0.4');
  assert.equal(negotiateFormat(PROMETHEUS_2_42, ['text']), 'text');
  assert.equal(negotiateFormat('text/plain', ['openmetrics']), 'openmetrics');
});

test('Accept-Encoding parsing', () => {
  assert.equal(acceptsGzip('gzip'), true);
  assert.equal(acceptsGzip('br, gzip;q=0.5'), true);
  assert.equal(acceptsGzip('gzip;q=0'), false);
  assert.equal(acceptsGzip('*'), true);
  assert.equal(acceptsGzip('identity'), false);
  assert.equal(acceptsGzip(undefined), false);
});

async function serve(registry: Registry, options?: MetricsHandlerOptions): Promise<{ port: number; server: Server }> {
  const server = createServer(metricsHandler(registry, options));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { port: typeof addr === 'object' && addr !== null ? addr.port : 0, server };
}

function get(port: number, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('metricsHandler serves both formats, gzip on request, HEAD, and 405 for other methods', async () => {
  const r = new Registry();
  r.counter({ name: 'hits_total', help: 'Hits' }).inc(7);
  const { port, server } = await serve(r);
  try {
    const om = await get(port, { accept: PROMETHEUS_2_42 });
    assert.equal(om.status, 200);
    assert.equal(om.headers['content-type'], OPENMETRICS_CONTENT_TYPE);
    assert.match(om.body.toString(), /^hits_total 7$/m);
    assert.ok(om.body.toString().endsWith('# EOF\n'));

    const text = await get(port, { accept: 'text/plain;version=0.0.4' });
    assert.equal(text.headers['content-type'], TEXT_CONTENT_TYPE);
    assert.doesNotMatch(text.body.toString(), /# EOF/);

    const gz = await get(port, { accept: 'text/plain', 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), text.body.toString());
    assert.equal(Number(gz.headers['content-length']), gz.body.length);

    const head = await get(port, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);

    const post = await get(port, {}, 'POST');
    assert.equal(post.status, 405);
  } finally {
    server.close();
  }
});

test('a handler restricted to text serves text even to an OpenMetrics scraper', async () => {
  const r = new Registry();
  r.gauge({ name: 'g', help: 'g' }).set(1);
  const { port, server } = await serve(r, { formats: ['text'] });
  try {
    const res = await get(port, { accept: PROMETHEUS_2_42 });
    assert.equal(res.headers['content-type'], TEXT_CONTENT_TYPE);
  } finally {
    server.close();
  }
});
