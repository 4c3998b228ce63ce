// Metrics: sightline/metrics against prom-client 15, measured interleaved in one run.
// Run: npm run build (root), then `cd bench && node metrics.bench.mjs`.
import { spawnSync } from 'node:child_process';
import { createServer, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { gunzipSync, gzip as gzipCb } from 'node:zlib';
import { metricsHandler, Registry } from 'sightline/metrics';
import { compare, machine, median, printTable } from './lib/harness.mjs';

// The HTTP client of the GET rows runs in a worker thread: its own event loop reads and parses the
// 7.5 MB body, so the probe on the main loop sees only the server's work.
const CLIENT = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
parentPort.on('message', ({ id, port, zip }) => {
  const req = http.request({ host: '127.0.0.1', port, path: '/metrics', headers: zip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
    let bytes = 0;
    res.on('data', (c) => { bytes += c.length; });
    res.on('end', () => parentPort.postMessage({ id, bytes }));
  });
  req.on('error', (e) => parentPort.postMessage({ id, error: String(e) }));
  req.end();
});`;
let worker;
let nextId = 0;
const pending = new Map();
function fetchInWorker(port, zip) {
  if (worker === undefined) {
    worker = new Worker(CLIENT, { eval: true });
    worker.on('message', ({ id, bytes, error }) => {
      const p = pending.get(id);
      pending.delete(id);
      if (error !== undefined) p.reject(new Error(error));
      else p.resolve(bytes);
    });
    worker.unref();
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, port, zip });
  });
}

// `--ours-only`: the child process that measures our event-loop blocks with no prom-client in the
// heap (its 20,000 series and ~200 MB of garbage per render otherwise decide when V8's full GC —
// 17–26 ms atomic pauses measured here — lands, often inside our render). Prints JSON and exits.
const OURS_ONLY = process.argv.includes('--ours-only');
// `--lookup`: the child process of the label-lookup table at the end (run with and without
// `--disallow-code-generation-from-strings`, which turns off the generated lookups). Prints JSON and exits.
const LOOKUP = process.argv.includes('--lookup');
const client = OURS_ONLY || LOOKUP ? undefined : (await import('prom-client')).default;

const methods = ['GET', 'POST', 'PUT', 'DELETE'];
const routes = ['/a', '/b', '/c', '/d', '/e'];
const statuses = ['200', '404', '500'];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

if (OURS_ONLY) await oursOnly();
if (LOOKUP) await lookupOnly();
console.log(`\n# metrics — sightline/metrics vs prom-client 15\n\nMachine: ${machine()}`);

const ours = new Registry({ maxSeries: 100_000 });
const peer = new client.Registry();

const oc = ours.counter({ name: 'c_total', help: 'c' });
const pc = new client.Counter({ name: 'c_total', help: 'c', registers: [peer] });
const ocl = ours.counter({ name: 'cl_total', help: 'c', labelNames: ['method', 'route', 'status'] });
const pcl = new client.Counter({ name: 'cl_total', help: 'c', labelNames: ['method', 'route', 'status'], registers: [peer] });
const oh = ours.histogram({ name: 'h_seconds', help: 'h', labelNames: ['method', 'route', 'status'], buckets: BUCKETS });
const ph = new client.Histogram({ name: 'h_seconds', help: 'h', labelNames: ['method', 'route', 'status'], buckets: BUCKETS, registers: [peer] });
const os = ours.summary({ name: 's_seconds', help: 's' });
const ps = new client.Summary({ name: 's_seconds', help: 's', registers: [peer] });

const ochild = ocl.labels({ method: 'GET', route: '/a', status: '200' });
const pchild = pcl.labels({ method: 'GET', route: '/a', status: '200' });
const lab = (i) => ({ method: methods[i & 3], route: routes[i % 5], status: statuses[i % 3] });

const rows = [];
let r = await compare({
  ours: () => oc.inc(),
  peer: () => pc.inc(),
}, { iterations: 1_000_000 });
rows.push({ case: 'counter inc, no labels', ours: r.ours, peer: r.peer, peerName: 'prom-client inc()' });

r = await compare({
  ours: (i) => ocl.inc({ method: methods[i & 3], route: routes[i % 5], status: statuses[i % 3] }),
  peer: (i) => pcl.inc({ method: methods[i & 3], route: routes[i % 5], status: statuses[i % 3] }),
}, { iterations: 300_000 });
rows.push({ case: 'counter inc with a label object (3 labels)', ours: r.ours, peer: r.peer, peerName: 'prom-client inc(labels)', target: 0.25 });

r = await compare({
  ours: () => ochild.inc(),
  peer: () => pcl.labels({ method: 'GET', route: '/a', status: '200' }).inc(),
  peerCached: () => pchild.inc(),
}, { iterations: 1_000_000 });
rows.push({ case: 'inc through a bound child', ours: r.ours, peer: r.peer, peerName: 'prom-client labels().inc()', target: 0.1 });
rows.push({ case: 'inc through a bound child (peer child cached too)', ours: r.ours, peer: r.peerCached, peerName: 'prom-client cached child inc()' });

r = await compare({
  ours: (i) => oh.observe(lab(i), (i % 100) / 50),
  peer: (i) => ph.observe(lab(i), (i % 100) / 50),
}, { iterations: 300_000 });
rows.push({ case: 'histogram observe, 3 labels, 10 buckets', ours: r.ours, peer: r.peer, peerName: 'prom-client observe(labels, v)', target: 0.2 });

r = await compare({
  ours: (i) => os.observe(i % 1000),
  peer: (i) => ps.observe(i % 1000),
}, { iterations: 200_000 });
rows.push({ case: 'summary observe (no labels)', ours: r.ours, peer: r.peer, peerName: 'prom-client observe(v)' });

printTable('Recording (ns per operation, medians)', rows);

// Rendering: 10 histograms x 1,000 series.
/** Our registry of the render rows: 10 histograms x 1,000 series. */
function buildOurs() {
  const o = new Registry({ maxSeries: 10_000 });
  for (let m = 0; m < 10; m++) {
    const h = o.histogram({ name: `render_${m}_seconds`, help: 'r', labelNames: ['id', 'route'], buckets: BUCKETS });
    for (let i = 0; i < 1000; i++) h.observe({ id: `id-${i}`, route: routes[i % 5] }, (i % 97) / 20);
  }
  return o;
}

/**
 * Label lookups, ours alone: one counter with 3 labels (the recording row above), and 12 counters
 * with 3 label names each, all different, incremented in turn (as a service's many metrics are).
 */
async function lookupOnly() {
  const reg = new Registry({ maxSeries: 100_000 });
  const one = reg.counter({ name: 'one_total', help: 'c', labelNames: ['method', 'route', 'status'] });
  const many = [];
  for (let m = 0; m < 12; m++) many.push(reg.counter({ name: `many_${m}_total`, help: 'c', labelNames: [`a${m}`, `b${m}`, `c${m}`] }));
  const manyLabels = many.map((_, m) => methods.map((v, i) => ({ [`a${m}`]: v, [`b${m}`]: routes[i], [`c${m}`]: statuses[i % 3] })));
  const r = await compare({
    one: (i) => one.inc({ method: methods[i & 3], route: routes[i % 5], status: statuses[i % 3] }),
    many: (i) => many[i % 12].inc(manyLabels[i % 12][i & 3]),
  }, { iterations: 300_000 });
  console.log(JSON.stringify(r));
  process.exit(0);
}

async function oursOnly() {
  const o = buildOurs();
  const server = createServer(metricsHandler(o, { formats: ['text'] }));
  const port = await listen(server);
  const out = { text: [], om: [], get: [], getGz: [] };
  for (let round = 0; round < 9; round++) {
    for (const [k, fn] of [
      ['text', () => o.render('text')],
      ['om', () => o.render('openmetrics')],
      ['get', () => fetchInWorker(port, false)],
      ['getGz', () => fetchInWorker(port, true)],
    ]) {
      const { maxGap } = await withBlockProbe(fn);
      if (round >= 2) out[k].push(maxGap);
    }
  }
  server.close();
  console.log(JSON.stringify(out));
  process.exit(0);
}

function build() {
  const o = new Registry({ maxSeries: 10_000 });
  const pText = new client.Registry();
  const pOm = new client.Registry();
  pOm.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  for (let m = 0; m < 10; m++) {
    const oh2 = o.histogram({ name: `render_${m}_seconds`, help: 'r', labelNames: ['id', 'route'], buckets: BUCKETS });
    const p1 = new client.Histogram({ name: `render_${m}_seconds`, help: 'r', labelNames: ['id', 'route'], buckets: BUCKETS, registers: [pText] });
    const p2 = new client.Histogram({ name: `render_${m}_seconds`, help: 'r', labelNames: ['id', 'route'], buckets: BUCKETS, registers: [pOm] });
    for (let i = 0; i < 1000; i++) {
      const l = { id: `id-${i}`, route: routes[i % 5] };
      const v = (i % 97) / 20;
      oh2.observe(l, v);
      p1.observe(l, v);
      p2.observe(l, v);
    }
  }
  return { o, pText, pOm };
}

/**
 * Runs `fn` while a setImmediate probe records the longest gap between event-loop turns. It first
 * leaves the loop idle for 100 ms (as between two scrapes), so the GC tasks left pending by the
 * previous contender (prom-client's render leaves ~200 MB of garbage) run there and not inside
 * the next measurement. Each side still pays the GC of its own allocations during its run.
 */
async function withBlockProbe(fn) {
  await sleep(100);
  let running = true;
  let maxGap = 0;
  let last = performance.now();
  const probe = (async () => {
    while (running) {
      await new Promise((res) => setImmediate(res));
      const now = performance.now();
      if (now - last > maxGap) maxGap = now - last;
      last = now;
    }
  })();
  last = performance.now();
  const t0 = process.hrtime.bigint();
  await fn();
  const ns = Number(process.hrtime.bigint() - t0);
  const end = performance.now();
  if (end - last > maxGap) maxGap = end - last;
  running = false;
  await probe;
  return { ns, maxGap };
}

const { o, pText, pOm } = build();
const series = { ours: 0 };
series.ours = (await o.render('text')).split('\n').length;
const samples = { oursText: [], peerText: [], oursOm: [], peerOm: [] };
const blocks = { oursText: [], oursOm: [], peerText: [], peerOm: [] };
for (let round = 0; round < 9; round++) {
  for (const [k, fn] of [
    ['oursText', () => o.render('text')],
    ['peerText', () => pText.metrics()],
    ['oursOm', () => o.render('openmetrics')],
    ['peerOm', () => pOm.metrics()],
  ]) {
    const { ns, maxGap } = await withBlockProbe(fn);
    if (round >= 2) {
      samples[k].push(ns);
      blocks[k].push(maxGap);
    }
  }
}
printTable('Rendering 10 histograms x 1,000 series (time per render, medians)', [
  { case: 'render text 0.0.4', ours: median(samples.oursText), peer: median(samples.peerText), peerName: 'prom-client metrics()', target: 0.25 },
  { case: 'render OpenMetrics', ours: median(samples.oursOm), peer: median(samples.peerOm), peerName: 'prom-client metrics() (OM)', target: 0.25 },
]);
printBlocks('Longest event-loop block during a render (setImmediate-gap probe; median over rounds of each render\'s longest gap, and the worst)', [
  ['render text 0.0.4', blocks.oursText, blocks.peerText],
  ['render OpenMetrics', blocks.oursOm, blocks.peerOm],
]);
console.log(`\nExposition lines: ${series.ours}.`);

/** Prints the block table: ours (median, worst), peer (median), target ≤ 10 ms on the median. */
function printBlocks(title, rows) {
  console.log(`\n## ${title}\n`);
  console.log('| case | sightline (median) | sightline (worst) | prom-client (median) | target | verdict |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const [name, ours, peer] of rows) {
    const m = median(ours);
    console.log(`| ${name} | ${m.toFixed(2)} ms | ${Math.max(...ours).toFixed(2)} ms | ${median(peer).toFixed(2)} ms | ≤ 10 ms | ${m <= 10 ? 'met' : 'MISSED'} |`);
  }
}

// The /metrics path end to end: a local HTTP server, GET until the last byte. Ours streams chunks
// (through a gzip stream when asked); the peer is served the way its README shows
// (`res.end(await register.metrics())`, gzip with zlib when asked, at the same level 1 as ours).
const gzip = promisify(gzipCb);
const ourServer = createServer(metricsHandler(o, { formats: ['text'] }));
const peerServer = createServer((req, res) => {
  pText.metrics().then(async (body) => {
    const headers = { 'content-type': pText.contentType };
    if (req.headers['accept-encoding'] === 'gzip') {
      body = await gzip(body, { level: 1 });
      headers['content-encoding'] = 'gzip';
    }
    res.writeHead(200, headers).end(body);
  }, (err) => res.writeHead(500).end(String(err)));
});

const ourPort = await listen(ourServer);
const peerPort = await listen(peerServer);
function listen(srv) {
  return new Promise((res) => srv.listen(0, '127.0.0.1', () => res(srv.address().port)));
}

/** GET in this process, keeping the body (the byte-identity check). */
function fetchBody(port, zip, keep = true) {
  return new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port, path: '/metrics', headers: zip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
    const parts = [];
    let bytes = 0;
    res.on('data', (c) => {
      bytes += c.length;
      if (keep) parts.push(c);
    });
    res.on('end', () => resolve(keep ? Buffer.concat(parts) : bytes));
    res.on('error', reject);
  });
  req.on('error', reject);
  req.end();
});
}
// Same bytes from both paths (sanity: the streamed body is the rendered exposition).
const direct = Buffer.from(await o.render('text'));
if (!direct.equals(await fetchBody(ourPort, false)) || !direct.equals(gunzipSync(await fetchBody(ourPort, true)))) {
  throw new Error('streamed body differs from render()');
}
const hs = { ours: [], peer: [], oursGz: [], peerGz: [] };
const hb = { ours: [], peer: [], oursGz: [], peerGz: [] };
for (let round = 0; round < 9; round++) {
  for (const [k, fn] of [
    ['ours', () => fetchInWorker(ourPort, false)],
    ['peer', () => fetchInWorker(peerPort, false)],
    ['oursGz', () => fetchInWorker(ourPort, true)],
    ['peerGz', () => fetchInWorker(peerPort, true)],
  ]) {
    const { ns, maxGap } = await withBlockProbe(fn);
    if (round >= 2) {
      hs[k].push(ns);
      hb[k].push(maxGap);
    }
  }
}
ourServer.close();
peerServer.close();
printTable('GET /metrics over HTTP, 10,000 histogram series, text (time to the last byte, client in a worker thread, medians)', [
  { case: 'handler, identity', ours: median(hs.ours), peer: median(hs.peer), peerName: 'res.end(await metrics())' },
  { case: 'handler, gzip', ours: median(hs.oursGz), peer: median(hs.peerGz), peerName: 'same + zlib gzip' },
]);
printBlocks('Longest event-loop block during a GET /metrics (same probe)', [
  ['handler, identity', hb.ours, hb.peer],
  ['handler, gzip', hb.oursGz, hb.peerGz],
]);

// The same blocks with no prom-client in the process (see --ours-only above).
const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--ours-only'], { encoding: 'utf8' });
if (child.status !== 0) throw new Error(`ours-only run failed: ${child.stderr}`);
const iso = JSON.parse(child.stdout.trim().split('\n').pop());
console.log('\n## Longest event-loop block, ours alone in a child process (no prom-client heap)\n');
console.log('| case | median | worst | target | verdict |');
console.log('|---|---:|---:|---:|---|');
for (const [name, xs] of [['render text 0.0.4', iso.text], ['render OpenMetrics', iso.om], ['GET /metrics, identity', iso.get], ['GET /metrics, gzip', iso.getGz]]) {
  const m = median(xs);
  console.log(`| ${name} | ${m.toFixed(2)} ms | ${Math.max(...xs).toFixed(2)} ms | ≤ 10 ms | ${m <= 10 ? 'met' : 'MISSED'} |`);
}

// Label lookups: each metric's generated straight-line lookup (src/metrics/metric.ts) against the
// plain loop over label names that serves when code generation is disallowed. Child processes,
// alternated, 5 of each; medians of their medians.
const lookups = { generated: { one: [], many: [] }, loop: { one: [], many: [] } };
for (let round = 0; round < 5; round++) {
  for (const [k, flags] of [['generated', []], ['loop', ['--disallow-code-generation-from-strings']]]) {
    const c = spawnSync(process.execPath, [...flags, new URL(import.meta.url).pathname, '--lookup'], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`lookup run failed: ${c.stderr}`);
    const x = JSON.parse(c.stdout.trim().split('\n').pop());
    lookups[k].one.push(x.one);
    lookups[k].many.push(x.many);
  }
}
printTable('Label lookup: generated per metric vs a plain loop over the names (ns per inc with a label object, medians)', [
  { case: 'inc, 1 counter, 3 labels: generated lookup', ours: median(lookups.generated.one), peer: median(lookups.loop.one), peerName: 'plain loop' },
  { case: 'inc, 12 counters of different label names in turn: generated lookup', ours: median(lookups.generated.many), peer: median(lookups.loop.many), peerName: 'plain loop' },
]);
