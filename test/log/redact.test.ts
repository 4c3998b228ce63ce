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

// A path key that is itself credential-like (`cVV`, `pin`) redacts the whole subtree, `alice` too.
const CREDENTIAL_LIKE = /auth|jwt|bearer|pin|cvv|cvc|ssn|pass|pwd|secret|token|key|cookie|session|sig|cred|api/i;

test('credential-like keys are redacted by default at any depth, case-insensitively', () => {
  const mem = memory();
  const log = createLogger({ level: 'info', destination: mem });
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom('user', 'req', 'headers', 'config', '[]'), fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !CREDENTIAL_LIKE.test(k))), { maxLength: 6 }), (path) => {
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

test('patterns: a list of RegExps redacts their matches in every string value, the message too', () => {
  const mem = memory();
  const acct = /acct-\d{8}/i; // no g flag: the logger makes its own global copy
  const log = createLogger({ level: 'info', destination: mem, redact: { patterns: [acct, /\bIBAN [A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}/], censor: '***' } });
  log.info('moving ACCT-12345678 to acct-87654321', {
    note: 'from IBAN DE89 3704 0044 0532 0130 00 please',
    nested: { list: ['acct-00000001', 'keep acct-123'] },
    err: new Error('acct-99999999 is locked'),
  });
  const r = mem.records()[0]!;
  assert.equal(r['msg'], 'moving *** to ***');
  assert.equal(r['note'], 'from *** please');
  assert.deepEqual(r['nested'].list, ['***', 'keep acct-123']);
  assert.equal(r['err'].message, '*** is locked');
  assert.equal(acct.flags, 'i', 'the caller’s RegExp is not changed');
  assert.equal(acct.lastIndex, 0);
  log.info('twice acct-11111111');
  assert.equal(mem.records()[1]!['msg'], 'twice ***', 'no lastIndex left over between values');
});

test('patterns: a list may name the built-ins; a sticky or empty-matching RegExp still works', () => {
  const mem = memory();
  const log = createLogger({ level: 'info', destination: mem, redact: { patterns: ['bearer', /q*/y, /secret-\w+/gy] } });
  log.info('Bearer abc123 and secret-a, then secret-b');
  assert.equal(mem.records()[0]!['msg'], '[REDACTED] and [REDACTED], then [REDACTED]');
  log.info('plain text stays');
  assert.equal(mem.records()[1]!['msg'], 'plain text stays', 'an empty match replaces nothing');
});

test('patterns that are neither a boolean, { bearer, jwt, cards } nor a list of RegExps are rejected naming the field', () => {
  const cases: [unknown, string][] = [
    [/re/, 'redact.patterns'],
    ['bearer', 'redact.patterns'],
    [42, 'redact.patterns'],
    [[/ok/, 'acct-\\d+'], 'redact.patterns[1]'],
    [[/ok/, 7], 'redact.patterns[1]'],
    [{ bearer: 'yes' }, 'redact.patterns.bearer'],
  ];
  for (const [patterns, field] of cases) {
    assert.throws(() => createLogger({ destination: memory(), redact: { patterns: patterns as never } }), (e: { code: string; field: string }) => {
      assert.equal(e.code, 'SL_ERR_LOG_INVALID_OPTION', String(patterns));
      assert.equal(e.field, field, String(patterns));
      return true;
    });
  }
});

test('other redaction options of the wrong type are rejected naming the field', () => {
  const cases: [unknown, string][] = [
    [{ censor: 0 }, 'redact.censor'],
    [{ keys: 'no' }, 'redact.keys'],
    [{ extraKeys: 'iban' }, 'redact.extraKeys'],
    [{ extraKeys: ['iban', 3] }, 'redact.extraKeys[1]'],
    [{ paths: 'a.b' }, 'redact.paths'],
    [['a.b'], 'redact'],
  ];
  for (const [redact, field] of cases) {
    assert.throws(() => createLogger({ destination: memory(), redact: redact as never }), (e: { code: string; field: string }) => {
      assert.equal(e.code, 'SL_ERR_LOG_INVALID_OPTION', JSON.stringify(redact));
      assert.equal(e.field, field, JSON.stringify(redact));
      return true;
    });
  }
});
