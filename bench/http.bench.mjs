// The whole request: a load generator on loopback against servers each in its own child process,
// interleaved rounds, medians. CPU per request = the child's process.cpuUsage() delta (all its
// threads: main, log writer, GC helpers) / requests.
//
// Load generator: `wrk` (Debian package `wrk`; `apt-get install -y wrk`) when installed — it reports
// latency percentiles in microseconds and costs the shared machine less CPU than a Node client —
// else autocannon, whose percentiles are whole milliseconds (p99 is then printed but its ratio
// is not judged). With 2+ cores and `taskset` available, each server is pinned to CPU 0 and the
// client to CPU 1, so the client never steals the server's core and the server's own threads
// (log writer, GC) compete with its main thread, as on a one-core container.
//
// With --rate R the load is open-loop instead: autocannon offers a fixed R requests/s to every
// server (pinned, like wrk, to CPU 1), so each server does the same work and CPU per request is
// measured at one operating point below saturation, as a service usually runs. The closed-loop
// default measures at saturation, where a slower server also makes the client idle more and the
// kernel's cross-CPU wake-ups then add system time to each of its requests.
//
// Usage: node http.bench.mjs [--rounds 5] [--seconds 5] [--connections 10] [--only bare,sightline] [--rate 10000]
import { execFile, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { parseArgs, promisify } from 'node:util';
import autocannon from 'autocannon';
import { machine, median } from './lib/harness.mjs';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, only: { type: 'string' }, rate: { type: 'string' } } });
const RATE = values.rate === undefined ? undefined : Number(values.rate);
if (RATE !== undefined && !(RATE > 0)) throw new Error('--rate must be a positive number of requests per second');
const ROUNDS = Number(values.rounds ?? 5);
const SECONDS = Number(values.seconds ?? 5);
const CONNECTIONS = Number(values.connections ?? 10);
const ALL = ['bare', 'bare-als', 'sightline-nolog-notrace', 'sightline-nolog', 'sightline', 'sightline-slo', 'peer', 'express', 'express-sightline', 'fastify', 'fastify-als', 'fastify-sightline'];
const KINDS = values.only ? values.only.split(',') : ALL;
const which = (bin) => ['/usr/bin/', '/usr/local/bin/', '/bin/'].map((d) => d + bin).find((p) => existsSync(p));
const WRK = RATE === undefined ? which('wrk') : undefined;
const TASKSET = os.cpus().length >= 2 ? which('taskset') : undefined;

function start(kind) {
  const url = new URL('./http-server.mjs', import.meta.url);
  const opts = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] };
  // taskset execs node with the same IPC channel (NODE_CHANNEL_FD is inherited).
  const child = TASKSET ? fork(url, [kind], { ...opts, execPath: TASKSET, execArgv: ['-c', '0', process.execPath] }) : fork(url, [kind], opts);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ kind, child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${kind} exited ${code}`)));
  });
}
function ask(child, msg, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m[key] !== undefined) {
        child.off('message', on);
        resolve(m[key]);
      }
    };
    child.on('message', on);
    child.send(msg);
  });
}
/** µs from a wrk figure such as 512.00us, 1.20ms, 2.00s. */
function micros(s) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s);
  if (m === null) throw new Error(`unexpected wrk latency ${s}`);
  return Number(m[1]) * (m[2] === 'us' ? 1 : m[2] === 'ms' ? 1e3 : 1e6);
}
/** One load run: { requests, rps, p50, p99 } (latencies in µs), errors counted. */
async function load(port, seconds) {
  const url = `http://127.0.0.1:${port}/hello`;
  if (WRK) {
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url];
    const { stdout } = TASKSET ? await run(TASKSET, ['-c', '1', WRK, ...args]) : await run(WRK, args);
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? /Socket errors: (.*)/.exec(stdout)?.[1];
    return {
      requests: Number(/(\d+) requests in/.exec(stdout)[1]),
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]),
      p50: micros(/\s50%\s+(\S+)/.exec(stdout)[1]),
      p99: micros(/\s99%\s+(\S+)/.exec(stdout)[1]),
      errors,
    };
  }
  const out = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1, ...(RATE === undefined ? {} : { overallRate: RATE }) });
  return { requests: out.requests.total, rps: out.requests.average, p50: out.latency.p50 * 1e3, p99: out.latency.p99 * 1e3, errors: out.non2xx + out.errors || undefined };
}

console.log(`# HTTP benchmark — ${machine()}`);
// In open-loop mode the client is this process: keep all its threads off the servers' core.
if (RATE !== undefined && TASKSET) await run(TASKSET, ['-a', '-p', '-c', '1', String(process.pid)]);
console.log(`${RATE !== undefined ? `autocannon at a fixed ${RATE} requests/s offered (open loop; latency in whole ms)` : WRK ? 'wrk (1 thread)' : 'autocannon (wrk not installed: latency in whole ms)'}: ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds, hello-world route; ${TASKSET ? 'server pinned to CPU 0, client to CPU 1' : 'client and servers share the machine'}\n`);
const servers = [];
for (const k of KINDS) servers.push(await start(k));
for (const s of servers) await load(s.port, 2); // warm-up (JIT, pools)
const res = Object.fromEntries(KINDS.map((k) => [k, { rps: [], p50: [], p99: [], cpu: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (const s of servers) {
    const c0 = await ask(s.child, { cpu: true }, 'cpu');
    const out = await load(s.port, SECONDS);
    const c1 = await ask(s.child, { cpu: true }, 'cpu');
    res[s.kind].rps.push(out.rps);
    res[s.kind].p50.push(out.p50);
    res[s.kind].p99.push(out.p99);
    res[s.kind].cpu.push((c1.user - c0.user + c1.system - c0.system) / out.requests);
    if (out.errors !== undefined) console.log(`warning: ${s.kind}: errors ${out.errors}`);
  }
}
const med = Object.fromEntries(KINDS.map((k) => [k, { rps: median(res[k].rps), p50: median(res[k].p50), p99: median(res[k].p99), cpu: median(res[k].cpu) }]));
const has = (...ks) => ks.every((k) => med[k] !== undefined);

console.log('| server | requests/s | p50 (µs) | p99 (µs) | CPU per request (µs) | CPU vs bare |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const k of KINDS) console.log(`| ${k} | ${med[k].rps.toFixed(0)} | ${med[k].p50.toFixed(0)} | ${med[k].p99.toFixed(0)} | ${med[k].cpu.toFixed(1)} | ${has('bare') ? (med[k].cpu / med.bare.cpu).toFixed(2) + 'x' : ''} |`);

if (has('bare', 'bare-als', 'sightline-nolog-notrace', 'sightline-nolog', 'sightline')) {
  const b = med.bare.cpu;
  const steps = [
    ['bare node:http', b, b],
    ['+ AsyncLocalStorage.run per request (Node 20 async hooks; every context-carrying peer pays it)', med['bare-als'].cpu, b],
    ['+ request id, context, RED metrics, unsampled span (sightline-nolog-notrace)', med['sightline-nolog-notrace'].cpu, med['bare-als'].cpu],
    ['+ sampled SERVER span (sightline-nolog)', med['sightline-nolog'].cpu, med['sightline-nolog-notrace'].cpu],
    ['+ completion log line to a file (sightline: everything on)', med.sightline.cpu, med['sightline-nolog'].cpu],
  ];
  console.log('\n| CPU per request, step by step (medians) | µs | increment (µs) |');
  console.log('|---|---:|---:|');
  for (const [name, v, prev] of steps) console.log(`| ${name} | ${v.toFixed(1)} | ${name === 'bare node:http' ? '' : (v - prev >= 0 ? '+' : '') + (v - prev).toFixed(1)} |`);
}

const rows = [];
if (has('sightline', 'bare')) {
  rows.push([`Sightline CPU/request vs bare node:http${RATE === undefined ? ' (saturated)' : ` (at ${RATE} req/s)`}`, med.sightline.cpu / med.bare.cpu, '≤ 1.25x', (x) => x <= 1.25]);
  if (has('bare-als')) rows.push(['Sightline CPU/request vs bare node:http + AsyncLocalStorage', med.sightline.cpu / med['bare-als'].cpu, '', undefined]);
}
// The SLO engine reads the registry on its own tick; nothing is added to the request path.
if (has('sightline', 'sightline-slo')) rows.push(['Sightline with two SLOs (1 s interval) CPU/request vs without', med['sightline-slo'].cpu / med.sightline.cpu, '≤ 1.05x', (x) => x <= 1.05]);
if (has('sightline', 'peer')) rows.push(['Sightline throughput vs peer stack (pino-http + prom-client + OTel NodeSDK)', med.sightline.rps / med.peer.rps, RATE === undefined ? '≥ 2x' : '(fixed rate: not judged)', RATE === undefined ? (x) => x >= 2 : undefined]);
if (has('sightline', 'peer') && RATE !== undefined) rows.push(['Sightline CPU/request vs peer stack', med.sightline.cpu / med.peer.cpu, '', undefined]);
if (has('sightline', 'bare')) rows.push([`Sightline p99 vs bare node:http${WRK ? '' : ' (1 ms resolution: not judged)'}`, med.sightline.p99 / med.bare.p99, '≤ 1.2x', WRK ? (x) => x <= 1.2 : undefined]);
if (has('peer', 'bare')) rows.push(['peer stack CPU/request vs bare', med.peer.cpu / med.bare.cpu, '', undefined]);
if (has('express', 'express-sightline')) {
  rows.push(['Express + Sightline CPU/request vs bare Express', med['express-sightline'].cpu / med.express.cpu, '', undefined]);
  rows.push(['Express + Sightline throughput vs bare Express', med['express-sightline'].rps / med.express.rps, '', undefined]);
}
if (has('fastify', 'fastify-sightline')) {
  rows.push(['Fastify + Sightline CPU/request vs bare Fastify', med['fastify-sightline'].cpu / med.fastify.cpu, '', undefined]);
  rows.push(['Fastify + Sightline throughput vs bare Fastify', med['fastify-sightline'].rps / med.fastify.rps, '', undefined]);
  if (has('fastify-als')) rows.push(['Fastify + AsyncLocalStorage alone, CPU/request vs bare Fastify', med['fastify-als'].cpu / med.fastify.cpu, '', undefined]);
}
console.log('\n| ratio (medians) | value | target | verdict |');
console.log('|---|---:|---:|---|');
for (const [name, v, target, ok] of rows) console.log(`| ${name} | ${v.toFixed(2)}x | ${target} | ${ok === undefined ? '' : ok(v) ? 'met' : 'MISSED'} |`);
for (const s of servers) s.child.kill();
process.exit(0);
