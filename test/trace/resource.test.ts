import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import fc from 'fast-check';
import { createResource, parseResourceAttributes, TracerProvider } from 'sightline/trace';

test('defaults: unknown_service, sdk, host and process attributes', () => {
  const a = createResource({}, {}).attributes;
  assert.match(String(a['service.name']), /^unknown_service:/);
  assert.equal(a['telemetry.sdk.name'], 'sightline');
  assert.equal(a['telemetry.sdk.language'], 'nodejs');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(a['telemetry.sdk.version'], pkg.version);
  assert.equal(a['host.name'], hostname());
  assert.equal(a['process.pid'], process.pid);
  assert.equal(a['process.runtime.name'], 'nodejs');
  assert.equal(a['deployment.environment'], undefined);
  assert.equal(createResource({ detect: false }, {}).attributes['host.name'], undefined);
});

test('precedence: OTEL_RESOURCE_ATTRIBUTES < OTEL_SERVICE_NAME < resource option < service option', () => {
  const env = { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,team=pay%20ments,k=a%3Db', OTEL_SERVICE_NAME: 'from-env', NODE_ENV: 'staging' };
  const a = createResource({}, env).attributes;
  assert.equal(a['service.name'], 'from-env');
  assert.equal(a.team, 'pay ments');
  assert.equal(a.k, 'a=b');
  assert.equal(a['deployment.environment'], 'staging');
  assert.equal(createResource({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).attributes['service.name'], 'from-attrs');
  assert.equal(createResource({ attributes: { 'service.name': 'opt' } }, env).attributes['service.name'], 'opt');
  const b = createResource({ service: 'code', serviceVersion: '2.0.0', environment: 'prod', attributes: { 'service.name': 'opt' } }, env).attributes;
  assert.deepEqual([b['service.name'], b['service.version'], b['deployment.environment']], ['code', '2.0.0', 'prod']);
  assert.equal(new TracerProvider({ env: { OTEL_SERVICE_NAME: 'p' } }).resource.attributes['service.name'], 'p');
});

test('empty values are unset; a malformed OTEL_RESOURCE_ATTRIBUTES is discarded whole', () => {
  assert.match(String(createResource({}, { OTEL_SERVICE_NAME: '  ', OTEL_RESOURCE_ATTRIBUTES: '' }).attributes['service.name']), /^unknown_service:/);
  assert.equal(parseResourceAttributes('a=1,b=%E0%A4%A'), undefined);
  assert.equal(parseResourceAttributes('a=1,novalue'), undefined);
  const a = createResource({}, { OTEL_RESOURCE_ATTRIBUTES: 'a=1,=2' }).attributes;
  assert.equal(a.a, undefined);
});

test('percent-encoded values round-trip', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9._]{0,10}$/), fc.string()), (attrs) => {
      const raw = Object.entries(attrs).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',');
      const parsed = parseResourceAttributes(raw) ?? {};
      for (const [k, v] of Object.entries(attrs)) assert.equal(parsed[k], v, "encoded whitespace is kept");
    }),
  );
});

test('bad resource options throw coded errors', () => {
  assert.throws(() => createResource({ attributes: { x: { a: 1 } as never } }), { code: 'SL_ERR_TRACE_INVALID_RESOURCE', field: 'resource.x' });
  assert.throws(() => createResource({ service: '' }), { code: 'SL_ERR_TRACE_INVALID_RESOURCE', field: 'service' });
});
