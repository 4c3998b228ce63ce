import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, RATE_KEY } from 'sightline/log';
import type { LevelName } from 'sightline/log';
import { memory } from 'sightline/testing';
import { runInContext, addContextFields, setContextUser } from 'sightline/context';

function setup(level: LevelName | 'silent' = 'trace', extra: Parameters<typeof createLogger>[0] = {}) {
  const mem = memory();
  const log = createLogger({ service: 'svc', level, destination: mem, ...extra });
  return { mem, log };
}

test('a line has time, level, msg, service in that order, then context, bindings, fields', () => {
  const { mem, log } = setup();
  const child = log.child({ component: 'billing' });
  runInContext({ requestId: 'req-1', trace: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 } }, () => {
    child.info('charged', { amount: 42 });
  });
  const line = mem.lines()[0]!;
  assert.match(line, /^\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"info","msg":"charged","service":"svc","trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","request_id":"req-1","component":"billing","amount":42\}\n$/);
});

test('levels: below the threshold nothing is written; level is settable; silent writes nothing', () => {
  const { mem, log } = setup('warn');
  log.info('no');
  log.debug('no');
  log.warn('yes');
  log.error('yes');
  assert.deepEqual(mem.records().map((r) => r['level']), ['warn', 'error']);
  log.level = 'debug';
  log.debug('now');
  assert.equal(mem.records().at(-1)!['msg'], 'now');
  log.level = 'silent';
  log.fatal('never');
  assert.equal(mem.records().length, 3);
  assert.equal(log.isLevelEnabled('fatal'), false);
  assert.throws(() => (log.level = 'loud' as LevelName), { code: 'SL_ERR_LOG_INVALID_LEVEL' });
});

test('lazy message and fields are only evaluated when enabled', () => {
  const { mem, log } = setup('info');
  let calls = 0;
  log.debug(() => `${++calls}`, () => ({ n: ++calls }));
  assert.equal(calls, 0);
  log.info(() => `msg ${++calls}`, () => ({ n: ++calls }));
  assert.equal(calls, 2);
  assert.deepEqual(mem.records()[0], { ...mem.records()[0], msg: 'msg 1', n: 2 });
});

test('child bindings are serialized once at creation (a later mutation does not show)', () => {
  const { mem, log } = setup();
  const bound = { tenant: 'a' };
  const child = log.child(bound);
  bound.tenant = 'b';
  child.info('x');
  assert.equal(mem.records()[0]!['tenant'], 'a');
  const grand = child.child({ job: 7 });
  grand.info('y');
  assert.equal(mem.records()[1]!['tenant'], 'a');
  assert.equal(mem.records()[1]!['job'], 7);
});

test('context fields added during the request appear on later lines, user id too', () => {
  const { mem, log } = setup();
  runInContext({ requestId: 'r' }, () => {
    log.info('before');
    addContextFields({ tenant: 't1' });
    setContextUser('u-9');
    log.info('after');
  });
  log.info('outside');
  const [a, b, c] = mem.records();
  assert.equal(a!['tenant'], undefined);
  assert.equal(b!['tenant'], 't1');
  assert.equal(b!['user_id'], 'u-9');
  assert.equal(c!['request_id'], undefined);
});

test('errors: type, message, stack, code, cause chain, AggregateError members', () => {
  const { mem, log } = setup();
  const root = Object.assign(new TypeError('socket closed'), { code: 'ECONNRESET' });
  const err = new Error('charge failed', { cause: root });
  log.error('failed', err);
  const e = mem.records()[0]!['err'];
  assert.equal(e.type, 'Error');
  assert.equal(e.message, 'charge failed');
  assert.match(e.stack, /charge failed/);
  assert.equal(e.cause.type, 'TypeError');
  assert.equal(e.cause.code, 'ECONNRESET');
  log.error('many', new AggregateError([new Error('a'), new RangeError('b')], 'both'));
  const agg = mem.records()[1]!['err'];
  assert.equal(agg.type, 'AggregateError');
  assert.deepEqual(agg.errors.map((x: { type: string; message: string }) => [x.type, x.message]), [['Error', 'a'], ['RangeError', 'b']]);
  // A cause cycle terminates.
  const c1 = new Error('c1');
  const c2 = new Error('c2', { cause: c1 });
  (c1 as { cause?: unknown }).cause = c2;
  log.error('cycle', c2);
  assert.equal(JSON.parse(mem.lines()[2]!).err.cause.cause, '[Circular]');
});

test('ECS profile uses Elastic field names', () => {
  const { mem, log } = setup('info', { profile: 'ecs' });
  runInContext({ requestId: 'r1', trace: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } }, () => log.error('boom', new Error('x')));
  const r = mem.records()[0]!;
  assert.equal(typeof r['@timestamp'], 'string');
  assert.equal(r['log.level'], 'error');
  assert.equal(r['message'], 'boom');
  assert.equal(r['service.name'], 'svc');
  assert.equal(r['trace.id'], 'a'.repeat(32));
  assert.equal(r['span.id'], 'b'.repeat(16));
  assert.equal(r['http.request.id'], 'r1');
  assert.equal(r['ecs.version'], '8.11.0');
  assert.equal(r['error'].type, 'Error');
  assert.match(r['error'].stack_trace, /Error: x/);
});

test('several destinations, each with its own level', () => {
  const all = memory();
  const errorsOnly = memory({ level: 'error' });
  const log = createLogger({ level: 'debug', destination: [all, { destination: errorsOnly, level: 'error' }] });
  log.debug('d');
  log.info('i');
  log.error('e');
  assert.equal(all.lines().length, 3);
  assert.deepEqual(errorsOnly.records().map((r) => r['msg']), ['e']);
});

test('call site is added when asked', () => {
  const { mem, log } = setup('info', { callsite: true });
  function placeOrder(): void {
    log.info('placed');
  }
  placeOrder();
  const caller = mem.records()[0]!['caller'];
  assert.match(caller.file, /logger\.test\.ts$/);
  assert.equal(caller.function, 'placeOrder');
  assert.ok(caller.line > 0);
});

test('huge strings are truncated with a marker at the configured length', () => {
  const { mem, log } = setup('info', { limits: { maxStringLength: 100 } });
  log.info('x'.repeat(1000), { big: 'y'.repeat(5000) });
  const r = mem.records()[0]!;
  assert.equal(r['msg'], `${'x'.repeat(100)}…[truncated 900 chars]`);
  assert.equal(r['big'], `${'y'.repeat(100)}…[truncated 4900 chars]`);
});

test('non-string messages from untyped callers are coerced, never thrown', () => {
  const { mem, log } = setup();
  const loose = log as unknown as { info(m: unknown, f?: unknown): void };
  loose.info(42);
  loose.info(new Error('as message'));
  loose.info({ a: 1 }, { toString() { throw new Error('nope'); } }); // pino's order: the second argument is the message
  loose.info('fields not object', 'a string');
  loose.info(Symbol('s'));
  assert.deepEqual(mem.records().map((r) => r['msg']), ['42', 'as message', '[unprintable message]', 'fields not object', 'Symbol(s)']);
  assert.equal(mem.records()[2]!['a'], 1);
});

test('rate limiting: a token bucket per message writes one summary line per window', (t) => {
  // The limiter's clock (Date.now) and its end-of-window timer, under the test's control.
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const { mem, log } = setup('info', { rateLimit: { max: 3, windowMs: 50 } });
  for (let i = 0; i < 10; i++) log.warn('db timeout', { i });
  for (let i = 0; i < 2; i++) log.info('other');
  for (let i = 0; i < 5; i++) log.warn('upstream slow', { [RATE_KEY]: 'upstream', host: `h${i}` });
  assert.equal(mem.records().filter((r) => r['msg'] === 'db timeout').length, 3);
  assert.equal(mem.records().filter((r) => r['msg'] === 'other').length, 2);
  assert.equal(mem.records().filter((r) => r['msg'] === 'upstream slow').length, 3);
  t.mock.timers.tick(49);
  assert.equal(mem.records().filter((r) => typeof r['suppressed'] === 'number').length, 0, 'no summary before the window ends');
  t.mock.timers.tick(1);
  const summaries = mem.records().filter((r) => typeof r['suppressed'] === 'number');
  assert.deepEqual(summaries.map((r) => [r['msg'], r['rate_key'], r['level']]).sort(), [
    ['suppressed 2 similar lines', 'upstream', 'warn'],
    ['suppressed 7 similar lines', 'db timeout', 'warn'],
  ]);
  assert.equal(log.stats().rateLimited, 9);
  // The bucket refills: after the window the message is written again.
  log.warn('db timeout', { i: 99 });
  assert.equal(mem.records().at(-1)!['i'], 99);
});

test('sampling is decided per trace: all lines of a trace kept or all dropped', () => {
  const { mem, log } = setup('trace', { sampling: { debug: 0.3 } });
  const kept = new Map<string, number>();
  const traces = 400;
  for (let t = 0; t < traces; t++) {
    const traceId = (BigInt(t + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32);
    runInContext({ trace: { traceId, spanId: '1'.repeat(16), traceFlags: 3 } }, () => {
      for (let i = 0; i < 5; i++) log.debug('step', { i });
      log.info('always');
    });
  }
  for (const r of mem.records()) if (r['msg'] === 'step') kept.set(r['trace_id'], (kept.get(r['trace_id']) ?? 0) + 1);
  for (const n of kept.values()) assert.equal(n, 5, 'a sampled trace keeps all its lines');
  assert.equal(mem.records().filter((r) => r['msg'] === 'always').length, traces, 'other levels are not sampled');
  const share = kept.size / traces;
  assert.ok(share > 0.2 && share < 0.4, `about 30% of traces kept, got ${share}`);
  assert.equal(log.stats().sampledOut, (traces - kept.size) * 5);
});

test('configuration mistakes throw coded errors naming the field', () => {
  const cases: [unknown, string, string][] = [
    [{ level: 'verbose' }, 'SL_ERR_LOG_INVALID_LEVEL', 'level'],
    [{ destination: {} }, 'SL_ERR_LOG_INVALID_DESTINATION', 'destination'],
    [{ destination: [memory(), { write: 1 }] }, 'SL_ERR_LOG_INVALID_DESTINATION', 'destination[1]'],
    [{ destination: [] }, 'SL_ERR_LOG_INVALID_DESTINATION', 'destination'],
    [{ destination: { destination: memory(), level: 'nope' } }, 'SL_ERR_LOG_INVALID_LEVEL', 'destination.level'],
    [{ sampling: { debug: 2 } }, 'SL_ERR_LOG_INVALID_OPTION', 'sampling.debug'],
    [{ sampling: { chatty: 0.5 } }, 'SL_ERR_LOG_INVALID_LEVEL', 'sampling.chatty'],
    [{ rateLimit: { max: 0 } }, 'SL_ERR_LOG_INVALID_OPTION', 'rateLimit.max'],
    [{ redact: { paths: ['a..b'] } }, 'SL_ERR_LOG_INVALID_REDACT_PATH', 'redact.paths[0]'],
    [{ limits: { maxStringLength: -1 } }, 'SL_ERR_LOG_INVALID_OPTION', 'limits.maxStringLength'],
    [{ profile: 'gelf' }, 'SL_ERR_LOG_INVALID_OPTION', 'profile'],
  ];
  for (const [options, code, field] of cases) {
    assert.throws(() => createLogger(options as Parameters<typeof createLogger>[0]), (e: { code: string; field: string }) => {
      assert.equal(e.code, code, JSON.stringify(options));
      assert.equal(e.field, field, JSON.stringify(options));
      return true;
    });
  }
});
