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

test('every reader trims: blank LOG_LEVEL is unset, OTEL_SERVICE_NAME trimmed in log lines, NO_COLOR blank is unset', async () => {
  const { resolveLevel, createLogger } = await import('sightline/log');
  const { memory } = await import('sightline/testing');
  const { wantColor } = await import('../../src/cli/pretty.js');
  // Blank LOG_LEVEL used to be a bad level name; it now counts as unset like an empty one.
  assert.equal(resolveLevel(undefined, { LOG_LEVEL: '  ', NODE_ENV: ' production ' }), 'warn');
  assert.equal(resolveLevel(undefined, { LOG_LEVEL: ' debug ' }), 'debug');
  const saved = process.env['OTEL_SERVICE_NAME'];
  try {
    process.env['OTEL_SERVICE_NAME'] = '  checkout ';
    const lines = memory();
    createLogger({ destination: lines }).info('x');
    assert.equal(lines.records()[0]?.['service'], 'checkout');
    process.env['OTEL_SERVICE_NAME'] = '   ';
    const none = memory();
    createLogger({ destination: none }).info('x');
    assert.equal(none.records()[0]?.['service'], undefined);
  } finally {
    if (saved === undefined) delete process.env['OTEL_SERVICE_NAME'];
    else process.env['OTEL_SERVICE_NAME'] = saved;
  }
  assert.equal(wantColor({ isTTY: true }, { NO_COLOR: ' ' }), true);
  assert.equal(wantColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  // FORCE_COLOR keeps Node's convention: an empty value forces colour, 0 does not.
  assert.equal(wantColor({ isTTY: false }, { FORCE_COLOR: '' }), true);
  assert.equal(wantColor({ isTTY: false }, { FORCE_COLOR: ' 0 ' }), false);
  assert.equal(wantColor({ isTTY: false }, {}), false);
});
