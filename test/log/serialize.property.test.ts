import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLogger } from 'sightline/log';
import { memory } from 'sightline/testing';

function oneLine(lines: string[]): Record<string, unknown> {
  assert.equal(lines.length, 1, 'exactly one line per call');
  const line = lines[0]!;
  assert.ok(line.endsWith('\n'));
  assert.equal(line.indexOf('\n'), line.length - 1, 'no raw newline inside the line');
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(line.slice(0, -1), /[\u0000-\u001f]/, 'control characters are escaped');
  return JSON.parse(line) as Record<string, unknown>;
}

test('any value, as fields or inside them, yields exactly one valid JSON line', () => {
  const mem = memory();
  const log = createLogger({ level: 'trace', destination: mem });
  fc.assert(
    fc.property(fc.string(), fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true, withObjectString: true }), (msg, value) => {
      mem.clear();
      log.info(msg, typeof value === 'object' && value !== null ? value : { value });
      const rec = oneLine(mem.lines());
      assert.equal(rec['msg'], expectedMessage(msg));
    }),
    { numRuns: 2000 },
  );
});

/** The documented truncation (docs/log.md), computed here independently of the serializer. */
function expectedMessage(msg: string, max = 16_384): string {
  if (msg.length <= max) return msg;
  const high = msg.charCodeAt(max - 1);
  const cut = high >= 0xd800 && high <= 0xdbff ? max - 1 : max;
  return `${msg.slice(0, cut)}…[truncated ${msg.length - cut} chars]`;
}

test('messages longer than the limit are cut where documented, never through a surrogate pair', () => {
  const mem = memory();
  const log = createLogger({ level: 'trace', destination: mem });
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 16_380, maxLength: 16_400 }), (msg) => {
      mem.clear();
      log.info(msg);
      assert.equal(oneLine(mem.lines())['msg'], expectedMessage(msg));
    }),
    { numRuns: 200 },
  );
  mem.clear();
  log.info(`${'a'.repeat(16_383)}\u{1F600}tail`);
  assert.equal(oneLine(mem.lines())['msg'], `${'a'.repeat(16_383)}…[truncated 6 chars]`);
});

test('hostile values: cycles, throwing getters, toJSON, Buffer, Map/Set, BigInt, Proxy, symbols', () => {
  const mem = memory();
  const log = createLogger({ level: 'trace', destination: mem });
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic['self'] = cyclic;
  cyclic['list'] = [cyclic, { back: cyclic }];
  const getter = Object.defineProperty({}, 'boom', { enumerable: true, get() { throw new Error('getter exploded'); } });
  const throwingToJSON = { toJSON() { throw new Error('toJSON exploded'); } };
  const selfToJSON = { a: 1, toJSON() { return this; } };
  const proxy = new Proxy({}, { ownKeys() { throw new Error('ownKeys exploded'); } });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const values: Record<string, unknown> = {
    cyclic, getter, throwingToJSON, selfToJSON, proxy, revoked: revoked.proxy,
    buf: Buffer.from('héllo'), map: new Map<unknown, unknown>([['k', 1], [{ o: 1 }, 'obj key']]), set: new Set([1, 'two', 3n]),
    big: 2n ** 70n, nan: NaN, inf: -Infinity, date: new Date(0), badDate: new Date(NaN), re: /x+/g,
    sym: Symbol('s'), fn: () => 1, undef: undefined, nested: { deeper: { deepest: { ok: true } } },
    typed: new Float64Array([1.5, 2.5]), weak: new WeakMap(), promise: Promise.resolve(1),
    ctrl: 'a\u0000b\u001fc\nd\re\u2028f', lone: '\ud800x', [Symbol('hidden')]: 'not written',
  };
  log.info('hostile', values);
  const r = oneLine(mem.lines());
  assert.equal((r['cyclic'] as { self: unknown }).self, '[Circular]');
  assert.equal((r['getter'] as { boom: unknown }).boom, '[Throws: Error: getter exploded]');
  assert.equal(r['throwingToJSON'], '[Throws: Error: toJSON exploded]');
  assert.deepEqual(r['selfToJSON'], { a: 1 });
  assert.deepEqual(r['buf'], { type: 'Buffer', length: 6, base64: Buffer.from('héllo').toString('base64') });
  assert.deepEqual(r['map'], { k: 1, '[object Object]': 'obj key' });
  assert.deepEqual(r['set'], [1, 'two', '3']);
  assert.equal(r['big'], (2n ** 70n).toString());
  assert.equal(r['nan'], 'NaN');
  assert.equal(r['inf'], '-Infinity');
  assert.equal(r['date'], '1970-01-01T00:00:00.000Z');
  assert.equal(r['badDate'], 'Invalid Date');
  assert.deepEqual(r['typed'], [1.5, 2.5]);
  assert.equal(r['weak'], '[WeakMap]');
  assert.equal(r['ctrl'], 'a\u0000b\u001fc\nd\re\u2028f');
  assert.ok(!('sym' in r) && !('fn' in r) && !('undef' in r));
  assert.equal(typeof r['proxy'], 'string');
});

test('depth and size limits keep lines bounded', () => {
  const mem = memory();
  const log = createLogger({ level: 'trace', destination: mem, limits: { maxDepth: 3, maxItems: 10 } });
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 50; i++) deep = { d: deep };
  log.info('deep', { deep, wide: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])), long: Array.from({ length: 1000 }, (_, i) => i) });
  const r = oneLine(mem.lines());
  assert.match(JSON.stringify(r['deep']), /"\[Object\]"/);
  assert.equal(Object.keys(r['wide'] as object).length, 11);
  assert.equal((r['long'] as unknown[]).length, 11);
  assert.equal((r['long'] as unknown[])[10], '…990 more items');
});

test("the string fast path writes exactly what JSON.stringify writes, for any string", async () => {
  const { jsonString } = await import('../../src/log/serialize.js');
  // Full UTF-16 (lone surrogates included), and strings built from the characters that matter.
  const special = fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', '😀', 'é', 'a', '/');
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(special, { maxLength: 300 }).map((a) => a.join(''))), (s) => {
      assert.equal(jsonString(s), JSON.stringify(s));
    }),
    { numRuns: 5000 },
  );
});
