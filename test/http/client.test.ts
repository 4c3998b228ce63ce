import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { request as namedRequest } from 'node:http';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { OTEL_SUPPRESS_TRACING_KEY, runInContext } from 'sightline/context';
import { testObs, listen, close } from '../support/http.js';

const CLIENT = 2;

function call(fn: typeof http.request, url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = fn(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('http.request / http.get / named import: CLIENT span, traceparent + baggage injected, duration recorded; suppressed calls untouched', async () => {
  const { obs, spans } = testObs();
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.statusCode = req.url === '/err' ? 502 : 200;
    res.end('x');
  });
  const base = await listen(server);
  try {
    await obs.tracer.span('parent', async (parent) => {
      assert.equal(await call(http.request, `${base}/a?q=secret`, { baggage: 'k=v' }), 200);
      assert.equal(await call(namedRequest, `${base}/b`), 200);
      await new Promise<void>((resolve) => http.get(`${base}/err`, (res) => {
        res.resume();
        res.on('end', () => resolve());
      }));
      const client = spans.getFinishedSpans().filter((s) => s.kind === CLIENT);
      assert.equal(client.length, 3);
      for (const [i, s] of client.entries()) {
        assert.equal(s.traceId, parent.spanContext().traceId);
        assert.equal(s.parentSpanId, parent.spanContext().spanId);
        assert.equal(seen[i]!.traceparent, `00-${s.traceId}-${s.spanId}-03`);
      }
      assert.equal(client[0]!.attributes['url.full'], `${base}/a`, 'no query string in url.full');
      assert.equal(client[2]!.attributes['http.response.status_code'], 502);
      assert.equal(client[2]!.attributes['error.type'], '502');
      assert.equal(client[2]!.status.code, 2);
    });
    // The OTLP exporter runs its requests with the suppress-tracing key: nothing recorded or injected.
    const before = spans.getFinishedSpans().length;
    const suppressed = context.with(ROOT_CONTEXT.setValue(OTEL_SUPPRESS_TRACING_KEY, true), () => call(http.request, `${base}/export`));
    assert.equal(await suppressed, 200);
    assert.equal(seen.at(-1)!.traceparent, undefined);
    assert.equal(spans.getFinishedSpans().length, before);
    const text = await obs.metrics.render('text');
    assert.match(text, /http_client_request_duration_seconds_count\{http_request_method="GET",server_address="127\.0\.0\.1",server_port="\d+",http_response_status_code="502",error_type="502"\} 1/);
    const counts = text.split('\n').filter((l) => l.startsWith('http_client_request_duration_seconds_count{')).map((l) => Number(l.split(' ').at(-1)));
    assert.equal(counts.reduce((a, b) => a + b, 0), 3, 'the suppressed call is not measured');

    // A refused connection ends the span with the error code.
    const refused = await new Promise<string>((resolve) => {
      runInContext({}, () => http.get('http://127.0.0.1:9/', () => resolve('answered')).on('error', (e: NodeJS.ErrnoException) => resolve(String(e.code))));
    });
    assert.equal(refused, 'ECONNREFUSED');
    const failed = spans.getFinishedSpans().filter((s) => s.kind === CLIENT).at(-1)!;
    assert.equal(failed.attributes['error.type'], 'ECONNREFUSED');
  } finally {
    await close(server);
    await obs.shutdown();
  }
  // After shutdown the originals are back.
  const after = spans.getFinishedSpans().length;
  const srv2 = http.createServer((_q, r) => r.end());
  const b2 = await listen(srv2);
  await call(http.request, b2);
  assert.equal(spans.getFinishedSpans().length, after);
  await close(srv2);
});
