import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, levelName, LEVEL_NAMES, LEVELS, resolveLevel } from 'sightline/log';
import type { LevelName } from 'sightline/log';
import { memory } from 'sightline/testing';

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

test('warning and critical (any case) are aliases of warn and fatal, wherever a level is named', () => {
  assert.equal(resolveLevel(undefined, { LOG_LEVEL: 'WARNING' }), 'warn');
  assert.equal(resolveLevel(undefined, { LOG_LEVEL: ' Critical ' }), 'fatal');
  assert.equal(resolveLevel('warning', {}), 'warn');
  assert.equal(resolveLevel('CRITICAL', {}), 'fatal');
  assert.equal(LEVELS.warning, LEVELS.warn);
  assert.equal(LEVELS.critical, LEVELS.fatal);
  assert.deepEqual(LEVEL_NAMES, ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], 'aliases are not canonical names');
  assert.equal(levelName(40), 'warn');
  assert.equal(levelName(60), 'fatal');
});

test('log.warning() and log.critical() write warn and fatal lines; the level option and LOG_LEVEL take the aliases', () => {
  const mem = memory();
  const log = createLogger({ level: 'warning', destination: mem });
  assert.equal(log.level, 'warn', 'the level reads back canonical');
  log.info('not written');
  log.warning('low disk', { free: 5 });
  log.critical({ disk: 'sda' }, 'disk gone');
  assert.deepEqual(mem.records().map((r) => [r['level'], r['msg']]), [['warn', 'low disk'], ['fatal', 'disk gone']]);
  assert.equal(log.isLevelEnabled('warning'), true);
  assert.equal(log.isLevelEnabled('info'), false);
  assert.equal(log.isLevelEnabled('WARNING' as LevelName), true, 'any case');

  log.level = 'CRITICAL' as LevelName;
  assert.equal(log.level, 'fatal');
  log.error('below critical');
  log.warning('below critical');
  assert.equal(mem.records().length, 2);
  assert.equal(log.child({ c: 1 }).critical === log.child({ c: 2 }).fatal, true, 'the same method as fatal');

  const saved = process.env['LOG_LEVEL'];
  process.env['LOG_LEVEL'] = 'WARNING';
  try {
    const mem2 = memory();
    const fromEnv = createLogger({ destination: mem2 });
    assert.equal(fromEnv.level, 'warn');
    fromEnv.info('no');
    fromEnv.warn('yes');
    assert.deepEqual(mem2.records().map((r) => r['msg']), ['yes']);
  } finally {
    if (saved === undefined) delete process.env['LOG_LEVEL'];
    else process.env['LOG_LEVEL'] = saved;
  }
});

test('destination levels and sampling take the aliases too', () => {
  const all = memory();
  const important = memory({ level: 'critical' });
  const warnings = memory();
  const log = createLogger({ level: 'trace', destination: [all, important, { destination: warnings, level: 'Warning' as LevelName }], sampling: { warning: 0 } });
  log.info('i');
  log.warn('sampled out');
  log.error('e');
  log.critical('c');
  assert.deepEqual(all.records().map((r) => r['msg']), ['i', 'e', 'c']);
  assert.deepEqual(important.records().map((r) => r['msg']), ['c']);
  assert.deepEqual(warnings.records().map((r) => r['msg']), ['e', 'c']);
  assert.equal(log.stats().sampledOut, 1);
});

test('a bad level names every accepted name in its message', () => {
  assert.throws(() => resolveLevel('loud', {}), (e: Error & { code: string }) => {
    assert.equal(e.code, 'SL_ERR_LOG_INVALID_LEVEL');
    assert.match(e.message, /warning/);
    assert.match(e.message, /critical/);
    return true;
  });
});
