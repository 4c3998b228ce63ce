// The admin server under sightline(): probes stay reachable for the kubelet when a token is set
// (status only; details need the token), everything else needs it, and one log line at start
// says where it listens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { AdminServer, sightline, SightlineError } from 'sightline';
import { memory } from 'sightline/testing';
import { requireBinary } from '../support/prometheus.js';

const TOKEN = 'kubelet-has-no-secret';

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

test('with a token: probes answer the kubelet without it (status only), details and /metrics need it', async () => {
  const logs = memory();
  const obs = sightline({ service: 'probes', env: {}, log: { destination: logs }, metrics: { defaultMetrics: false }, admin: { port: 0, token: TOKEN } });
  try {
    obs.health!.register({ name: 'db', check: () => Promise.resolve({ status: 'warn', output: 'slow answers from db-7.internal' }), critical: false });
    await obs.health!.refresh();
    obs.started();
    const base = (await obs.admin!.ready(), obs.admin!.url()!);
    for (const [path, status] of [['/health/live', 'pass'], ['/health/ready', 'warn'], ['/health/startup', 'pass']] as const) {
      const bare = await get(base + path);
      assert.equal(bare.status, 200, path);
      assert.equal(bare.type, 'application/health+json');
      assert.deepEqual(JSON.parse(bare.body), { status }, `${path}: no checks, outputs or service ids without the token`);
      const full = await get(base + path, auth);
      assert.equal(full.status, 200);
      assert.equal((JSON.parse(full.body) as { serviceId?: string }).serviceId, 'probes', 'the full body with the token');
    }
    const ready = JSON.parse((await get(base + '/health/ready', auth)).body) as { checks: Record<string, { output?: string }[]> };
    assert.equal(ready.checks['db:responseTime']?.[0]?.output, 'slow answers from db-7.internal', 'the details with the token');
    assert.equal((await get(base + '/health/ready?verbose=1')).body, '{"status":"warn"}', 'a query string does not unlock details');
    assert.equal((await get(base + '/health/live', {}, 'HEAD')).status, 200);
    assert.equal((await get(base + '/health/live', {}, 'POST')).status, 405);
    // Everything else: 401 without the token, whether the path exists or not.
    for (const path of ['/metrics', '/', '/nope', '/health/other']) {
      const r = await get(base + path);
      assert.equal(r.status, 401, path);
    }
    assert.equal((await get(base + '/metrics', { authorization: 'Bearer wrong-token-here' })).status, 401);
    assert.equal((await get(base + '/metrics', auth)).status, 200);

    // A failing readiness is a 503 without the token too: the kubelet reads the status code.
    obs.health!.markShuttingDown();
    const down = await get(base + '/health/ready');
    assert.equal(down.status, 503);
    assert.deepEqual(JSON.parse(down.body), { status: 'fail' });
  } finally {
    await obs.shutdown();
  }
});

test('admin.protectProbes: the probes need the token too', async () => {
  const obs = sightline({ env: {}, log: { destination: memory() }, metrics: { defaultMetrics: false }, admin: { port: 0, token: TOKEN, protectProbes: true } });
  try {
    obs.started();
    await obs.admin!.ready();
    const base = obs.admin!.url()!;
    assert.equal((await get(base + '/health/live')).status, 401);
    assert.equal((await get(base + '/health/live', auth)).status, 200);
  } finally {
    await obs.shutdown();
  }
  assert.throws(() => new AdminServer({ protectProbes: 'yes' } as never), { code: 'SL_ERR_CONFIG_INVALID_ADMIN' });
});

test('without a token every route answers, probes with their full body', async () => {
  const obs = sightline({ env: {}, log: { destination: memory() }, metrics: { defaultMetrics: false }, admin: { port: 0 } });
  try {
    obs.started();
    await obs.admin!.ready();
    const live = JSON.parse((await get(obs.admin!.url()! + '/health/live')).body) as { status: string; description?: string };
    assert.equal(live.status, 'pass');
    assert.ok(live.description !== undefined, 'the full application/health+json body');
  } finally {
    await obs.shutdown();
  }
});

test('AdminServer: a route registered as a probe is open without the token, others are not', async () => {
  const seen: boolean[] = [];
  const admin = new AdminServer({ port: 0, token: TOKEN })
    .route('/probe', (_req, res, access) => {
      seen.push(access.authenticated);
      res.end('p');
    }, { probe: true })
    .route('/private', (_req, res) => {
      res.end('x');
    })
    .listen();
  try {
    await admin.ready();
    const base = admin.url()!;
    assert.equal((await get(base + '/probe')).body, 'p');
    assert.equal((await get(base + '/probe', auth)).body, 'p');
    assert.deepEqual(seen, [false, true]);
    assert.equal((await get(base + '/private')).status, 401);
  } finally {
    await admin.close();
  }
});

test('one log line at start says where the admin server listens', async () => {
  const logs = memory();
  const obs = sightline({ service: 'where', env: {}, log: { destination: logs }, metrics: { defaultMetrics: false }, admin: { port: 0, token: TOKEN } });
  try {
    const address = await obs.admin!.ready();
    // The line is written once ready() has resolved: wait for the microtask that logs it.
    await new Promise((r) => setImmediate(r));
    const lines = logs.records().filter((l) => l['msg'] === 'admin server listening');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!['level'], 'info');
    assert.equal(lines[0]!['url'], `http://127.0.0.1:${address!.port}`);
    assert.deepEqual(lines[0]!['routes'], ['/health/live', '/health/ready', '/health/startup', '/metrics']);
    assert.equal(lines[0]!['protected'], true, 'says whether a token is needed (never the token)');
  } finally {
    await obs.shutdown();
  }
  const off = memory();
  const none = sightline({ env: {}, log: { destination: off }, metrics: { defaultMetrics: false }, admin: false });
  await none.shutdown();
  assert.equal(off.records().filter((l) => l['msg'] === 'admin server listening').length, 0, 'no admin server, no line');
});

test('sightline(): unknown keys throw SL_ERR_CONFIG_UNKNOWN_OPTION, or the pillar\'s code, at the full path', () => {
  const cases: [object, string, string, string | undefined][] = [
    [{ servce: 'x' }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'servce', 'service'],
    [{ metrics: { defaultMetric: false } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'metrics.defaultMetric', 'defaultMetrics'],
    [{ metrics: { defaultMetrics: { prefx: 'a_' } } }, 'SL_ERR_METRICS_UNKNOWN_OPTION', 'metrics.defaultMetrics.prefx', 'prefix'],
    [{ trace: { registr: false } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'trace.registr', 'register'],
    [{ trace: { service: 'x' } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'trace.service', undefined],
    [{ trace: { batch: { maxQueueSise: 1 } } }, 'SL_ERR_TRACE_UNKNOWN_OPTION', 'trace.batch.maxQueueSise', 'maxQueueSize'],
    [{ trace: { otlp: { timeoutMs: 1 } } }, 'SL_ERR_OTLP_UNKNOWN_OPTION', 'trace.otlp.timeoutMs', 'timeoutMillis'],
    [{ log: { redact: { patern: true } } }, 'SL_ERR_LOG_UNKNOWN_OPTION', 'log.redact.patern', 'patterns'],
    [{ log: { levl: 'info' } }, 'SL_ERR_LOG_UNKNOWN_OPTION', 'log.levl', 'level'],
    [{ http: { exlude: [] } }, 'SL_ERR_HTTP_UNKNOWN_OPTION', 'http.exlude', 'exclude'],
    [{ client: { fetchs: false } }, 'SL_ERR_HTTP_UNKNOWN_OPTION', 'client.fetchs', 'fetch'],
    [{ admin: { tokn: 'abcdefghij' } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'admin.tokn', 'token'],
    [{ health: { intervalMS: 5 } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'health.intervalMS', 'intervalMs'],
    [{ health: { paths: { readyz: '/r' } } }, 'SL_ERR_HEALTH_UNKNOWN_OPTION', 'health.paths.readyz', 'ready'],
    [{ health: { shutdown: { signal: false } } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'health.shutdown.signal', 'signals'],
    [{ health: { shutdown: { logger: console } } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'health.shutdown.logger', undefined],
    [{ health: { crash: { exitFn: () => undefined } } }, 'SL_ERR_CONFIG_UNKNOWN_OPTION', 'health.crash.exitFn', 'exit'],
    [{ health: { errorGroups: { max: 5 } } }, 'SL_ERR_HEALTH_UNKNOWN_OPTION', 'health.errorGroups.max', undefined],
  ];
  for (const [options, code, field, near] of cases) {
    assert.throws(() => sightline({ admin: false, env: {}, log: { destination: memory() }, ...options }), (e: unknown) => {
      assert.ok(e instanceof SightlineError, String(e));
      assert.equal(e.code, code, JSON.stringify(options));
      assert.equal(e.field, field);
      const key = field.slice(field.lastIndexOf('.') + 1);
      assert.ok(e.message.includes(`unknown option "${key}"`), e.message);
      if (near !== undefined) assert.ok(e.message.includes(`did you mean "${near}"?`), e.message);
      return true;
    });
  }
});

test('a real curl (Accept: */*) gets text 0.0.4 from /metrics; an explicit OpenMetrics Accept gets OpenMetrics', async (t) => {
  const curl = requireBinary(t, 'curl');
  if (curl === undefined) return;
  const obs = sightline({ env: {}, log: { destination: memory() }, metrics: { defaultMetrics: false }, admin: { port: 0, token: TOKEN } });
  try {
    obs.metrics.counter({ name: 'curl_hits_total', help: 'Hits' }).inc(5);
    await obs.admin!.ready();
    const url = `${obs.admin!.url()!}/metrics`;
    const run = (args: string[]): Promise<string> => new Promise((resolve, reject) => {
      execFile(curl, ['-s', '-D', '-', '-H', `Authorization: Bearer ${TOKEN}`, ...args, url], (err, stdout) => (err === null ? resolve(stdout) : reject(new Error(err.message))));
    });
    const plain = await run([]);
    assert.match(plain, /^content-type: text\/plain; version=0\.0\.4; charset=utf-8\r$/im, plain);
    assert.match(plain, /^curl_hits_total 5\r?$/m);
    assert.doesNotMatch(plain, /# EOF/);
    const om = await run(['-H', 'Accept: application/openmetrics-text; version=1.0.0']);
    assert.match(om, /^content-type: application\/openmetrics-text; version=1\.0\.0; charset=utf-8\r$/im, om);
    assert.match(om, /# EOF\n$/);
  } finally {
    await obs.shutdown();
  }
});
