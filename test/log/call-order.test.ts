import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createLogger, RATE_KEY } from 'sightline/log';
import { memory } from 'sightline/testing';

function setup(extra: Parameters<typeof createLogger>[0] = {}) {
  const mem = memory();
  const log = createLogger({ service: 'svc', level: 'trace', destination: mem, ...extra });
  return { mem, log };
}

test("pino's order: fields first, message second, keeps both (no \"[object Object]\")", () => {
  const { mem, log } = setup();
  const orderId = 42;
  log.info({ orderId }, 'placed');
  const line = mem.lines()[0]!;
  assert.match(line, /"level":"info","msg":"placed","service":"svc","orderId":42\}\n$/);
  assert.ok(!line.includes('[object Object]'));
});

test("pino's order with an Error: msg is the message, err has type, message and stack", () => {
  const { mem, log } = setup();
  const err = new TypeError('card declined');
  Object.assign(err, { code: 'E_CARD' });
  log.error(err, 'failed');
  const r = mem.records()[0]!;
  assert.equal(r['msg'], 'failed');
  assert.equal(r['err'].type, 'TypeError');
  assert.equal(r['err'].message, 'card declined');
  assert.equal(r['err'].code, 'E_CARD');
  assert.equal(r['err'].stack, err.stack);
  // The same record as Sightline's own order writes, field for field.
  log.error('failed', err);
  const [a, b] = mem.records();
  assert.deepEqual({ ...a, time: 0 }, { ...b, time: 0 });
  log.error('failed', { err });
  assert.deepEqual(mem.records()[2]!['err'], a!['err']);
});

test('an object alone writes its fields with an empty msg; an Error alone uses its message', () => {
  const { mem, log } = setup();
  log.info({ orderId: 7 });
  log.error(new Error('disk full'));
  const [a, b] = mem.records();
  assert.equal(a!['msg'], '');
  assert.equal(a!['orderId'], 7);
  assert.equal(b!['msg'], 'disk full');
  assert.equal(b!['err'].message, 'disk full');
  assert.match(b!['err'].stack, /^Error: disk full\n/);
});

test("{ err } first, a lazy message, a non-string message: each gives one sensible line", () => {
  const { mem, log } = setup();
  log.warn({ err: new RangeError('r'), attempt: 2 }, 'retrying');
  log.info({ a: 1 }, () => 'lazy');
  log.info({ a: 2 }, 404 as unknown as string);
  const [a, b, c] = mem.records();
  assert.equal(a!['msg'], 'retrying');
  assert.equal(a!['err'].type, 'RangeError');
  assert.equal(a!['attempt'], 2);
  assert.deepEqual([b!['msg'], b!['a']], ['lazy', 1]);
  assert.deepEqual([c!['msg'], c!['a']], ['404', 2]);
});

test("Sightline's own order is unchanged", () => {
  const { mem, log } = setup();
  log.info('x', { a: 1 });
  log.info('y');
  log.info(() => 'z', () => ({ b: 2 }));
  assert.match(mem.lines()[0]!, /"msg":"x","service":"svc","a":1\}\n$/);
  assert.match(mem.lines()[1]!, /"msg":"y","service":"svc"\}\n$/);
  assert.match(mem.lines()[2]!, /"msg":"z","service":"svc","b":2\}\n$/);
});

test("child loggers take pino's order too, bindings first", () => {
  const { mem, log } = setup();
  const child = log.child({ component: 'billing' }).child({ job: 3 });
  child.info({ orderId: 9 }, 'placed');
  child.error(new Error('nope'), 'failed');
  assert.match(mem.lines()[0]!, /"msg":"placed","service":"svc","component":"billing","job":3,"orderId":9\}\n$/);
  const r = mem.records()[1]!;
  assert.equal(r['msg'], 'failed');
  assert.equal(r['component'], 'billing');
  assert.equal(r['err'].message, 'nope');
});

test("pino's order: redaction, the rate-limit key and the error channel see the fields", () => {
  const { mem, log } = setup({ rateLimit: { max: 1, windowMs: 60_000 } });
  log.info({ password: 'hunter2', [RATE_KEY]: 'k' }, 'login one');
  log.info({ [RATE_KEY]: 'k' }, 'login two'); // same key: suppressed
  assert.equal(mem.records().length, 1);
  assert.equal(mem.records()[0]!['password'], '[REDACTED]');
  assert.equal(log.stats().rateLimited, 1);

  const seen: unknown[] = [];
  const onMessage = (m: unknown): void => {
    seen.push(m);
  };
  subscribe('sightline:log:error', onMessage);
  try {
    const err = new Error('published');
    const { log: l2 } = setup();
    l2.error(err, 'it failed');
    assert.deepEqual(seen, [{ error: err, level: 50, msg: 'it failed' }]);
  } finally {
    unsubscribe('sightline:log:error', onMessage);
  }
});

test('a level below the threshold evaluates nothing in either order', () => {
  const { mem, log } = setup({ level: 'warn' });
  let calls = 0;
  log.info({ a: 1 }, () => `${++calls}`);
  log.debug(new Error('x'), 'no');
  assert.equal(calls, 0);
  assert.equal(mem.lines().length, 0);
});

test('types: both orders and a lone fields object type-check; a number as the only argument does not', () => {
  const { mem, log } = setup();
  const err = new Error('e');
  log.info('m', { a: 1 });
  log.info({ a: 1 }, 'm');
  log.info({ a: 1 });
  log.error(err, 'm');
  log.error(err);
  log.error({ err }, () => 'lazy');
  // @ts-expect-error a number is neither a message nor fields (it is still coerced at run time)
  log.info(42);
  assert.equal(mem.records().at(-1)!['msg'], '42');
  assert.equal(mem.records().length, 7);
});
