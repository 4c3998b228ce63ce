// TLS is tested against a node:tls server in this test, not rsyslog: Debian's rsyslog needs the
// separate rsyslog-gnutls / rsyslog-openssl driver packages for TLS, which are not installed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { createLogger, syslog } from 'sightline/log';
import { requireBinary } from '../support/prometheus.js';
import { tmpDir } from './rotating-file.support.js';

/** A TLS syslog server that splits RFC 6587 octet-counted frames strictly. */
async function server(key: Buffer, cert: Buffer): Promise<{ port: number; frames: string[]; close: () => Promise<void> }> {
  const frames: string[] = [];
  const srv = tls.createServer({ key, cert }, (sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp === -1) return;
        const len = Number(buf.subarray(0, sp).toString('ascii'));
        assert.ok(Number.isInteger(len) && len > 0, `bad frame length ${buf.subarray(0, sp).toString()}`);
        if (buf.length < sp + 1 + len) return;
        frames.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  return { port, frames, close: () => new Promise((resolve) => srv.close(() => resolve())) };
}

function makeCert(t: import('node:test').TestContext): { key: Buffer; cert: Buffer } | undefined {
  const openssl = requireBinary(t, 'openssl');
  if (openssl === undefined) return undefined;
  const dir = tmpDir('syslog-tls');
  const r = spawnSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
}

test('tls: octet-counted RFC 5424 frames over a verified TLS connection', async (t) => {
  const pair = makeCert(t);
  if (pair === undefined) return;
  const srv = await server(pair.key, pair.cert);
  try {
    const dest = syslog({ protocol: 'tls', port: srv.port, facility: 'local7', tls: { ca: pair.cert } });
    const log = createLogger({ service: 'tls-svc', destination: dest });
    for (let i = 0; i < 300; i++) log.warn('über [secure] "line"', { i });
    await log.close();
    for (let k = 0; k < 100 && srv.frames.length < 300; k++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(srv.frames.length, 300);
    srv.frames.forEach((f, i) => {
      // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG; local7 (23) * 8 + warning (4) = 188
      const m = /^<188>1 (\S+) (\S+) tls-svc (\d+) - - (\{.*\})$/.exec(f);
      assert.ok(m, f);
      assert.equal(m[3], String(process.pid));
      const body = JSON.parse(m[4]!) as { i: number; msg: string; time: string };
      assert.equal(body.i, i);
      assert.equal(body.msg, 'über [secure] "line"');
      assert.equal(m[1], body.time);
    });
    assert.equal(dest.stats().fallback, 0);
  } finally {
    await srv.close();
  }
});

test('tls: an untrusted server certificate is refused; queued lines go to stderr at close, counted', async (t) => {
  const pair = makeCert(t);
  if (pair === undefined) return;
  const srv = await server(pair.key, pair.cert);
  try {
    // No `ca`: the self-signed certificate is not trusted.
    const dest = syslog({ protocol: 'tls', port: srv.port, connectTimeoutMs: 500, reconnect: { initialDelayMs: 1000 } });
    const log = createLogger({ service: 'tls-svc', destination: dest });
    for (let i = 0; i < 5; i++) log.info('not sent', { i });
    await log.close();
    assert.equal(srv.frames.length, 0);
    assert.equal(dest.stats().fallback, 5, JSON.stringify(dest.stats()));
    assert.equal(dest.stats().dropped, 0);
  } finally {
    await srv.close();
  }
});
