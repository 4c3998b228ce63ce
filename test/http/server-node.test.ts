import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { setContextUser, addContextFields, currentContext } from 'sightline/context';
import { isValidRequestId, routeMatcher } from 'sightline/http';
import { testObs, listen, close, get, sendAndAbort, until, samples, sampleValue } from '../support/http.js';

const SERVER = 1;

test('node:http: request id, SERVER span with semantic-convention attributes, RED metrics, one completion line', async () => {
  const { obs, logs, spans } = testObs({ http: { routes: ['/users/:id'], logHeaders: ['accept', 'authorization'] } });
  let inside: { requestId?: string; traceId?: string } = {};
  const server = http.createServer(obs.handler((req, res) => {
    inside = { requestId: currentContext().requestId, traceId: currentContext().traceIds?.traceId };
    obs.log.info('handling');
    res.statusCode = req.url?.startsWith('/users/7') === true ? 200 : 404;
    res.setHeader('content-type', 'text/plain');
    res.end('hello');
  }));
  const base = await listen(server);
  try {
    const r = await get(`${base}/users/7?token=secret`, { 'x-request-id': 'req-42', 'user-agent': 'ua/1', accept: 'text/plain', authorization: 'Bearer xyz' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-request-id'], 'req-42');
    assert.equal(inside.requestId, 'req-42');

    const server1 = spans.getFinishedSpans().filter((s) => s.kind === SERVER);
    assert.equal(server1.length, 1);
    const span = server1[0]!;
    assert.equal(span.name, 'GET /users/:id');
    assert.equal(span.traceId, inside.traceId);
    assert.equal(span.attributes['http.request.method'], 'GET');
    assert.equal(span.attributes['url.path'], '/users/7');
    assert.equal(span.attributes['http.route'], '/users/:id');
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.attributes['server.address'], '127.0.0.1');
    assert.equal(span.attributes['client.address'], '127.0.0.1');
    assert.equal(span.attributes['user_agent.original'], 'ua/1');
    assert.equal(span.attributes['network.protocol.version'], '1.1');
    assert.equal(span.status.code, 0);

    const lines = logs.records().filter((l) => l.msg === 'request completed');
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.level, 'info');
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/users/:id');
    assert.equal(line.path, '/users/7', 'the query string (which may hold credentials) is not logged');
    assert.equal(line.status, 200);
    assert.equal(line.bytes, 5);
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(line.client_address, '127.0.0.1');
    assert.equal(line.user_agent, 'ua/1');
    assert.equal(line.request_id, 'req-42');
    assert.equal(line.trace_id, span.traceId);
    assert.equal(line.span_id, span.spanId);
    assert.deepEqual(line.headers, { accept: 'text/plain', authorization: '[REDACTED]' });
    assert.ok(!JSON.stringify(logs.records()).includes('xyz'), 'credentials never reach a line');
    const inner = logs.records().find((l) => l.msg === 'handling')!;
    assert.equal(inner.trace_id, span.traceId);
    assert.equal(inner.request_id, 'req-42');

    assert.equal(await sampleValue(obs, 'http_server_requests_total{http_request_method="GET",http_route="/users/:id",http_response_status_code="200"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/users/:id",http_response_status_code="200"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_active_requests{http_request_method="GET"}'), 0);
    const om = await obs.metrics.render('openmetrics');
    assert.match(om, new RegExp(`http_server_request_duration_seconds_bucket\\{[^}]*\\} 1 # \\{trace_id="${span.traceId}",span_id="${span.spanId}"\\}`), 'exemplar from the request span');
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('node:http: levels by status, thrown errors recorded, 5xx marks the span ERROR', async () => {
  const { obs, logs, spans } = testObs({ http: { routes: ['/ok', '/missing', '/fail', '/throw'] } });
  const wrapped = obs.handler(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    await Promise.resolve();
    if (req.url === '/throw') {
      res.statusCode = 500;
      res.end('x');
      throw new TypeError('handler broke');
    }
    res.statusCode = req.url === '/missing' ? 404 : req.url === '/fail' ? 503 : 200;
    res.end();
  });
  const rejections: unknown[] = [];
  // The wrapper hands back the listener's promise, still rejected: the app's own handling is unchanged.
  const server = http.createServer((req, res) => void wrapped(req, res).catch((e: unknown) => rejections.push(e)));
  const base = await listen(server);
  try {
    for (const p of ['/ok', '/missing', '/fail', '/throw']) await get(base + p);
    await until(() => (logs.records().filter((l) => l.route !== undefined).length === 4 ? true : undefined), '4 lines');
    const byRoute = Object.fromEntries(logs.records().filter((l) => l.route !== undefined).map((l) => [l.route, l]));
    assert.equal(byRoute['/ok']!.level, 'info');
    assert.equal(byRoute['/missing']!.level, 'warn');
    assert.equal(byRoute['/fail']!.level, 'error');
    assert.equal(byRoute['/throw']!.level, 'error');
    assert.equal(byRoute['/throw']!.err.message, 'handler broke');
    const s = Object.fromEntries(spans.getFinishedSpans().filter((x) => x.kind === SERVER).map((x) => [x.name, x]));
    assert.equal(s['GET /missing']!.status.code, 0, '4xx is not a server error');
    assert.equal(s['GET /fail']!.status.code, 2);
    assert.equal(s['GET /fail']!.attributes['error.type'], '503');
    assert.equal(s['GET /throw']!.status.code, 2);
    assert.equal(s['GET /throw']!.attributes['error.type'], 'TypeError');
    assert.equal(s['GET /throw']!.events[0]?.name, 'exception');
    assert.equal(await sampleValue(obs, 'http_server_errors_total{http_request_method="GET",http_route="/fail",error_type="503"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_errors_total{http_request_method="GET",http_route="/throw",error_type="TypeError"}'), 1);
    assert.equal((await samples(obs, 'http_server_errors_total{http_request_method="GET",http_route="/missing"')).length, 0);
    await until(() => (rejections.length === 1 ? true : undefined), 'the rejection still reaches the caller');
    assert.equal((rejections[0] as Error).message, 'handler broke');
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('hostile X-Request-ID values are replaced, valid ones kept (property)', async () => {
  const { obs } = testObs();
  const server = http.createServer(obs.handler((_req, res) => res.end(currentContext().requestId)));
  const base = await listen(server);
  try {
    const hostile = ['a'.repeat(129), 'a'.repeat(10_000), 'x"y', 'id with space', '<script>', 'ü-id', '\u0007bell', 'a,b', '{"json":1}', '../../etc'];
    for (const id of hostile) {
      // Node refuses to send CR/LF and non-latin1 in headers; send what survives the client.
      let r;
      try {
        r = await get(base + '/', { 'x-request-id': id });
      } catch {
        continue;
      }
      if (id === '../../etc') {
        assert.equal(r.headers['x-request-id'], id, 'slashes and dots are safe characters');
        continue;
      }
      assert.notEqual(r.headers['x-request-id'], id);
      assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.equal(r.body, r.headers['x-request-id'], 'the context holds the id returned');
    }
    const none = await get(base + '/');
    assert.match(String(none.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      const ok = isValidRequestId(s);
      return ok === (s.length >= 1 && s.length <= 128 && /^[A-Za-z0-9\-_.:@/+=]+$/.test(s));
    }), { numRuns: 2000 });
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('10,000 random paths keep the series bounded: all land in route="unmatched"', async () => {
  const { obs } = testObs({ http: { routes: ['/known/:id'] }, log: { level: 'error' } });
  const server = http.createServer(obs.handler((_req, res) => {
    res.statusCode = 404;
    res.end();
  }));
  const base = await listen(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const rnd = fc.sample(fc.webPath(), 10_000);
    const one = (p: string): Promise<void> => new Promise((resolve) => {
      const path = '/' + encodeURI(p).replace(/^\/+/, '').replace(/[?#]/g, '');
      http.get(base + path, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', () => resolve());
    });
    for (let i = 0; i < rnd.length; i += 50) await Promise.all(rnd.slice(i, i + 50).map(one));
    const series = await samples(obs, 'http_server_requests_total{');
    assert.equal(series.length, 1, series.slice(0, 5).join('\n'));
    assert.match(series[0]!, /http_route="unmatched",http_response_status_code="404"\} 10000$/);
    const buckets = await samples(obs, 'http_server_request_duration_seconds_bucket{');
    assert.equal(buckets.length, 15, 'one series: 14 buckets and +Inf');
  } finally {
    agent.destroy();
    await close(server);
    await obs.shutdown();
  }
});

/** Sends one raw HTTP/1.1 request over a TCP socket (so header lines repeat exactly as written); resolves with the status line. */
function rawRequest(base: string, headerLines: string[]): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(['GET / HTTP/1.1', `host: ${hostname}:${port}`, 'connection: close', ...headerLines, '', ''].join('\r\n'));
    });
    let answer = '';
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

test('two traceparent header lines: identical ones continue the trace, differing ones start a new one', async () => {
  const { obs, spans } = testObs();
  const server = http.createServer(obs.handler((_req, res) => res.end()));
  const base = await listen(server);
  const A = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const B = '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01';
  try {
    assert.equal(await rawRequest(base, [`traceparent: ${A}`, `traceparent: ${A}`, 'tracestate: foo=1', 'tracestate: foo=2,bar=3']), 'HTTP/1.1 200 OK');
    assert.equal(await rawRequest(base, [`traceparent: ${A}`, `traceparent: ${B}`]), 'HTTP/1.1 200 OK');
    const [same, differ] = spans.getFinishedSpans().filter((s) => s.kind === SERVER);
    assert.equal(same?.traceId, '0af7651916cd43dd8448eb211c80319c', 'identical repeats are one header');
    assert.equal(same?.parentSpanId, 'b7ad6b7169203331');
    assert.equal(same?.traceState, 'foo=1,bar=3', 'tracestate lines combined in order, first foo kept');
    assert.ok(differ !== undefined);
    assert.equal(differ.parentSpanId, undefined, 'differing repeats: a new trace');
    assert.ok(differ.traceId !== '0af7651916cd43dd8448eb211c80319c' && differ.traceId !== '1af7651916cd43dd8448eb211c80319c');
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('malformed traceparent starts a new trace; a valid one is continued', async () => {
  const { obs, spans } = testObs();
  const server = http.createServer(obs.handler((_req, res) => res.end()));
  const base = await listen(server);
  try {
    const bad = ['00-zzzz', '00-00000000000000000000000000000000-b7ad6b7169203331-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01', 'x'.repeat(5000)];
    for (const tp of bad) await get(base + '/', { traceparent: tp, tracestate: 'a=1' });
    const good = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await get(base + '/', { traceparent: good });
    const server1 = spans.getFinishedSpans().filter((s) => s.kind === SERVER);
    assert.equal(server1.length, 6);
    for (const s of server1.slice(0, 5)) {
      assert.equal(s.parentSpanId, undefined);
      assert.notEqual(s.traceId, '0af7651916cd43dd8448eb211c80319c');
    }
    assert.equal(server1[5]!.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(server1[5]!.parentSpanId, 'b7ad6b7169203331');
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('aborted requests are recorded as aborted, not as server errors', async () => {
  const { obs, logs, spans } = testObs({ http: { routes: ['/slow'] } });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- an async listener, as apps write them
  const server = http.createServer(obs.handler(async (_req, res) => {
    await released;
    if (!res.destroyed) res.end('late');
  }));
  const base = await listen(server);
  try {
    await sendAndAbort(base, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => logs.records().find((l) => l.msg === 'request aborted'), 'aborted line');
    release();
    const line = logs.records().find((l) => l.msg === 'request aborted')!;
    assert.equal(line.level, 'warn');
    assert.equal(line.status, 'aborted');
    assert.equal(await sampleValue(obs, 'http_server_requests_total{http_request_method="GET",http_route="/slow",http_response_status_code="aborted"}'), 1);
    assert.equal(await sampleValue(obs, 'http_server_errors_total{http_request_method="GET",http_route="/slow",error_type="aborted"}'), 1);
    assert.equal((await samples(obs, 'http_server_requests_total{http_request_method="GET",http_route="/slow",http_response_status_code="5')).length, 0);
    assert.equal(await sampleValue(obs, 'http_server_active_requests{http_request_method="GET"}'), 0);
    const span = spans.getFinishedSpans().find((s) => s.kind === SERVER)!;
    assert.equal(span.attributes['error.type'], 'aborted');
    assert.equal(span.attributes['http.response.status_code'], undefined);
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('excluded paths are not instrumented; enrich adds user and tenant to every line', async () => {
  const { obs, logs, spans } = testObs({
    http: {
      exclude: ['/metrics', /^\/internal\//],
      enrich: (req, span) => {
        const user = req.headers['x-user'];
        if (typeof user === 'string') setContextUser(user);
        addContextFields({ tenant: 'acme' });
        span.setAttribute('tenant', 'acme');
      },
    },
  });
  const server = http.createServer(obs.handler((_req, res) => {
    obs.log.info('inside');
    res.end();
  }));
  const base = await listen(server);
  try {
    await get(base + '/metrics');
    await get(base + '/internal/x?y');
    assert.equal(spans.getFinishedSpans().filter((s) => s.kind === SERVER).length, 0);
    assert.equal(logs.records().filter((l) => l.msg === 'request completed').length, 0);
    assert.equal((await samples(obs, 'http_server_requests_total{')).length, 0);
    await get(base + '/app', { 'x-user': 'u-1' });
    const lines = logs.records().filter((l) => l.request_id !== undefined);
    assert.equal(lines.length, 2, 'only the instrumented request has a context');
    for (const l of lines) {
      assert.equal(l.user_id, 'u-1');
      assert.equal(l.tenant, 'acme');
    }
    assert.equal(spans.getFinishedSpans().find((s) => s.kind === SERVER)!.attributes['tenant'], 'acme');
  } finally {
    await close(server);
    await obs.shutdown();
  }
});

test('routeMatcher: static, params, rest, trailing slash', () => {
  const m = routeMatcher(['/a', '/users/:id', '/users/:id/orders', '/static/*']);
  assert.equal(m('/a', 'GET'), '/a');
  assert.equal(m('/a/', 'GET'), '/a');
  assert.equal(m('/users/1', 'GET'), '/users/:id');
  assert.equal(m('/users/1/orders', 'GET'), '/users/:id/orders');
  assert.equal(m('/users/', 'GET'), undefined);
  assert.equal(m('/static/css/x.css', 'GET'), '/static/*');
  assert.equal(m('/nope', 'GET'), undefined);
  assert.throws(() => routeMatcher(['nope']), { code: 'SL_ERR_HTTP_INVALID_ROUTE' });
  assert.throws(() => routeMatcher(['/a/*/b']), { code: 'SL_ERR_HTTP_INVALID_ROUTE' });
});

test('the request-id header is visible to the app, can be overwritten, and goes through an overriding setHeader', async () => {
  const { obs } = testObs({ http: { requestIdHeader: 'X-Correlation-ID' } });
  const seen: { get?: unknown; names?: string[] } = {};
  const server = http.createServer(obs.handler((req, res) => {
    seen.get = res.getHeader('x-correlation-id');
    seen.names = res.getHeaderNames();
    if (req.url === '/override') res.setHeader('X-Correlation-ID', 'app-chosen');
    res.end('ok');
  }));
  const calls: string[] = [];
  class RecordingResponse extends http.ServerResponse {
    override setHeader(name: string, value: number | string | readonly string[]): this {
      calls.push(name);
      return super.setHeader(name, value);
    }
  }
  const custom = http.createServer({ ServerResponse: RecordingResponse }, obs.handler((_req, res) => res.end('ok')));
  const base = await listen(server);
  const customBase = await listen(custom);
  try {
    const r = await get(`${base}/x`, { 'x-correlation-id': 'abc-1' });
    assert.equal(r.headers['x-correlation-id'], 'abc-1');
    assert.equal(seen.get, 'abc-1');
    assert.deepEqual(seen.names, ['x-correlation-id']);
    const generated = await get(`${base}/x`);
    assert.match(String(generated.headers['x-correlation-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const overridden = await get(`${base}/override`, { 'x-correlation-id': 'abc-2' });
    assert.equal(overridden.headers['x-correlation-id'], 'app-chosen');
    const viaSubclass = await get(`${customBase}/x`, { 'x-correlation-id': 'abc-3' });
    assert.equal(viaSubclass.headers['x-correlation-id'], 'abc-3');
    assert.deepEqual(calls, ['x-correlation-id'], 'an overriding setHeader still sees the header');
  } finally {
    await close(server);
    await close(custom);
    await obs.shutdown();
  }
});
