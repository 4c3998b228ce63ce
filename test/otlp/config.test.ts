import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpSpanExporter, OtlpLogDestination, parseRetryAfter } from 'sightline/otlp';

test('endpoint: option as is; per-signal variable as is; base variable + /v1/<signal>; default', () => {
  assert.equal(new OtlpSpanExporter({ url: 'http://c:1/custom', env: {} }).url, 'http://c:1/custom');
  assert.equal(new OtlpSpanExporter({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:2/x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:3' } }).url, 'http://t:2/x');
  assert.equal(new OtlpSpanExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:3/' } }).url, 'http://b:3/v1/traces');
  assert.equal(new OtlpLogDestination({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:3/otlp' } }).name, 'otlp:http://b:3/otlp/v1/logs');
  assert.equal(new OtlpSpanExporter({ env: {} }).url, 'http://localhost:4318/v1/traces');
  assert.equal(new OtlpSpanExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: '' } }).url, 'http://localhost:4318/v1/traces', 'empty = unset');
});

test('bad env values are ignored (warned once); bad options throw coded errors', () => {
  assert.equal(new OtlpSpanExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' } }).url, 'http://localhost:4318/v1/traces');
  assert.throws(() => new OtlpSpanExporter({ url: 'ftp://x' }), { code: 'SL_ERR_OTLP_INVALID_ENDPOINT', field: 'url' });
  assert.throws(() => new OtlpSpanExporter({ timeoutMillis: -1 }), { code: 'SL_ERR_OTLP_INVALID_OPTION', field: 'timeoutMillis' });
  assert.throws(() => new OtlpSpanExporter({ maxQueuedBatches: 0 }), { code: 'SL_ERR_OTLP_INVALID_OPTION' });
  assert.throws(() => new OtlpLogDestination({ maxQueueSize: 1.5 }), { code: 'SL_ERR_OTLP_INVALID_OPTION', field: 'maxQueueSize' });
});

test('Retry-After: delay-seconds or HTTP date', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:29:00 GMT')), 0);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});
