import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLogger } from 'sightline/log';
import { memory } from 'sightline/testing';

/** Secret values that must never appear in output, each under a credential-like key. */
const CORPUS: Record<string, string> = {
  password: 'hunter2-Pa55!',
  Password: 'CapitalP-secret-1',
  PASSWD: 'upper-passwd-2',
  db_password: 'db-pass-3',
  dbPassword: 'camel-pass-4',
  secret: 'plain-secret-5',
  client_secret: 'oauth-client-secret-6',
  token: 'tok-7',
  access_token: 'access-tok-8',
  refreshToken: 'refresh-tok-9',
  authorization: 'Bearer abc.def.ghi-10',
  Authorization: 'Basic dXNlcjpwYXNz-11',
  cookie: 'session=abcdef-12',
  'set-cookie': 'sid=zzz-13',
  'Set-Cookie': 'sid=yyy-14',
  api_key: 'ak-15',
  apikey: 'ak-16',
  'x-api-key': 'ak-17',
  apiKey: 'ak-18',
  private_key: '-----BEGIN PRIVATE KEY-----19',
  credentials: 'creds-20',
  passphrase: 'phrase-21',
  sessionId: 'sess-22',
  aws_secret_access_key: 'aws-23',
};

function wrap(value: unknown, path: string[]): unknown {
  return path.reduceRight<unknown>((acc, k) => (k === '[]' ? [acc] : { [k]: acc }), value);
}

test('credential-like keys are redacted by default at any depth, case-insensitively', () => {
  const mem = memory();
  const log = createLogger({ level: 'info', destination: mem });
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom('user', 'req', 'headers', 'config', '[]'), fc.string({ minLength: 1, maxLength: 6 })), { maxLength: 6 }), (path) => {
      mem.clear();
      log.info('login', wrap({ ...CORPUS, username: 'alice' }, path.length === 0 ? ['x'] : path) as object);
      log.child(wrap(CORPUS, ['bound']) as Record<string, unknown>).warn('child');
      const out = mem.lines().join('');
      for (const secret of Object.values(CORPUS)) assert.ok(!out.includes(secret), `secret ${secret} leaked via path ${path.join('.')}`);
      assert.ok(out.includes('alice'), 'ordinary fields survive');
      assert.ok(out.includes('[REDACTED]'));
    }),
    { numRuns: 300 },
  );
});

test('secrets in errors, Maps, context fields and arrays are redacted too', async () => {
  const { runInContext } = await import('sightline/context');
  const mem = memory();
  const log = createLogger({ level: 'info', destination: mem });
  const err = Object.assign(new Error('auth failed'), { token: 'err-token-1', config: { headers: { authorization: 'Bearer err-2' } } });
  log.error('x', err);
  log.info('map', { m: new Map([['password', 'map-pass-3']]) });
  runInContext({ fields: { apiKey: 'ctx-key-4' } }, () => log.info('ctx'));
  log.info('arr', { list: [{ secret: 'arr-secret-5' }] });
  const out = mem.lines().join('');
  for (const s of ['err-token-1', 'err-2', 'map-pass-3', 'ctx-key-4', 'arr-secret-5']) assert.ok(!out.includes(s), s);
});

test('paths with * and ** redact exactly what they name', () => {
  const mem = memory();
  const log = createLogger({ level: 'info', destination: mem, redact: { paths: ['user.email', 'orders.*.card', '**.ssn', 'a.**.z'] } });
  log.info('p', {
    user: { email: 'e@x.io', name: 'n' },
    orders: [{ card: '4111-1', id: 1 }, { card: '4111-2', id: 2 }],
    deep: { deeper: { ssn: '078-05-1120' } },
    ssn: 'top-ssn',
    a: { z: 'az', b: { c: { z: 'abcz' }, keep: 'k' } },
    email: 'not-under-user',
  });
  const r = mem.records()[0]!;
  assert.deepEqual(r['user'], { email: '[REDACTED]', name: 'n' });
  assert.deepEqual(r['orders'], [{ card: '[REDACTED]', id: 1 }, { card: '[REDACTED]', id: 2 }]);
  assert.equal(r['deep'].deeper.ssn, '[REDACTED]');
  assert.equal(r['ssn'], '[REDACTED]');
  assert.equal(r['a'].z, '[REDACTED]');
  assert.equal(r['a'].b.c.z, '[REDACTED]');
  assert.equal(r['a'].b.keep, 'k');
  assert.equal(r['email'], 'not-under-user');
});

test('value patterns: bearer tokens, JWTs, card numbers with a valid Luhn check', () => {
  const mem = memory();
  const log = createLogger({ level: 'info', destination: mem, redact: { patterns: true } });
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  log.info(`calling with Bearer abcDEF123._~+/xyz== and ${jwt}`, { note: 'card 4111 1111 1111 1111 and 4111 1111 1111 1112', order: '1234567890123' });
  const out = mem.lines()[0]!;
  assert.ok(!out.includes('abcDEF123'));
  assert.ok(!out.includes(jwt));
  assert.ok(!out.includes('4111 1111 1111 1111'), 'valid card number redacted');
  assert.ok(out.includes('4111 1111 1111 1112'), 'number failing Luhn is kept');
  assert.ok(out.includes('1234567890123'), 'short/invalid numbers are kept');
});

test('redaction can be turned off, and ordinary keys are not redacted', () => {
  const mem = memory();
  const log = createLogger({ level: 'info', destination: mem, redact: false });
  log.info('x', { password: 'visible', tokens_used: 12 });
  assert.equal(mem.records()[0]!['password'], 'visible');
  const mem2 = memory();
  createLogger({ level: 'info', destination: mem2 }).info('x', { tokens_used: 12, author: 'a', passport_country: 'de' });
  assert.deepEqual(mem2.records()[0], { ...mem2.records()[0], tokens_used: 12, author: 'a', passport_country: 'de' });
});
