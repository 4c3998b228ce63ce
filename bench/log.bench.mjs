// Logger benchmark: Sightline against pino 10 (sync and async destinations) and winston 3, in the
// same run, each writing lines of equal content to a file. Rounds are interleaved; each round ends
// with the logger's own flush, counted in the time. We report wall time per call on the calling
// thread and, separately, process CPU per call (all threads: our writer thread, pino's libuv
// writes), so moving work off the main thread cannot hide its cost.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import winston from 'winston';
import { createLogger, file } from 'sightline/log';
import { runInContext } from 'sightline/context';
import { median, fmt, printTable, machine } from './lib/harness.mjs';

const ITER = Number(process.env.BENCH_ITER ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const WARMUP = 2;
const dir = mkdtempSync(join(tmpdir(), 'sl-logbench-'));
let fileNo = 0;
const path = () => join(dir, `f${fileNo++}.log`);

const FIVE = { user: 'alice', orderId: 12345, amount: 99.95, currency: 'EUR', ok: true };
const BINDINGS = { component: 'billing', region: 'eu-west-1', version: '1.4.2' };
const SECRETS = { user: { name: 'alice', password: 'hunter2' }, req: { headers: { authorization: 'Bearer x', host: 'a' } } };
const REDACT_PATHS = ['user.password', 'req.headers.authorization'];
const CTX = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

// --- contenders -------------------------------------------------------------------------------

function ours(extra = {}) {
  const log = createLogger({ service: 'bench', level: 'info', destination: file(path()), ...extra });
  return { log, flush: () => log.flush() };
}

const pinoBase = {
  level: 'info',
  base: { service: 'bench' },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
};
function pinoSync(extra = {}) {
  const dest = pino.destination({ dest: path(), sync: true });
  return { log: pino({ ...pinoBase, ...extra }, dest), flush: async () => {} };
}
function pinoAsync(extra = {}) {
  const dest = pino.destination({ dest: path(), sync: false, minLength: 4096 });
  return {
    log: pino({ ...pinoBase, ...extra }, dest),
    flush: () => new Promise((resolve) => dest.flush(() => resolve())),
  };
}
function winstonLogger() {
  const transport = new winston.transports.File({ filename: path() });
  const log = winston.createLogger({
    level: 'info',
    defaultMeta: { service: 'bench' },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
  // winston has no flush: count the transport's 'logged' events until every accepted call is written.
  let accepted = 0;
  let logged = 0;
  let waiter;
  transport.on('logged', () => {
    logged++;
    if (waiter && logged >= accepted) waiter();
  });
  const counting = new Proxy(log, {
    get(target, prop) {
      const v = target[prop];
      if (prop === 'info' || prop === 'debug') return (...a) => { if (prop === 'info') accepted++; return v.apply(target, a); };
      if (prop === 'child') return (b) => { const c = v.call(target, b); return new Proxy(c, { get(t, p) { const f = t[p]; return p === 'info' ? (...a) => { accepted++; return f.apply(t, a); } : typeof f === 'function' ? f.bind(t) : f; } }); };
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const flush = () => new Promise((resolve) => {
    if (logged >= accepted) resolve();
    else waiter = () => { waiter = undefined; resolve(); };
  });
  return { log: counting, flush };
}

// pino's way to add request-context fields: a mixin reading an AsyncLocalStorage.
const als = new AsyncLocalStorage();
const pinoMixin = { mixin: () => als.getStore() ?? {} };

// --- measuring ----------------------------------------------------------------------------------

async function measure(contenders) {
  const names = Object.keys(contenders);
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS + WARMUP; r++) {
    for (const n of names) {
      const { run, flush } = contenders[n];
      if (global.gc) global.gc();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      run(ITER);
      await flush();
      const ns = Number(process.hrtime.bigint() - t0) / ITER;
      const c = process.cpuUsage(c0);
      if (r >= WARMUP) {
        wall[n].push(ns);
        cpu[n].push(((c.user + c.system) * 1000) / ITER);
      }
    }
  }
  return { wall: Object.fromEntries(names.map((n) => [n, median(wall[n])])), cpu: Object.fromEntries(names.map((n) => [n, median(cpu[n])])) };
}

function loop(fn) {
  return (n) => {
    for (let i = 0; i < n; i++) fn(i);
  };
}

const cases = [];

async function caseOf(name, make, target) {
  const contenders = {};
  for (const [who, factory, call] of make) {
    const c = factory();
    contenders[who] = { run: loop((i) => call(c.log, i)), flush: c.flush };
  }
  const m = await measure(contenders);
  cases.push({ name, m, target });
}

// 1. a string message
await caseOf('string message', [
  ['sightline', () => ours(), (l) => l.info('hello world')],
  ['pino sync', () => pinoSync(), (l) => l.info('hello world')],
  ['pino async', () => pinoAsync(), (l) => l.info('hello world')],
  ['winston', () => winstonLogger(), (l) => l.info('hello world')],
], 0.8);

// 2. a 5-field object
await caseOf('5-field object', [
  ['sightline', () => ours(), (l) => l.info('order placed', FIVE)],
  ['pino sync', () => pinoSync(), (l) => l.info(FIVE, 'order placed')],
  ['pino async', () => pinoAsync(), (l) => l.info(FIVE, 'order placed')],
  ['winston', () => winstonLogger(), (l) => l.info('order placed', FIVE)],
], 0.8);

// 3. a child with 3 bindings
await caseOf('child with 3 bindings', [
  ['sightline', () => { const o = ours(); return { ...o, log: o.log.child(BINDINGS) }; }, (l) => l.info('charged')],
  ['pino sync', () => { const o = pinoSync(); return { ...o, log: o.log.child(BINDINGS) }; }, (l) => l.info('charged')],
  ['pino async', () => { const o = pinoAsync(); return { ...o, log: o.log.child(BINDINGS) }; }, (l) => l.info('charged')],
  ['winston', () => { const o = winstonLogger(); return { ...o, log: o.log.child(BINDINGS) }; }, (l) => l.info('charged')],
], 0.8);

// 4. three fields from the request context
{
  const contenders = {};
  const o = ours();
  contenders['sightline'] = {
    run: (n) => runInContext({ requestId: 'req-7f3a', trace: CTX }, () => { for (let i = 0; i < n; i++) o.log.info('hello world'); }),
    flush: o.flush,
  };
  for (const [who, factory] of [['pino sync', pinoSync], ['pino async', pinoAsync]]) {
    const p = factory(pinoMixin);
    contenders[who] = {
      run: (n) => als.run({ trace_id: CTX.traceId, span_id: CTX.spanId, request_id: 'req-7f3a' }, () => { for (let i = 0; i < n; i++) p.log.info('hello world'); }),
      flush: p.flush,
    };
  }
  const plain = pinoSync();
  contenders['pino sync, no context'] = { run: loop(() => plain.log.info('hello world')), flush: plain.flush };
  const m = await measure(contenders);
  cases.push({ name: '3 fields from request context', m, target: 0.8, vsPlain: true });
}

// 5. redaction of 2 paths
await caseOf('redaction of 2 paths', [
  ['sightline', () => ours({ redact: { paths: REDACT_PATHS, censor: '[Redacted]' } }), (l) => l.info('login', SECRETS)],
  ['pino sync', () => pinoSync({ redact: REDACT_PATHS }), (l) => l.info(SECRETS, 'login')],
  ['pino async', () => pinoAsync({ redact: REDACT_PATHS }), (l) => l.info(SECRETS, 'login')],
  ['winston', () => winstonLogger(), (l) => l.info('login', SECRETS)],
], 0.8);

// 6. a call below the level, against an empty function call
{
  const o = ours();
  const p = pinoSync();
  const w = winstonLogger();
  function empty(_a) {}
  const contenders = {
    sightline: { run: loop(() => o.log.debug('not written')), flush: async () => {} },
    'empty function': { run: loop(() => empty('not written')), flush: async () => {} },
    'pino sync': { run: loop(() => p.log.debug('not written')), flush: async () => {} },
    winston: { run: loop(() => w.log.debug('not written')), flush: async () => {} },
  };
  const m = await measure(contenders);
  cases.push({ name: 'call below the level', m, target: 2, vsEmpty: true });
}

// --- report --------------------------------------------------------------------------------------

console.log(`\n# Logger: Sightline vs pino ${pinoVersion()} and winston\n\n${machine()}; ${ITER} calls x ${ROUNDS} rounds per case, medians.`);
const rows = [];
for (const c of cases) {
  const peerName = c.vsEmpty ? 'empty function' : c.vsPlain ? 'pino sync, no context' : 'pino sync';
  rows.push({ case: c.name, ours: c.m.wall.sightline, peer: c.m.wall[peerName], peerName, target: c.target });
}
const printed = printTable('wall time per call (calling thread, flush included)', rows);

console.log('\n## all contenders (wall ns/op | process CPU ns/op, all threads)\n');
const all = [...new Set(cases.flatMap((c) => Object.keys(c.m.wall)))];
console.log(`| case | ${all.join(' | ')} |`);
console.log(`|---|${all.map(() => '---:').join('|')}|`);
for (const c of cases) {
  console.log(`| ${c.name} | ${all.map((n) => (c.m.wall[n] === undefined ? '' : `${fmt(c.m.wall[n])} \\| ${fmt(c.m.cpu[n])}`)).join(' | ')} |`);
}
console.log('\n## CPU ratio (process CPU per call, all threads): sightline / pino sync\n');
for (const c of cases) {
  const peer = c.vsEmpty ? undefined : c.m.cpu[c.vsPlain ? 'pino sync, no context' : 'pino sync'];
  if (peer !== undefined) console.log(`- ${c.name}: ${(c.m.cpu.sightline / peer).toFixed(3)}x`);
}

function pinoVersion() {
  return pino.version ?? '10';
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(new URL('./results/', import.meta.url), { recursive: true }); // bench/results/ is not in git
writeFileSync(new URL('./results/log.last.json', import.meta.url), JSON.stringify({ machine: machine(), date: new Date().toISOString(), rows: printed }, null, 2));
