// The request context as an OpenTelemetry `Context`: keyed values stored as a persistent list of
// frames (flattened past a bound) must read exactly like the copy-a-Map-per-set semantics they
// replace, with or without a foreign (API-made) base context, and never change a parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROOT_CONTEXT as API_ROOT } from '@opentelemetry/api';
import { ROOT_CONTEXT, OTEL_SPAN_KEY, runInContext, currentContext } from 'sightline/context';

const KEYS = [Symbol.for('sightline.test.a'), Symbol.for('sightline.test.b'), Symbol.for('sightline.test.c'), OTEL_SPAN_KEY];

/** Reference: every context holds a full copy of its own values; reads fall back to the base. */
class Model {
  constructor(readonly own: ReadonlyMap<symbol, unknown>, readonly deleted: ReadonlySet<symbol>, readonly base: { getValue(k: symbol): unknown } | undefined) {}
  getValue(k: symbol): unknown {
    if (this.deleted.has(k)) return undefined;
    const v = this.own.get(k);
    return v !== undefined ? v : this.base?.getValue(k);
  }
  setValue(k: symbol, v: unknown): Model {
    const own = new Map(this.own).set(k, v);
    const deleted = new Set(this.deleted);
    deleted.delete(k);
    return new Model(own, deleted, this.base);
  }
  deleteValue(k: symbol): Model {
    const own = new Map(this.own);
    own.delete(k);
    return new Model(own, new Set(this.deleted).add(k), this.base);
  }
}

type Op = { kind: 'set'; key: number; value: unknown } | { kind: 'delete'; key: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: fc.nat({ max: 3 }), value: fc.constantFrom(1, 'x', 0, null, undefined, false) }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.nat({ max: 3 }) }),
);

test('property: set/delete sequences read like a copied map, parents never change (with and without a foreign base)', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), fc.boolean(), (ops, foreign) => {
    const base = foreign ? API_ROOT.setValue(KEYS[0]!, 'base-a').setValue(KEYS[2]!, 'base-c') : undefined;
    let ctx = base === undefined ? ROOT_CONTEXT : runInContext({}, () => currentContext().adopt(base));
    let model = new Model(new Map(), new Set(), base);
    const history: Array<[typeof ctx, Model]> = [[ctx, model]];
    for (const o of ops) {
      const k = KEYS[o.key]!;
      if (o.kind === 'set') {
        ctx = ctx.setValue(k, o.value);
        model = model.setValue(k, o.value);
      } else {
        ctx = ctx.deleteValue(k);
        model = model.deleteValue(k);
      }
      history.push([ctx, model]);
    }
    for (const [c, m] of history) for (const k of KEYS) assert.equal(c.getValue(k), m.getValue(k));
  }), { numRuns: 500 });
});

test('a long chain of sets stays readable (flattened past the frame bound) and keeps the newest value', () => {
  let ctx = ROOT_CONTEXT;
  const key = KEYS[1]!;
  for (let i = 0; i < 100; i++) ctx = ctx.setValue(KEYS[i % 3]!, i);
  assert.equal(ctx.getValue(key), 97);
  assert.equal(ctx.getValue(KEYS[0]!), 99);
  assert.equal(ctx.deleteValue(key).getValue(key), undefined);
  assert.equal(ctx.getValue(key), 97, 'deleting in a child leaves the parent');
});
