// Store specs: the three forms, coded errors naming the field, passwords kept out of every
// description and message, and what happens without the optional drivers (a process whose
// module resolution cannot find them, as on a machine where they are not installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { DEFAULT_STORE_SPEC, MemoryStore, openStoreSpec, parseStoreSpec, RedisStore, SqliteStore } from 'sightline/slo';
import { parseRedisUrl } from '../../src/slo/store/redis.js';

const CHILD = new URL('./fixtures/store-spec-child.ts', import.meta.url).pathname;
const HIDE = new URL('./fixtures/hide-drivers.cjs', import.meta.url).pathname;

function runChild(spec: string, explicit: boolean, hide = 'better-sqlite3'): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--require', HIDE, '--import', 'tsx', '--conditions=source', CHILD, spec, String(explicit)],
      { env: { ...process.env, SL_HIDE_MODULES: hide }, cwd: process.cwd() },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>);
      },
    );
  });
}

test('parseStoreSpec: memory, sqlite:<path>, redis:// and rediss://; undefined is the default SQLite file', () => {
  assert.deepEqual(parseStoreSpec('memory'), { kind: 'memory', description: 'memory' });
  assert.deepEqual(parseStoreSpec('sqlite:/var/lib/app/slo.sqlite'), { kind: 'sqlite', path: '/var/lib/app/slo.sqlite', description: 'sqlite:/var/lib/app/slo.sqlite' });
  assert.equal(DEFAULT_STORE_SPEC, 'sqlite:./.sightline/slo.sqlite');
  assert.deepEqual(parseStoreSpec(undefined), { kind: 'sqlite', path: './.sightline/slo.sqlite', description: DEFAULT_STORE_SPEC });
  assert.deepEqual(parseStoreSpec('redis://10.0.0.5:6380/2'), { kind: 'redis', url: 'redis://10.0.0.5:6380/2', description: 'redis://10.0.0.5:6380/2' });
  assert.equal(parseStoreSpec('redis://cache').description, 'redis://cache:6379/0');
  assert.equal(parseStoreSpec('rediss://default:s3cr%40t@cache.example:6390').description, 'rediss://cache.example:6390/0');
  assert.deepEqual(parseRedisUrl('rediss://default:s3cr%40t@[::1]:6390/3'), {
    host: '::1', port: 6390, db: 3, tls: true, username: 'default', password: 's3cr@t', description: 'rediss://[::1]:6390/3',
  });
});

test('parseStoreSpec: anything else is SL_ERR_SLO_INVALID_STORE naming the field, without the password', () => {
  const cases: [unknown, RegExp][] = [
    ['postgres://x', /unknown store "postgres:\/\/x"/],
    ['sqlite:', /needs a file path/],
    ['Memory', /unknown store/],
    [42, /must be a string, not number/],
    [null, /not null/],
    ['redis://', /not a valid Redis URL|no host/],
    ['redis://h:6379/x', /database number/],
    ['redis://h:6379/0?family=6', /query/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parseStoreSpec(spec, 'slo.store'), { code: 'SL_ERR_SLO_INVALID_STORE', field: 'slo.store', message }, String(spec));
  }
  assert.throws(() => parseStoreSpec('memry', 'options.slo.store'), { field: 'options.slo.store', message: /use 'memory', 'sqlite:<path>'/ });
  for (const spec of ['redis://user:hunter22@h:6379/x', 'redis://:hunter22@h/0?tls=1', 'mysql://root:hunter22@db']) {
    assert.throws(
      () => parseStoreSpec(spec),
      (e: Error) => {
        assert.doesNotMatch(e.message, /hunter22/);
        assert.match(e.message, /\*\*\*@/);
        return true;
      },
    );
  }
});

test('openStoreSpec: makes the store each spec names', async () => {
  const warn = (): void => assert.fail('no warning expected');
  const mem = openStoreSpec(parseStoreSpec('memory'), { explicit: true, warn });
  assert.ok(mem instanceof MemoryStore);
  assert.equal(mem.kind, 'memory');
  assert.deepEqual(await mem.open([], 0), { own: new Map(), others: new Map() });
  assert.equal(await mem.save(new Map(), 0), true);
  await mem.close();
  assert.ok(openStoreSpec(parseStoreSpec('sqlite:/tmp/sl-never-opened/slo.sqlite'), { explicit: true, warn }) instanceof SqliteStore);
  const redis = openStoreSpec(parseStoreSpec('redis://:pw-not-shown@127.0.0.1:1/0'), { explicit: true, warn, instanceId: 'my host:1' });
  assert.ok(redis instanceof RedisStore);
  assert.equal(redis.description, 'redis://127.0.0.1:1/0');
  assert.equal(redis.instanceId, 'my_host_1');
  await redis.close();
});

test('without better-sqlite3: the default store falls back to memory with ONE warning naming the install command', async () => {
  const r = await runChild('default', false);
  assert.equal(r.kind, 'memory');
  assert.equal(r.saved, true);
  assert.equal((r.warnings as string[]).length, 1);
  assert.match((r.warnings as string[])[0] ?? '', /npm install better-sqlite3@12/);
  assert.match((r.warnings as string[])[0] ?? '', /better-sqlite3 is not installed/);
});

test('without better-sqlite3: an explicit sqlite: store is SL_ERR_SLO_STORE_UNAVAILABLE at start, naming the install command', async () => {
  for (const explicit of ['sqlite:./.sightline/slo.sqlite', 'sqlite:/tmp/x.sqlite']) {
    const r = await runChild(explicit, true);
    assert.equal(r.code, 'SL_ERR_SLO_STORE_UNAVAILABLE');
    assert.equal(r.field, 'slo.store');
    assert.match(String(r.message), /`npm install better-sqlite3@12`/);
    assert.deepEqual(r.warnings, []);
  }
});

test('without ioredis: a redis:// store is SL_ERR_SLO_STORE_UNAVAILABLE naming the install command', async () => {
  const r = await runChild('redis://:pw@127.0.0.1:6379/0', true, 'ioredis');
  assert.equal(r.code, 'SL_ERR_SLO_STORE_UNAVAILABLE');
  assert.match(String(r.message), /`npm install ioredis@6`/);
  assert.doesNotMatch(String(r.message), /pw@/);
});
