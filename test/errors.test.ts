import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { definedErrorCodes, SightlineError } from 'sightline';
// Load every public entry so that each pillar's codes are defined.
import 'sightline/log';
import 'sightline/context';
import 'sightline/testing';
import 'sightline/otlp';
import 'sightline/metrics';
import 'sightline/trace';
import 'sightline/http';
import 'sightline/health';
import 'sightline/slo';

test('docs/errors.md lists exactly the defined error codes', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\|\s*`(SL_ERR_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, definedErrorCodes());
  assert.equal(new Set(documented).size, documented.length, 'a code is documented twice');
});

test('SightlineError carries code and field', () => {
  const e = new SightlineError('SL_ERR_TEST_X', 'do the thing', 'a.b');
  assert.equal(e.code, 'SL_ERR_TEST_X');
  assert.equal(e.field, 'a.b');
  assert.match(e.message, /do the thing \(at `a\.b`\)/);
});
