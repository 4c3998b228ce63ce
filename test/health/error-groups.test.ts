import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applicationFrames, ErrorGroups, normalizeMessage } from 'sightline/health';
import { createLogger } from 'sightline/log';
import { memory } from 'sightline/testing';
import { runInContext } from 'sightline/context';

function boom(id: number): Error {
  return new Error(`order ${id} failed for user "u-${id}" at 0x${id.toString(16)}ff00`);
}

test('messages are normalised: numbers, hex ids, uuids and quoted strings replaced', () => {
  assert.equal(normalizeMessage('user 42 not found'), 'user <n> not found');
  assert.equal(normalizeMessage('row 3f2a9c11e0 missing'), 'row <hex> missing');
  assert.equal(normalizeMessage('ptr 0xdeadbeef'), 'ptr <hex>');
  assert.equal(normalizeMessage('job 123e4567-e89b-12d3-a456-426614174000 died'), 'job <uuid> died');
  assert.equal(normalizeMessage(`key "a b" and 'c' and \`d\``), 'key <str> and <str> and <str>');
  assert.equal(normalizeMessage('deadline exceeded'), 'deadline exceeded', 'plain words are kept (even hex-looking ones without digits)');
  fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (a, b) => {
    assert.equal(normalizeMessage(boom(a).message), normalizeMessage(boom(b).message));
  }));
});

test('application frames skip node_modules and node internals, and drop line numbers', () => {
  const stack = [
    'Error: x',
    '    at inner (/srv/app/node_modules/pg/lib/client.js:10:5)',
    '    at handler (/srv/app/src/orders.ts:12:3)',
    '    at node:internal/process/task_queues:95:5',
    '    at async route (file:///srv/app/src/router.ts:40:9)',
    '    at /srv/app/src/main.ts:1:1',
    '    at more (/srv/app/src/more.ts:1:1)',
  ].join('\n');
  assert.deepEqual(applicationFrames(stack, 3, '/srv/app'), ['handler (src/orders.ts)', 'route (src/router.ts)', '<anonymous> (src/main.ts)']);
});

test('same type, normalised message and frames make one group; counts, first/last seen, trace id', () => {
  const g = new ErrorGroups();
  const make = (id: number) => boom(id);
  // Made from the same function (same frames, line numbers aside).
  const e1 = make(1);
  const e2 = make(2);
  g.record(e1, 'manual', 1000);
  runInContext({ trace: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } }, () => g.record(e2, 'http', 2000));
  g.record(new TypeError('other'), 'manual', 3000);
  const list = g.list();
  assert.equal(list.length, 2);
  assert.equal(list[0]!.type, 'TypeError', 'most recently seen first');
  const orders = list[1]!;
  assert.equal(orders.count, 2);
  assert.equal(orders.firstSeen, 1000);
  assert.equal(orders.lastSeen, 2000);
  assert.equal(orders.lastTraceId, 'a'.repeat(32));
  assert.equal(orders.lastSource, 'http');
  assert.equal(orders.sampleMessage, 'order 1 failed for user "u-1" at 0x1ff00');
  assert.match(orders.sampleStack ?? '', /error-groups\.test\.ts/);
  assert.equal(orders.message, 'order <n> failed for user <str> at <hex>');
  assert.equal(g.get(orders.fingerprint)?.count, 2);
  // The same Error object recorded twice (logged, then rethrown) counts once.
  const e = make(3);
  assert.equal(g.record(e), orders.fingerprint);
  assert.equal(g.record(e), undefined);
  assert.equal(g.get(orders.fingerprint)?.count, 3);
});

test('the table is bounded: least recently seen groups are evicted and counted', () => {
  const g = new ErrorGroups({ maxGroups: 3 });
  for (const name of ['A', 'B', 'C']) g.record(Object.assign(new Error('x'), { name }));
  g.record(Object.assign(new Error('x'), { name: 'A' })); // A becomes the most recent
  g.record(Object.assign(new Error('x'), { name: 'D' })); // evicts B
  assert.deepEqual(g.list().map((x) => x.type), ['D', 'A', 'C']);
  assert.equal(g.evicted, 1);
  assert.equal(g.size, 3);
  for (let i = 0; i < 1000; i++) g.record(Object.assign(new Error('x'), { name: `T${i}` }));
  assert.equal(g.size, 3);
  assert.throws(() => new ErrorGroups({ maxGroups: 0 }), { code: 'SL_ERR_HEALTH_INVALID_OPTION' });
});

test('errors logged with log.error(msg, err) or { err } reach the groups through the log channel; info lines do not', () => {
  const g = new ErrorGroups();
  const stop = g.capture();
  const log = createLogger({ destination: memory() });
  try {
    log.error('charge failed', new RangeError('amount 12 out of range'));
    log.fatal('db gone', { err: new Error('connection 7 lost') });
    log.warn('warned', new Error('not an error-level line'));
    log.error('no error object', { code: 5 });
    const types = g.list().map((x) => `${x.type}:${x.message}:${x.lastSource}`).sort();
    assert.deepEqual(types, ['Error:connection <n> lost:log', 'RangeError:amount <n> out of range:log']);
  } finally {
    stop();
  }
  log.error('after unsubscribe', new Error('ignored'));
  assert.equal(g.size, 2);
  g.clear();
  assert.equal(g.size, 0);
});

test('secrets in sample messages and stacks are scrubbed; non-Error values are grouped by type', () => {
  const g = new ErrorGroups();
  g.record(new Error('cannot reach postgres://app:hunter2@db/x'));
  g.record('a string reason');
  g.record(undefined);
  const s = JSON.stringify(g.list());
  assert.ok(!s.includes('hunter2'));
  assert.deepEqual(g.list().map((x) => x.type).sort(), ['Error', 'string', 'undefined']);
});
