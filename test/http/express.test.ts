import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import express from 'express';
import { currentContext } from 'sightline/context';
import { testObs, listen, close, get, samples, sampleValue } from '../support/http.js';

const SERVER = 1;

test('Express 5: route templates with their mount path, unmatched 404s, thrown errors, context in async handlers', async () => {
  const { obs, logs, spans } = testObs();
  const app = express();
  app.use(obs.express());
  const api = express.Router();
  api.get('/users/:id', async (req, res) => {
    await new Promise((r) => setTimeout(r, 5));
    obs.log.info('loading user', { id: req.params.id });
    res.json({ id: req.params.id, requestId: currentContext().requestId });
  });
  api.get('/', (_req, res) => void res.send('api root'));
  api.post('/boom', () => {
    throw new RangeError('no such order');
  });
  app.use('/api/v1', api);
  app.get('/health/live', (_req, res) => void res.send('ok'));
  app.use(obs.expressErrors());
  const server = http.createServer(app);
  const base = await listen(server);
  try {
    const r = await get(base + '/api/v1/users/17', { 'x-request-id': 'exp-1' });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { id: '17', requestId: 'exp-1' });
    assert.equal(r.headers['x-request-id'], 'exp-1');
    await get(base + '/api/v1');
    await get(base + '/api/v1/nothing/here');
    await get(base + '/health/live');
    await new Promise<void>((resolve, reject) => {
      http.request(base + '/api/v1/boom', { method: 'POST', agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject).end();
    });

    const names = spans.getFinishedSpans().filter((s) => s.kind === SERVER).map((s) => s.name).sort();
    assert.deepEqual(names, ['GET', 'GET /api/v1', 'GET /api/v1/users/:id', 'POST /api/v1/boom']);
    const user = spans.getFinishedSpans().find((s) => s.name === 'GET /api/v1/users/:id')!;
    assert.equal(user.attributes['http.route'], '/api/v1/users/:id');
    const inner = logs.records().find((l) => l.msg === 'loading user')!;
    assert.equal(inner.trace_id, user.traceId);
    assert.equal(inner.request_id, 'exp-1');
    const boom = spans.getFinishedSpans().find((s) => s.name === 'POST /api/v1/boom')!;
    assert.equal(boom.status.code, 2);
    assert.equal(boom.attributes['error.type'], 'RangeError');
    assert.equal(boom.events[0]?.name, 'exception');

    assert.equal(await sampleValue(obs, 'http_server_requests_total{http_request_method="GET",http_route="/api/v1/users/:id",http_response_status_code="200"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_requests_total{http_request_method="GET",http_route="unmatched",http_response_status_code="404"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_errors_total{http_request_method="POST",http_route="/api/v1/boom",error_type="RangeError"}'), 1);
    assert.equal((await samples(obs, 'http_server_requests_total{http_request_method="GET",http_route="/health/live"')).length, 0, 'probe excluded by default');
    const completed = logs.records().filter((l) => l.route !== undefined);
    assert.equal(completed.length, 4);
    assert.equal(completed.find((l) => l.route === '/api/v1/boom')!.level, 'error');
    assert.equal(completed.find((l) => l.route === 'unmatched')!.level, 'warn');
  } finally {
    await close(server);
    await obs.shutdown();
  }
});
