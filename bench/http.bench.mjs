// The whole request: autocannon on loopback against servers each in its own child process,
// interleaved rounds, medians. CPU per request = the child's process.cpuUsage() delta / requests.
// Usage: node http.bench.mjs [--rounds 3] [--seconds 5] [--connections 10]
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { machine, median } from './lib/harness.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 3);
const SECONDS = Number(values.seconds ?? 5);
const CONNECTIONS = Number(values.connections ?? 10);
const KINDS = ['bare', 'sightline', 'peer', 'express', 'express-sightline', 'fastify', 'fastify-sightline'];

function start(kind) {
  const child = fork(new URL('./http-server.mjs', import.meta.url), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
function load(port, seconds) {
  return autocannon({ url: `http://127.0.0.1:${port}/hello`, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
}

console.log(`# HTTP benchmark — ${machine()}`);
console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds, hello-world route; client and servers share the machine\n`);
const servers = [];
for (const k of KINDS) servers.push(await start(k));
for (const s of servers) await load(s.port, 1); // warm-up (JIT, pools)
const res = Object.fromEntries(KINDS.map((k) => [k, { rps: [], p99: [], cpu: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (const s of servers) {
    const c0 = await ask(s.child, { cpu: true }, 'cpu');
    const out = await load(s.port, SECONDS);
    const c1 = await ask(s.child, { cpu: true }, 'cpu');
    const n = out.requests.total;
    const cpuUs = (c1.user - c0.user + c1.system - c0.system) / n;
    res[s.kind].rps.push(out.requests.average);
    res[s.kind].p99.push(out.latency.p99);
    res[s.kind].cpu.push(cpuUs);
    if (out.non2xx > 0 || out.errors > 0) console.log(`warning: ${s.kind}: ${out.non2xx} non-2xx, ${out.errors} errors`);
  }
}
const med = Object.fromEntries(KINDS.map((k) => [k, { rps: median(res[k].rps), p99: median(res[k].p99), cpu: median(res[k].cpu) }]));

console.log('| server | requests/s | p99 (ms) | CPU per request (µs) |');
console.log('|---|---:|---:|---:|');
for (const k of KINDS) console.log(`| ${k} | ${med[k].rps.toFixed(0)} | ${med[k].p99.toFixed(2)} | ${med[k].cpu.toFixed(1)} |`);

const rows = [
  ['Sightline CPU/request vs bare node:http', med.sightline.cpu / med.bare.cpu, '≤ 1.25x', (x) => x <= 1.25],
  ['Sightline throughput vs peer stack (pino-http + prom-client + OTel NodeSDK)', med.sightline.rps / med.peer.rps, '≥ 2x', (x) => x >= 2],
  // autocannon reports latency in whole milliseconds: a 0 ms p99 is counted as 1 ms.
  ['Sightline p99 vs bare node:http (1 ms resolution)', Math.max(med.sightline.p99, 1) / Math.max(med.bare.p99, 1), '≤ 1.2x', (x) => x <= 1.2],
  ['peer stack CPU/request vs bare', med.peer.cpu / med.bare.cpu, '', undefined],
  ['Express + Sightline CPU/request vs bare Express', med['express-sightline'].cpu / med.express.cpu, '', undefined],
  ['Express + Sightline throughput vs bare Express', med['express-sightline'].rps / med.express.rps, '', undefined],
  ['Fastify + Sightline CPU/request vs bare Fastify', med['fastify-sightline'].cpu / med.fastify.cpu, '', undefined],
  ['Fastify + Sightline throughput vs bare Fastify', med['fastify-sightline'].rps / med.fastify.rps, '', undefined],
];
console.log('\n| ratio (medians) | value | target | verdict |');
console.log('|---|---:|---:|---|');
for (const [name, v, target, ok] of rows) console.log(`| ${name} | ${v.toFixed(2)}x | ${target} | ${ok === undefined ? '' : ok(v) ? 'met' : 'MISSED'} |`);
for (const s of servers) s.child.kill();
process.exit(0);
