// Pushgateway client against the real Debian `prometheus-pushgateway`: PUT/POST/DELETE semantics,
// grouping keys with any characters (base64 where the URL rules require it), failures as results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import fc from 'fast-check';
import { Registry, Pushgateway } from 'sightline/metrics';
import { findBinary, freePort } from '../support/prometheus.js';
import { errorCode } from '../support/metrics.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

let gateway: ChildProcess | undefined;
let url = '';
let missing: string | undefined;

before(async () => {
  const bin = findBinary('prometheus-pushgateway') ?? findBinary('pushgateway');
  if (bin === undefined) {
    missing = 'prometheus-pushgateway not installed: apt-get install prometheus-pushgateway (scripts/ensure-system.sh does it)';
    if (process.env.CI === 'true') throw new Error(missing);
    return;
  }
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // No persistence file: the gateway keeps its groups in memory only, gone when it stops.
  gateway = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('pushgateway did not become ready');
});

after(() => {
  gateway?.kill('SIGTERM');
});

interface Group {
  labels: Record<string, string>;
  [metric: string]: unknown;
}

async function groups(): Promise<Group[]> {
  const r = await fetch(`${url}/api/v1/metrics`);
  const body = (await r.json()) as { status: string; data: Group[] | null };
  assert.equal(body.status, 'success');
  return body.data ?? [];
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).filter((k) => a[k] !== '');
  const kb = Object.keys(b).filter((k) => b[k] !== '');
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

/** The group with exactly these labels (the gateway shows empty labels as absent or ""). */
async function group(labels: Record<string, string>): Promise<Group | undefined> {
  return (await groups()).find((g) => sameLabels(g.labels, labels));
}

/** The value of metric `name` (no own labels) in a group, or undefined. */
function metricValue(g: Group | undefined, name: string): number | undefined {
  const m = g?.[name] as { metrics?: { value: string }[] } | undefined;
  const v = m?.metrics?.[0]?.value;
  return v === undefined ? undefined : Number(v);
}

function skipIfMissing(t: { skip: (why: string) => void }): boolean {
  if (missing !== undefined) t.skip(missing);
  return missing !== undefined;
}

function registryWith(values: Record<string, number>): Registry {
  const r = new Registry({ onWarning: () => undefined });
  for (const [name, v] of Object.entries(values)) r.gauge({ name, help: `test gauge ${name}` }).set(v);
  return r;
}

/**
 * The group after a DELETE: the Pushgateway answers 202 and applies deletions asynchronously, so
 * read until it is gone (at most 2 s); a group that never goes is returned and fails the test.
 */
async function groupOnceDeleted(labels: Record<string, string>): ReturnType<typeof group> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const g = await group(labels);
    if (g === undefined || Date.now() > deadline) return g;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('push (PUT) replaces the whole group; the gateway serves the values', async (t) => {
  if (skipIfMissing(t)) return;
  const gw = new Pushgateway({ url, job: 'put_job', groupingKey: { instance: 'a' } });
  const r1 = await gw.push(registryWith({ batch_rows: 10, batch_errors: 2 }));
  assert.deepEqual(r1, { ok: true, status: 200, error: undefined });
  let g = await group({ job: 'put_job', instance: 'a' });
  assert.equal(metricValue(g, 'batch_rows'), 10);
  assert.equal(metricValue(g, 'batch_errors'), 2);
  // The scrape endpoint shows the grouping labels on every sample.
  const text = await (await fetch(`${url}/metrics`)).text();
  assert.match(text, /^batch_rows\{instance="a",job="put_job"\} 10$/m);

  const r2 = await gw.push(registryWith({ batch_rows: 11 }));
  assert.equal(r2.ok, true);
  g = await group({ job: 'put_job', instance: 'a' });
  assert.equal(metricValue(g, 'batch_rows'), 11);
  assert.equal(metricValue(g, 'batch_errors'), undefined, 'PUT keeps a metric that was not pushed');
});

test('pushAdd (POST) replaces only the metrics with the pushed names', async (t) => {
  if (skipIfMissing(t)) return;
  const gw = new Pushgateway({ url, job: 'post_job', registry: registryWith({ step_a: 1, step_b: 2 }) });
  assert.equal((await gw.push()).ok, true, 'the client registry is the default');
  const r = await gw.pushAdd(registryWith({ step_a: 5, step_c: 3 }));
  assert.equal(r.ok, true);
  const g = await group({ job: 'post_job' });
  assert.equal(metricValue(g, 'step_a'), 5);
  assert.equal(metricValue(g, 'step_b'), 2, 'POST removed a metric it did not push');
  assert.equal(metricValue(g, 'step_c'), 3);
});

test('delete removes the group and leaves other groups of the job alone', async (t) => {
  if (skipIfMissing(t)) return;
  const a = new Pushgateway({ url, job: 'del_job', groupingKey: { shard: '1' } });
  const b = new Pushgateway({ url, job: 'del_job', groupingKey: { shard: '2' } });
  await a.push(registryWith({ shard_done: 1 }));
  await b.push(registryWith({ shard_done: 1 }));
  const r = await a.delete();
  assert.deepEqual(r, { ok: true, status: 202, error: undefined });
  assert.equal(await groupOnceDeleted({ job: 'del_job', shard: '1' }), undefined);
  assert.notEqual(await group({ job: 'del_job', shard: '2' }), undefined);
  assert.equal((await b.delete()).ok, true);
});

test('grouping keys with slashes, empty values, dots and Unicode round-trip', async (t) => {
  if (skipIfMissing(t)) return;
  const cases: Record<string, string>[] = [
    { path: '/var/tmp' },
    { first: '', second: 'foobar' },
    { name: 'Προμηθεύς' },
    { dot: '.', dots: '..' },
    { q: 'a?b#c%d&e=f+g h' },
    { emoji: '😀/🚀' },
  ];
  for (const key of cases) {
    const gw = new Pushgateway({ url, job: 'keys/job with space', groupingKey: key });
    const r = await gw.push(registryWith({ key_case: 1 }));
    assert.equal(r.ok, true, `${JSON.stringify(key)}: ${r.error}`);
    const g = await group({ job: 'keys/job with space', ...key });
    assert.equal(metricValue(g, 'key_case'), 1, `group ${JSON.stringify(key)} not found; path ${gw.path}`);
    assert.equal((await gw.delete()).ok, true);
    assert.equal(await groupOnceDeleted({ job: 'keys/job with space', ...key }), undefined);
  }
  // The README's own examples.
  assert.equal(new Pushgateway({ url, job: 'directory_cleaner', groupingKey: { path: '/var/tmp' } }).path,
    '/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA');
  assert.equal(new Pushgateway({ url, job: 'example', groupingKey: { first_label: '', second_label: 'foobar' } }).path,
    '/metrics/job/example/first_label@base64/=/second_label/foobar');
});

test('any well-formed grouping value reaches the gateway intact (property)', async (t) => {
  if (skipIfMissing(t)) return;
  await fc.assert(fc.asyncProperty(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !LONE_SURROGATE.test(s)),
    async (v1, v2) => {
      const gw = new Pushgateway({ url, job: 'prop_job', groupingKey: { k1: v1, k2: v2 } });
      const r = await gw.push(registryWith({ prop_value: 7 }));
      assert.equal(r.ok, true, r.error);
      const g = await group({ job: 'prop_job', k1: v1, k2: v2 });
      assert.equal(metricValue(g, 'prop_value'), 7, `path ${gw.path}`);
      assert.equal((await gw.delete()).ok, true);
    },
  ), { numRuns: 40 });
});

test('a rejected push resolves with the gateway status and explanation', async (t) => {
  if (skipIfMissing(t)) return;
  assert.equal((await new Pushgateway({ url, job: 'conflict_a' }).push(registryWith({ shared_metric: 1 }))).ok, true);
  // The same family name with another type in another group is inconsistent: the gateway answers 400.
  const r = new Registry({ onWarning: () => undefined });
  r.histogram({ name: 'shared_metric', help: 'test gauge shared_metric', buckets: [1] }).observe(0.5);
  const bad = await new Pushgateway({ url, job: 'conflict_b' }).push(r);
  assert.equal(bad.ok, false);
  assert.equal(bad.status, 400);
  assert.match(bad.error ?? '', /shared_metric/);
  // The gateway records the failed attempt on the group, without the refused metrics.
  const g = await group({ job: 'conflict_b' });
  assert.ok(g === undefined || (g['last_push_successful'] === false && g['shared_metric'] === undefined));
  assert.equal((await new Pushgateway({ url, job: 'conflict_a' }).delete()).ok, true);
});

test('network failures resolve with ok=false: refused connection and a silent server', async () => {
  const refused = await new Pushgateway({ url: `http://127.0.0.1:${await freePort()}`, job: 'x' }).push(registryWith({ a: 1 }));
  assert.equal(refused.ok, false);
  assert.equal(refused.status, undefined);
  assert.match(refused.error ?? '', /ECONNREFUSED/);

  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s)); // accepts, never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const r = await new Pushgateway({ url: `http://127.0.0.1:${port}`, job: 'x', timeoutMs: 200 }).push(registryWith({ a: 1 }));
    assert.equal(r.ok, false);
    assert.equal(r.status, undefined);
    assert.match(r.error ?? '', /no answer within 200 ms/);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
  const none = await new Pushgateway({ url: 'http://127.0.0.1:1', job: 'x' }).push();
  assert.deepEqual(none, { ok: false, status: undefined, error: 'no registry: pass one to the call or to the client' });
});

test('bad configuration is a coded error at creation', () => {
  const base = { url: 'http://127.0.0.1:9091', job: 'j' };
  assert.equal(errorCode(() => new Pushgateway({ ...base, url: 'not a url' })), 'SL_ERR_METRICS_PUSH_URL');
  assert.equal(errorCode(() => new Pushgateway({ ...base, url: 'ftp://host/' })), 'SL_ERR_METRICS_PUSH_URL');
  assert.equal(errorCode(() => new Pushgateway({ ...base, url: 'http://host/?a=1' })), 'SL_ERR_METRICS_PUSH_URL');
  assert.equal(errorCode(() => new Pushgateway({ ...base, job: '' })), 'SL_ERR_METRICS_PUSH_JOB');
  assert.equal(errorCode(() => new Pushgateway({ ...base, job: 'a\uD800' })), 'SL_ERR_METRICS_PUSH_JOB');
  assert.equal(errorCode(() => new Pushgateway({ ...base, groupingKey: { job: 'x' } })), 'SL_ERR_METRICS_PUSH_GROUPING_KEY');
  assert.equal(errorCode(() => new Pushgateway({ ...base, groupingKey: { 'bad-name': 'x' } })), 'SL_ERR_METRICS_PUSH_GROUPING_KEY');
  assert.equal(errorCode(() => new Pushgateway({ ...base, groupingKey: { __x: 'x' } })), 'SL_ERR_METRICS_PUSH_GROUPING_KEY');
  assert.equal(errorCode(() => new Pushgateway({ ...base, groupingKey: { a: 1 as unknown as string } })), 'SL_ERR_METRICS_PUSH_GROUPING_KEY');
  assert.equal(errorCode(() => new Pushgateway({ ...base, timeoutMs: 0 })), 'SL_ERR_METRICS_PUSH_OPTION');
  assert.equal(errorCode(() => new Pushgateway({ ...base, registry: {} as unknown as Registry })), 'SL_ERR_METRICS_PUSH_OPTION');
  // A path prefix is kept (a gateway behind a proxy).
  assert.equal(new Pushgateway({ ...base, url: 'http://h:1/pg/' }).path, '/metrics/job/j');
});
