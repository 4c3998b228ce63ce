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
  // curl's default and most scrapers' fallback: text 0.0.4, as Prometheus' own client libraries answer.
  assert.equal(negotiateFormat('*/*'), 'text');
  assert.equal(negotiateFormat('*/*', ['openmetrics', 'text']), 'text', 'a full tie goes to text whatever the offered order');
  assert.equal(negotiateFormat('application/*'), 'text', 'OpenMetrics only when asked for by name');
  assert.equal(negotiateFormat('text/*;q=0.5,*/*'), 'text');
  // Equal q and specificity: the client's order decides.
  assert.equal(negotiateFormat('application/openmetrics-text,text/plain'), 'openmetrics');
  assert.equal(negotiateFormat('text/plain,application/openmetrics-text'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;version=1.0.0,*/*;q=0.1'), 'openmetrics');
  assert.equal(negotiateFormat('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), 'text', 'a browser gets text');
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

test('metricsHandler: curl (Accept */*) and a missing Accept get text 0.0.4; Prometheus gets OpenMetrics', async () => {
  const r = new Registry();
  r.counter({ name: 'hits_total', help: 'Hits' }).inc(2);
  const { port, server } = await serve(r);
  try {
    for (const headers of [{ accept: '*/*' }, {}, { accept: 'text/*' }] as Record<string, string>[]) {
      const res = await get(port, headers);
      assert.equal(res.headers['content-type'], TEXT_CONTENT_TYPE, JSON.stringify(headers));
      assert.match(res.body.toString(), /^hits_total 2$/m);
      assert.doesNotMatch(res.body.toString(), /# EOF/);
    }
    const om = await get(port, { accept: PROMETHEUS_2_42 });
    assert.equal(om.headers['content-type'], OPENMETRICS_CONTENT_TYPE);
  } finally {
    server.close();
  }
});

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

/** A registry whose exposition spans many 64 KiB chunks, with multi-byte label values everywhere. */
function bigRegistry(): Registry {
  const r = new Registry({ maxSeries: 100_000, onWarning: () => undefined });
  const h = r.histogram({ name: 'big_seconds', help: 'Big "histogram" — ünïcödé \\ help\nline', labelNames: ['id', 'name'] });
  const c = r.counter({ name: 'big_total', help: 'c', labelNames: ['id'] });
  for (let i = 0; i < 3000; i++) {
    // Mixed widths (1-, 2-, 3- and 4-byte UTF-8) so chunk cuts land next to every kind of character.
    h.observe({ id: String(i), name: `${'é'.repeat(i % 5)}名${'😀'.repeat(i % 3)}"\\\n${i}` }, (i % 50) / 10);
    c.inc({ id: `x${i}` }, i);
  }
  // A label value larger than a chunk takes the oversized path.
  r.gauge({ name: 'huge', help: 'h', labelNames: ['v'] }).set({ v: 'ü'.repeat(200_000) }, 1.5);
  return r;
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

test('registry.stream() yields exactly the UTF-8 bytes of render(), in both formats', async () => {
  const r = bigRegistry();
  for (const format of ['text', 'openmetrics'] as const) {
    const text = await r.render(format);
    const streamed = await collect(r.stream(format));
    assert.ok(streamed.length > 1_000_000, 'spans many chunks');
    assert.ok(streamed.equals(Buffer.from(text, 'utf8')), `${format}: streamed bytes differ from render()`);
    assert.equal(streamed.toString('utf8'), text);
  }
  assert.ok((await r.render('text')).includes(`\nhuge{v="${'ü'.repeat(200_000)}"} 1.5\n`), 'the oversized label value is rendered whole');
});

test('the handler streams large bodies (chunked, identity and gzip) byte-identical to render()', async () => {
  const r = bigRegistry();
  const { port, server } = await serve(r);
  try {
    for (const [accept, format] of [[PROMETHEUS_2_42, 'openmetrics'], ['text/plain;version=0.0.4', 'text']] as const) {
      const expected = Buffer.from(await r.render(format), 'utf8');
      const plain = await get(port, { accept });
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['transfer-encoding'], 'chunked', 'a large body is streamed');
      assert.equal(plain.headers['content-length'], undefined);
      assert.ok(plain.body.equals(expected), `${format}: identity body differs from render()`);
      const gz = await get(port, { accept, 'accept-encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.ok(gunzipSync(gz.body).equals(expected), `${format}: gunzipped body differs from render()`);
    }
  } finally {
    server.close();
  }
});

test('a client that disconnects mid-stream stops the rendering and leaves the server serving', async () => {
  const r = bigRegistry();
  const { port, server } = await serve(r);
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve() : reject(err)));
      req.end();
    });
    const again = await get(port, { accept: 'text/plain' });
    assert.equal(again.status, 200);
    assert.ok(again.body.equals(Buffer.from(await r.render('text'), 'utf8')));
  } finally {
    server.close();
  }
});

test('a Renderable without stream() is served whole with a content-length', async () => {
  const body = '# HELP x X\n# TYPE x gauge\nx 1\n';
  const server = createServer(metricsHandler({ render: () => Promise.resolve(body) }));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  try {
    const res = await get(typeof addr === 'object' && addr !== null ? addr.port : 0, {});
    assert.equal(res.body.toString(), body);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(body));
  } finally {
    server.close();
  }
});

test('gzipLevel: validated with a coded error; a streamed body round-trips at any level', async () => {
  const r = bigRegistry();
  for (const bad of [0, 10, 1.5, '6']) {
    assert.throws(() => metricsHandler(r, { gzipLevel: bad as number }), (e: unknown) => (e as { code?: string }).code === 'SL_ERR_METRICS_INVALID_OPTION');
  }
  const { port, server } = await serve(r, { gzipLevel: 9 });
  try {
    const gz = await get(port, { accept: 'text/plain', 'accept-encoding': 'gzip' });
    assert.ok(gunzipSync(gz.body).equals(Buffer.from(await r.render('text'), 'utf8')));
  } finally {
    server.close();
  }
});
