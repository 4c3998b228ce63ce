import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createHealth, customCheck, diskSpaceCheck, httpCheck, scrubSecrets } from 'sightline/health';
import type { CheckFunction } from 'sightline/health';
import { waitFor } from './helpers.js';

function oneCheck(check: CheckFunction, extra: { timeoutMs?: number; critical?: boolean } = {}) {
  const health = createHealth({ started: true, intervalMs: 60_000 });
  health.register({ name: 'c', check, ...extra });
  return health;
}

test('a check that never settles fails at its timeout and receives an aborted signal', async () => {
  let signal: AbortSignal | undefined;
  let given = 0;
  const health = oneCheck(({ signal: s, timeoutMs }) => {
    signal = s;
    given = timeoutMs;
    return new Promise(() => {});
  }, { timeoutMs: 50 });
  try {
    await waitFor(() => health.latest('c') !== undefined, 'timeout result');
    const r = health.latest('c')!;
    assert.equal(r.status, 'fail');
    assert.equal(r.output, 'timed out after 50 ms');
    assert.equal(given, 50);
    assert.equal(signal?.aborted, true);
    assert.equal(health.readiness().statusCode, 503);
  } finally {
    health.close();
  }
});

test('sync throws, non-promises and garbage resolutions fail with a clear output', async () => {
  const cases: [string, CheckFunction, RegExp][] = [
    ['throws', () => { throw new TypeError('bad wiring'); }, /^check threw synchronously: TypeError: bad wiring$/],
    ['returns a value', (() => true) as unknown as CheckFunction, /returned boolean instead of a Promise: make the check function async/],
    ['returns undefined', (() => undefined) as unknown as CheckFunction, /returned undefined instead of a Promise/],
    ['resolves a number', () => Promise.resolve(42 as never), /resolved with a number; expected nothing, a boolean or/],
    ['resolves a string', () => Promise.resolve('ok' as never), /resolved with a string/],
    ['resolves null', () => Promise.resolve(null as never), /resolved with null/],
    ['resolves an array', () => Promise.resolve([] as never), /resolved with an array/],
    ['bad status', () => Promise.resolve({ status: 'ok' } as never), /status "ok"; expected "pass", "warn" or "fail"/],
    ['object observedValue', () => Promise.resolve({ observedValue: {} } as never), /observedValue of type an object/],
    ['NaN observedValue', () => Promise.resolve({ observedValue: NaN }), /non-finite observedValue/],
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error reason is the case under test
    ['rejects a non-Error', () => Promise.reject('nope'), /^nope$/],
    ['returns false', () => Promise.resolve(false), /^check returned false$/],
  ];
  for (const [what, fn, re] of cases) {
    const health = oneCheck(fn);
    try {
      await health.refresh();
      const r = health.latest('c')!;
      assert.equal(r.status, 'fail', what);
      assert.match(r.output ?? '', re, what);
      assert.equal(health.readiness().statusCode, 503, what);
    } finally {
      health.close();
    }
  }
});

test('explicit results: warn stays 200, non-critical failure is warn, critical failure is 503', async () => {
  const health = createHealth({ started: true, intervalMs: 60_000 });
  try {
    health.register({ name: 'cache', check: () => Promise.reject(new Error('down')), critical: false });
    health.register({ name: 'queue', check: customCheck(() => Promise.resolve({ status: 'warn' as const, observedValue: 900, observedUnit: 'jobs', output: 'deep' }), { measurement: 'depth' }) });
    await health.refresh();
    let r = health.readiness();
    assert.equal(r.statusCode, 200);
    assert.equal(r.body.status, 'warn');
    assert.equal(r.body.checks['cache:responseTime']?.[0]?.status, 'fail');
    assert.deepEqual(r.body.checks['queue:depth']?.[0] && { ...r.body.checks['queue:depth'][0], time: 'x' },
      { componentId: 'queue', componentType: 'component', observedValue: 900, observedUnit: 'jobs', status: 'warn', time: 'x', output: 'deep' });
    health.register({ name: 'db', check: () => Promise.reject(new Error('refused')) });
    await health.refresh();
    r = health.readiness();
    assert.equal(r.statusCode, 503);
    assert.equal(r.body.status, 'fail');
  } finally {
    health.close();
  }
});

test('a slow dependency never gets more than one outstanding call, however many probes and ticks', async () => {
  const health = createHealth({ started: true });
  let outstanding = 0;
  let maxOutstanding = 0;
  let release: (() => void) | undefined;
  health.register({
    name: 'slow', timeoutMs: 20, intervalMs: 10,
    check: () => {
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      return new Promise<void>((resolve) => {
        release = () => {
          outstanding--;
          resolve();
        };
      });
    },
  });
  try {
    await waitFor(() => /still pending/.test(health.latest('slow')?.output ?? ''), 'a tick while the call is pending');
    for (let i = 0; i < 200; i++) health.readiness();
    await waitFor(() => /still pending after/.test(health.latest('slow')?.output ?? '') && health.calls('slow') === 1, 'more pending ticks');
    assert.equal(health.calls('slow'), 1);
    assert.equal(maxOutstanding, 1);
    release?.();
    await waitFor(() => health.calls('slow') >= 2, 'a new call once the old one settled');
    assert.equal(maxOutstanding, 1);
  } finally {
    release?.();
    health.close();
  }
});

test('failure outputs never carry credentials (property)', async () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9]{6,20}$/);
  fc.assert(fc.property(secret, fc.constantFrom('postgres', 'redis', 'rediss', 'amqp', 'https', 'mongodb+srv'), (pw, scheme) => {
    const texts = [
      `connect to ${scheme}://app:${pw}@db.internal:5432/x failed`,
      `${scheme}://:${pw}@cache:6379`,
      `host=db user=app password=${pw} dbname=x`,
      `password='${pw}' host=db`,
      `{"password":"${pw}","host":"db"}`,
      `GET /cb?token=${pw}&x=1`,
      `Authorization: Bearer ${pw}`,
      `api_key: ${pw}`,
    ];
    for (const s of texts) assert.ok(!scrubSecrets(s).includes(pw), `${s} → ${scrubSecrets(s)}`);
  }));
  assert.equal(scrubSecrets('postgres://app:pw@db:5432/x'), 'postgres://***@db:5432/x');
  assert.equal(scrubSecrets('connect ECONNREFUSED 127.0.0.1:5432'), 'connect ECONNREFUSED 127.0.0.1:5432');
  const health = oneCheck(() => Promise.reject(new Error('could not connect to postgresql://svc:hunter2@10.0.0.5/app (password=hunter2)')));
  try {
    await health.refresh();
    const out = JSON.stringify(health.readiness().body);
    assert.ok(!out.includes('hunter2'), out);
    assert.match(out, /postgresql:\/\/\*\*\*@10\.0\.0\.5/);
  } finally {
    health.close();
  }
});

test('http dependency check: expected status, refused port, credentials and query kept out', async (t) => {
  let status = 200;
  const server = http.createServer((_req, res) => {
    res.writeHead(status);
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const health = createHealth({ started: true, intervalMs: 60_000 });
  t.after(() => health.close());
  health.register({ name: 'dep', check: httpCheck(`http://user:s3cret@127.0.0.1:${port}/ready?token=abc123`, { expectedStatus: [200, 204] }) });
  await health.refresh();
  assert.equal(health.latest('dep')?.status, 'pass');
  status = 500;
  await health.refresh();
  assert.equal(health.latest('dep')?.output, `Error: GET http://127.0.0.1:${port}/ready answered 500, expected 200 or 204`);
  const free = http.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
  const freePort = (free.address() as AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  health.register({ name: 'gone', check: httpCheck(`http://127.0.0.1:${freePort}/`) });
  await health.refresh();
  assert.match(health.latest('gone')?.output ?? '', /ECONNREFUSED/);
  const body = JSON.stringify(health.readiness().body);
  assert.ok(!body.includes('s3cret') && !body.includes('abc123'), body);
  assert.throws(() => httpCheck('ftp://x'), { code: 'SL_ERR_HEALTH_INVALID_CHECK' });
  assert.throws(() => httpCheck('http://x', { expectedStatus: 'ok' as never }), { code: 'SL_ERR_HEALTH_INVALID_CHECK', field: 'expectedStatus' });
});

test('disk space check reports free bytes from statfs and honours thresholds', async () => {
  const health = createHealth({ started: true, intervalMs: 60_000 });
  try {
    health.register({ name: 'disk', check: diskSpaceCheck({ path: '/', warnBelowBytes: 1, failBelowBytes: 0 }), critical: false });
    health.register({ name: 'full', check: diskSpaceCheck({ path: '/', failBelowBytes: Number.MAX_SAFE_INTEGER }), critical: false });
    health.register({ name: 'missing', check: diskSpaceCheck({ path: '/no/such/dir' }), critical: false });
    await health.refresh();
    const r = health.readiness().body;
    const d = r.checks['disk:free']?.[0];
    assert.equal(d?.status, 'pass');
    assert.equal(d?.observedUnit, 'bytes');
    assert.ok((d?.observedValue as number) > 0);
    assert.equal(r.checks['full:free']?.[0]?.status, 'fail');
    assert.match(r.checks['missing:free']?.[0]?.output ?? '', /ENOENT/);
    assert.equal(r.status, 'warn');
  } finally {
    health.close();
  }
});
