import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROOT_CONTEXT, baggageEntryMetadataFromString, defaultTextMapGetter, defaultTextMapSetter, propagation } from '@opentelemetry/api';
import type { BaggageEntry } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '../../src/trace/propagation/index.js';

const p = new W3CBaggagePropagator();

function extract(header: string | string[]): Record<string, BaggageEntry> {
  const b = propagation.getBaggage(p.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter));
  return Object.fromEntries(b?.getAllEntries() ?? []);
}

function inject(entries: Record<string, BaggageEntry>): string | undefined {
  const carrier: Record<string, string> = {};
  p.inject(propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(entries)), carrier, defaultTextMapSetter);
  return carrier['baggage'];
}

test('baggage: members extracted, values percent-decoded, OWS trimmed', () => {
  const e = extract('userId=alice, serverNode = DF%2028 ,isProduction=false');
  assert.equal(e['userId']?.value, 'alice');
  assert.equal(e['serverNode']?.value, 'DF 28');
  assert.equal(e['isProduction']?.value, 'false');
});

test('baggage: values are percent-encoded on inject (round trip of any string)', () => {
  assert.equal(inject({ k: { value: 'a b,c;d=e%f"g\\é' } }), 'k=a%20b%2Cc%3Bd%3De%25f%22g%5C%C3%A9');
  fc.assert(fc.property(fc.string({ maxLength: 50, unit: 'grapheme' }), (v) => {
    const header = inject({ k: { value: v } });
    assert.ok(header);
    assert.equal(extract(header)['k']?.value, v);
  }));
});

test('baggage: properties are kept as metadata and re-emitted', () => {
  const e = extract('k=v;prop1=x;flag');
  assert.equal(e['k']?.value, 'v');
  assert.equal(e['k']?.metadata?.toString(), 'prop1=x;flag');
  assert.equal(inject({ k: { value: 'v', metadata: baggageEntryMetadataFromString('p=1') } }), 'k=v;p=1');
});

test('baggage: multiple headers are combined', () => {
  const e = extract(['a=1', 'b=2,c=3']);
  assert.deepEqual(Object.keys(e).sort(), ['a', 'b', 'c']);
});

test('baggage: malformed members are dropped one by one, never partially', () => {
  const e = extract('good=1,no-equals,bad key=2,k=%zz,q="x",also=ok');
  assert.deepEqual(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v.value])), { good: '1', also: 'ok' });
  assert.equal(p.extract(ROOT_CONTEXT, { baggage: ',,,' }, defaultTextMapGetter), ROOT_CONTEXT);
});

test('baggage: at most 64 members are sent and received', () => {
  const entries = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, { value: 'v' }]));
  const header = inject(entries)!;
  assert.equal(header.split(',').length, 64);
  assert.equal(Object.keys(extract(Array.from({ length: 70 }, (_, i) => `k${i}=v`).join(','))).length, 64);
});

test('baggage: at most 8192 bytes, never a partial member', () => {
  const entries = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, { value: 'x'.repeat(1000) }]));
  const header = inject(entries)!;
  assert.ok(Buffer.byteLength(header) <= 8192);
  const members = header.split(',');
  assert.equal(members.length, 8);
  for (const m of members) assert.match(m, /^k\d=x{1000}$/);
  // a member that alone is too large is skipped, later small ones still fit
  const h2 = inject({ huge: { value: 'y'.repeat(9000) }, small: { value: 's' } });
  assert.equal(h2, 'small=s');
  const received = extract(`${Array.from({ length: 9 }, (_, i) => `k${i}=${'x'.repeat(1000)}`).join(',')}`);
  assert.equal(Object.keys(received).length, 8);
});

test('property: random baggage headers never throw; re-injected output is well-formed', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (h) => {
    const ctx = p.extract(ROOT_CONTEXT, { baggage: h }, defaultTextMapGetter);
    const carrier: Record<string, string> = {};
    p.inject(ctx, carrier, defaultTextMapSetter);
    const out = carrier['baggage'];
    if (out !== undefined) {
      assert.ok(Buffer.byteLength(out) <= 8192);
      for (const m of out.split(',')) assert.match(m, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*(;.*)?$/);
    }
  }), { numRuns: 2000 });
});
