import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fc from 'fast-check';
import { testObs, listen, close, get } from '../support/http.js';
import { millisText } from '../../src/http/completion-line.js';

const SERVER = 1;

test('completion line: the known-keys serializer honours redaction rules, escapes hostile paths and agents, stays one JSON line', async () => {
  const { obs, logs } = testObs({ log: { redact: { extraKeys: ['user_agent'], paths: ['client_address'] } }, http: { routes: ['/p/:x'] } });
  const server = http.createServer(obs.handler((_req, res) => res.end('ok')));
  const base = await listen(server);
  try {
    await get(`${base}/p/a%22b%0A`, { 'user-agent': 'evil"\\agent' });
    const line = logs.records().find((l) => l.msg === 'request completed')!;
    assert.equal(line.path, '/p/a%22b%0A');
    assert.equal(line.route, '/p/:x');
    assert.equal(line.user_agent, '[REDACTED]', 'a key redacted by name is censored');
    assert.equal(line.client_address, '[REDACTED]', 'a key redacted by a top-level path rule is censored');
    assert.equal(line.bytes, 2);
    assert.equal(line.status, 200);
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('completion line: any user agent and path round-trip through the line unchanged (property)', async () => {
  const { obs, logs } = testObs();
  const server = http.createServer(obs.handler((_req, res) => res.end('ok')));
  const base = await listen(server);
  try {
    await fc.assert(fc.asyncProperty(fc.stringMatching(/^[ -~]{1,60}$/), fc.stringMatching(/^[a-zA-Z0-9%._~-]{0,30}$/), async (ua, seg) => {
      fc.pre(ua.trim() === ua && seg !== '.' && seg !== '..');
      logs.clear();
      await get(`${base}/q/${seg}`, { 'user-agent': ua });
      const rec = logs.records().filter((l) => l.msg === 'request completed');
      assert.equal(rec.length, 1);
      assert.equal(rec[0]!.user_agent, ua);
      assert.equal(rec[0]!.path, `/q/${seg}`);
      assert.equal(rec[0]!.route, 'unmatched');
    }), { numRuns: 60 });
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('span attributes recorded lazily read the same as eager ones, also after the user set one mid-request', async () => {
  const { obs, spans } = testObs({ http: { routes: ['/a', '/b'] } });
  const server = http.createServer(obs.handler((req, res) => {
    if (req.url === '/b') obs.tracer.startSpan('inner').end();
    if (req.url === '/b') (currentSpan() as { setAttribute(k: string, v: string): void }).setAttribute('app.flag', 'yes');
    res.statusCode = req.url === '/b' ? 503 : 200;
    res.end('x');
  }));
  const base = await listen(server);
  try {
    await get(`${base}/a`, { 'user-agent': 'ua/2' });
    await get(`${base}/b`);
    const server1 = spans.getFinishedSpans().filter((s) => s.kind === SERVER);
    assert.equal(server1.length, 2);
    const [a, b] = server1;
    assert.deepEqual(Object.keys(a!.attributes), [
      'http.request.method', 'url.path', 'url.scheme', 'http.route', 'server.address', 'server.port', 'client.address',
      'network.peer.address', 'network.peer.port', 'user_agent.original', 'network.protocol.version', 'http.response.status_code',
    ]);
    assert.equal(a!.attributes['http.response.status_code'], 200);
    assert.equal(a!.droppedAttributesCount, 0);
    assert.equal(b!.attributes['app.flag'], 'yes');
    assert.equal(b!.attributes['http.response.status_code'], 503);
    assert.equal(b!.attributes['error.type'], '503');
    assert.equal(b!.status.code, 2);
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

import { trace } from '@opentelemetry/api';
function currentSpan(): unknown {
  return trace.getActiveSpan();
}

test('duration_ms text equals String() of the whole-microsecond millisecond value (property)', () => {
  const same = (ms: number): void => assert.equal(millisText(ms), String(ms), `for ${ms}`);
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (us) => same(Math.round(us) / 1e3)), { numRuns: 20000 });
  fc.assert(fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (s) => same(Math.round(s * 1e6) / 1e3)), { numRuns: 20000 });
  for (const ms of [0, 0.001, 0.01, 0.1, 0.5, 1, 1.5, 999.999, 1000, 123456.789, 1e12 - 0.001, 1e13, 1e15, 1e21, -1, -0.001, 0.0001, 1.0005, Number.MAX_SAFE_INTEGER]) same(ms);
});
