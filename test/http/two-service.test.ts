import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { testObs, listen, close } from '../support/http.js';

const SERVER = 1;
const CLIENT = 2;

test('two services: A calls B with fetch; one trace id, correct parentage, both services log it', async () => {
  // One process, two sightline instances: A owns the (process-wide) client instrumentation.
  const a = testObs({ service: 'svc-a', http: { routes: ['/checkout'] } });
  const b = testObs({ service: 'svc-b', client: false, http: { routes: ['/stock/:sku'] } });
  const serverB = http.createServer(b.obs.handler((req, res) => {
    b.obs.log.info('stock checked', { baggage: req.headers.baggage });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ sku: 'x1', available: true }));
  }));
  const baseB = await listen(serverB);
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- an async listener, as apps write them
  const serverA = http.createServer(a.obs.handler(async (_req, res) => {
    a.obs.log.info('calling stock');
    const r = await fetch(`${baseB}/stock/x1`);
    const body = (await r.json()) as { available: boolean };
    a.obs.log.info('stock answered', { available: body.available });
    res.end('ordered');
  }));
  const baseA = await listen(serverA);
  try {
    const r = await new Promise<string>((resolve, reject) => {
      // A plain TCP-level client so that the test's own call is not traced by A.
      const req = http.request(`${baseA}/checkout`, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
      });
      req.on('error', reject).end();
    });
    assert.equal(r, 'ordered');

    const spansA = a.spans.getFinishedSpans();
    const spansB = b.spans.getFinishedSpans();
    const serverSpanA = spansA.find((s) => s.kind === SERVER && s.name === 'GET /checkout')!;
    const clientSpanA = spansA.find((s) => s.kind === CLIENT && s.attributes['url.full'] === `${baseB}/stock/x1`)!;
    const serverSpanB = spansB.find((s) => s.kind === SERVER)!;
    assert.ok(serverSpanA && clientSpanA && serverSpanB, 'A: server + client span, B: server span');
    assert.equal(spansB.filter((s) => s.kind === CLIENT).length, 0, 'B does not record client spans');
    assert.equal(serverSpanB.name, 'GET /stock/:sku');

    const traceId = serverSpanA.traceId;
    assert.equal(clientSpanA.traceId, traceId);
    assert.equal(serverSpanB.traceId, traceId);
    assert.equal(clientSpanA.parentSpanId, serverSpanA.spanId, 'A client span is a child of A server span');
    assert.equal(serverSpanB.parentSpanId, clientSpanA.spanId, 'B server span is a child of A client span');
    assert.equal(clientSpanA.attributes['http.response.status_code'], 200);
    assert.equal(clientSpanA.attributes['http.request.method'], 'GET');
    assert.equal(clientSpanA.attributes['server.address'], '127.0.0.1');
    assert.equal(serverSpanA.resource.attributes['service.name'], 'svc-a');
    assert.equal(serverSpanB.resource.attributes['service.name'], 'svc-b');

    // The request's lines (not the admin server's start line, written outside any request).
    const linesA = a.logs.records().filter((l) => l.service === 'svc-a' && l.msg !== 'admin server listening');
    const linesB = b.logs.records().filter((l) => l.service === 'svc-b' && l.msg !== 'admin server listening');
    assert.ok(linesA.length >= 3 && linesB.length >= 2);
    for (const l of [...linesA, ...linesB]) assert.equal(l.trace_id, traceId, JSON.stringify(l));
    assert.equal(linesB.find((l) => l.msg === 'stock checked')!.span_id, serverSpanB.spanId);

    const om = await a.obs.metrics.render('text');
    assert.match(om, /http_client_request_duration_seconds_count\{http_request_method="GET",server_address="127\.0\.0\.1",server_port="\d+",http_response_status_code="200",error_type=""\} 1/);
  } finally {
    await close(serverA);
    await close(serverB);
    await a.obs.shutdown();
    await b.obs.shutdown();
  }
});
