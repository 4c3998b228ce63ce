import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLevel } from 'sightline/log';

test('level: option wins, then LOG_LEVEL, then NODE_ENV', () => {
  assert.equal(resolveLevel('error', { LOG_LEVEL: 'debug', NODE_ENV: 'production' }), 'error');
  assert.equal(resolveLevel(undefined, { LOG_LEVEL: 'DEBUG', NODE_ENV: 'production' }), 'debug');
  assert.equal(resolveLevel(undefined, { LOG_LEVEL: '', NODE_ENV: 'production' }), 'warn', 'empty LOG_LEVEL counts as unset');
});

test('NODE_ENV mapping: development → debug, test/staging → info, production → warn, other/unset → info', () => {
  const cases: [string | undefined, string][] = [
    ['development', 'debug'], ['dev', 'debug'], ['test', 'info'], ['staging', 'info'], ['production', 'warn'], ['prod', 'warn'],
    ['PRODUCTION', 'warn'], ['something', 'info'], [undefined, 'info'], ['', 'info'],
  ];
  for (const [env, level] of cases) assert.equal(resolveLevel(undefined, env === undefined ? {} : { NODE_ENV: env }), level, String(env));
});

test('a bad LOG_LEVEL is a coded error naming LOG_LEVEL', () => {
  assert.throws(() => resolveLevel(undefined, { LOG_LEVEL: 'loud' }), { code: 'SL_ERR_LOG_INVALID_LEVEL', field: 'LOG_LEVEL' });
});
