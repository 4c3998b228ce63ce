// docs/errors.md lists exactly the (pillar, reason) pairs the code may report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REASONS } from '../../src/diagnostics/index.js';

test('docs/errors.md "Run-time problems" lists exactly the reasons of the code', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\|\s*`([a-z]+)`\s*\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
  const defined = Object.entries(REASONS).flatMap(([p, rs]) => rs.map((r) => `${p}:${r}`)).sort();
  assert.deepEqual(documented, defined);
  assert.equal(new Set(documented).size, documented.length, 'a reason is documented twice');
});
