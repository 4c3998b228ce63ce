import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { currentContext } from 'sightline/context';
import { testObs, samples, sampleValue } from '../support/http.js';

const SERVER = 1;

test('Fastify 5: routeOptions.url with prefixes, context after body parsing, onError, unmatched 404s', async () => {
  const { obs, logs, spans } = testObs();
  const app = Fastify();
  await app.register(obs.fastify);
  await app.register((scope, _opts, done) => {
    scope.get('/items/:id', async (req) => {
      await new Promise((r) => setTimeout(r, 2));
      obs.log.info('item', { id: (req.params as { id: string }).id });
      return { requestId: currentContext().requestId, traceId: currentContext().traceIds?.traceId };
    });
    scope.post('/orders', async (req) => {
      await Promise.resolve();
      obs.log.info('order body', { items: (req.body as { items: number }).items });
      return { requestId: currentContext().requestId };
    });
    scope.get('/fail', async () => {
      await Promise.resolve();
      throw new SyntaxError('bad input upstream');
    });
    done();
  }, { prefix: '/shop' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const a = await app.inject({ method: 'GET', url: '/shop/items/5', headers: { 'x-request-id': 'fy-1' } });
    assert.equal(a.statusCode, 200);
    assert.equal(a.json().requestId, 'fy-1');
    assert.equal(a.headers['x-request-id'], 'fy-1');
    const b = await fetch(base + '/shop/orders', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'fy-2' }, body: JSON.stringify({ items: 3 }) });
    assert.equal(((await b.json()) as { requestId: string }).requestId, 'fy-2', 'context survives body parsing');
    // The request id is returned on every response, the error and not-found ones included, and
    // over a real socket too (the plugin sets it through the reply).
    const failed = await app.inject({ method: 'GET', url: '/shop/fail', headers: { 'x-request-id': 'fy-3' } });
    assert.equal(failed.statusCode, 500);
    assert.equal(failed.headers['x-request-id'], 'fy-3');
    const missing = await app.inject({ method: 'GET', url: '/wp-admin.php' });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['x-request-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(b.headers.get('x-request-id'), 'fy-2');

    const server = spans.getFinishedSpans().filter((s) => s.kind === SERVER);
    const names = server.map((s) => s.name).sort();
    assert.deepEqual(names, ['GET', 'GET /shop/fail', 'GET /shop/items/:id', 'POST /shop/orders']);
    const fail = server.find((s) => s.name === 'GET /shop/fail')!;
    assert.equal(fail.status.code, 2);
    assert.equal(fail.attributes['error.type'], 'SyntaxError');
    const order = logs.records().find((l) => l.msg === 'order body')!;
    assert.equal(order.request_id, 'fy-2');
    assert.equal(order.trace_id, server.find((s) => s.name === 'POST /shop/orders')!.traceId);
    assert.equal(await sampleValue(obs, 'http_server_requests_total{http_request_method="GET",http_route="/shop/items/:id",http_response_status_code="200"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_requests_total{http_request_method="GET",http_route="unmatched",http_response_status_code="404"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_errors_total{http_request_method="GET",http_route="/shop/fail",error_type="SyntaxError"}'), 1);
    assert.equal((await samples(obs, 'http_server_active_requests{')).every((l) => l.endsWith(' 0')), true);
  } finally {
    await app.close();
    await obs.shutdown();
  }
});
