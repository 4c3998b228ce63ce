// The one environment reader: trimmed values, empty or blank means unset, bad numbers reported
// once per value and ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internalErrorCounts } from 'sightline';
import { envInt, envList, envPresent, envString } from '../../src/env.js';
import { captureStderr } from '../support/stderr.js';

function badEnvCount(): number {
  return internalErrorCounts().find((e) => e.pillar === 'trace' && e.reason === 'bad_env')?.count ?? 0;
}

test('envString: trimmed; unset, empty and blank are undefined', () => {
  assert.equal(envString({ A: '  x y  ' }, 'A'), 'x y');
  assert.equal(envString({ A: '' }, 'A'), undefined);
  assert.equal(envString({ A: ' \t ' }, 'A'), undefined);
  assert.equal(envString({}, 'A'), undefined);
});

test('envPresent: set even when empty', () => {
  assert.equal(envPresent({ A: '' }, 'A'), true);
  assert.equal(envPresent({}, 'A'), false);
});

test('envInt: integers (trimmed), zero only when not positive; bad values counted and ignored', () => {
  assert.equal(envInt({ N: ' 42 ' }, 'N', 'trace', true), 42);
  assert.equal(envInt({ N: '0' }, 'N', 'trace', false), 0);
  assert.equal(envInt({ N: '' }, 'N', 'trace', true), undefined);
  const before = badEnvCount();
  const writes = captureStderr(() => {
    assert.equal(envInt({ ENV_TEST_N: '0' }, 'ENV_TEST_N', 'trace', true), undefined);
    assert.equal(envInt({ ENV_TEST_N: '1.5' }, 'ENV_TEST_N', 'trace', false), undefined);
    assert.equal(envInt({ ENV_TEST_N: '1.5' }, 'ENV_TEST_N', 'trace', false), undefined);
    assert.equal(envInt({ ENV_TEST_N: '-1' }, 'ENV_TEST_N', 'trace', false), undefined);
    assert.equal(envInt({ ENV_TEST_N: '99999999999999999999' }, 'ENV_TEST_N', 'trace', false), undefined);
  });
  assert.equal(badEnvCount() - before, 5);
  assert.deepEqual(writes, [
    'sightline: ignoring ENV_TEST_N="0": expected a positive integer\n',
    'sightline: ignoring ENV_TEST_N="1.5": expected a non-negative integer\n',
    'sightline: ignoring ENV_TEST_N="-1": expected a non-negative integer\n',
    'sightline: ignoring ENV_TEST_N="99999999999999999999": expected a non-negative integer\n',
  ]);
});

test('envList: comma-separated, entries trimmed, empty entries skipped', () => {
  assert.deepEqual(envList({ L: ' a, b ,,c ' }, 'L'), ['a', 'b', 'c']);
  assert.deepEqual(envList({ L: ' , ' }, 'L'), []);
  assert.equal(envList({ L: '  ' }, 'L'), undefined);
});
