import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { createLogger, syslog } from 'sightline/log';
import type { CanonicalLevelName as LevelName } from 'sightline/log';
import { startRsyslog } from '../support/rsyslog.js';
import type { Received } from '../support/rsyslog.js';
import { tmpDir } from './rotating-file.support.js';

/** Parses one `[id k="v" …]` element back (RFC 5424 §6.3.3 unescaping of \" \\ \]), strictly. */
function parseSd(sd: string): { id: string; params: Record<string, string> } {
  const m = /^\[([^ \]]+)/.exec(sd);
  assert.ok(m, `no SD element in ${sd}`);
  const params: Record<string, string> = {};
  const re = / ([^= \]"]+)="((?:[^"\\\]]|\\["\\\]])*)"/y;
  let pos = m[0].length;
  for (;;) {
    re.lastIndex = pos;
    const p = re.exec(sd);
    if (p === null) break;
    params[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
    pos = re.lastIndex;
  }
  assert.equal(sd.slice(pos), ']', `unparsed rest of ${sd}`);
  return { id: m[1]!, params };
}

const TRICKY = [
  'plain', 'with "double quotes"', 'back\\slash', 'close ] bracket', '[open and close]', '] " \\ all three',
  'ünïcödé ✓ 日本語 🚀', 'tab\tand\nnewline', '=equals= sign', '',
];

function texts(): string[] {
  // A few generated strings too (any Unicode except control characters rsyslog would escape).
  const gen = fc.sample(fc.string({ unit: 'grapheme', maxLength: 30 }), { numRuns: 30, seed: 42 })
    // eslint-disable-next-line no-control-regex
    .filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
  return [...TRICKY, ...gen];
}

for (const protocol of ['udp', 'tcp', 'unix'] as const) {
  test(`${protocol}: every line arrives with app-name, procid, severity, facility, msgid, structured data and body intact`, async (t) => {
    const rs = await startRsyslog(t, { socket: protocol === 'unix' });
    if (rs === undefined) return;
    try {
      const where = protocol === 'unix' ? { path: rs.socketPath! } : { protocol, port: protocol === 'udp' ? rs.udpPort : rs.tcpPort };
      const dest = syslog({ ...where, facility: 'local4', msgId: 'ORDERS', structuredData: true });
      const log = createLogger({ service: 'checkout-svc', level: 'trace', destination: dest });
      const levels: LevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
      const sent = texts().map((text, i) => ({ i, level: levels[i % levels.length]!, text }));
      for (const s of sent) log[s.level](s.text, { i: s.i, note: s.text, nested: { k: [1, 'two'] } });
      await log.close();
      const got = await rs.waitFor((m) => m.length >= sent.length);
      assert.equal(got.length, sent.length);
      const severity: Record<LevelName, string> = { trace: '7', debug: '7', info: '6', warn: '4', error: '3', fatal: '2' };
      const byI = new Map<number, Received>(got.map((g) => [(JSON.parse(g.msg) as { i: number }).i, g]));
      for (const s of sent) {
        const g = byI.get(s.i);
        assert.ok(g, `line ${s.i} missing`);
        assert.equal(g.app, 'checkout-svc');
        assert.equal(g.procid, String(process.pid));
        assert.equal(g.severity, severity[s.level]);
        assert.equal(g.facility, '20');
        assert.equal(g.msgid, 'ORDERS');
        const body = JSON.parse(g.msg) as Record<string, unknown>;
        assert.equal(body['msg'], s.text);
        assert.equal(body['level'], s.level);
        const sd = parseSd(g.sd);
        assert.equal(sd.id, 'sightline@32473');
        // Control characters travel as JSON-style escapes in SD values (documented).
        assert.equal(sd.params['note'], s.text.replace(/\n/g, '\\n').replace(/\t/g, '\\t'));
        assert.equal(sd.params['level'], s.level);
        assert.equal(sd.params['service'], 'checkout-svc');
        assert.equal(sd.params['nested'], '{"k":[1,"two"]}');
      }
      assert.equal(dest.stats().fallback, 0);
    } finally {
      await rs.close();
    }
  });
}

test('appName overrides the service; no structured data unless asked; long messages cut at a character boundary', async (t) => {
  const rs = await startRsyslog(t);
  if (rs === undefined) return;
  try {
    const dest = syslog({ protocol: 'tcp', port: rs.tcpPort, appName: 'my-app', maxMessageSize: 600 });
    const log = createLogger({ service: 'ignored', destination: dest });
    log.info('short');
    log.info('é'.repeat(1000));
    await log.close();
    const got = await rs.waitFor((m) => m.length >= 2);
    assert.deepEqual(got.map((g) => [g.app, g.sd, g.msgid]), [['my-app', '-', '-'], ['my-app', '-', '-']]);
    const cut = got[1]!.msg;
    assert.ok(Buffer.byteLength(cut) < 600);
    assert.ok(!cut.includes('\uFFFD'), 'no broken character');
    assert.match(cut, /é+$/);
    assert.equal(dest.stats().truncated, 1);
  } finally {
    await rs.close();
  }
});

test('tcp: rsyslog stopped and restarted mid-stream; everything queued within the bound arrives, once', async (t) => {
  const rs = await startRsyslog(t);
  if (rs === undefined) return;
  try {
    const dest = syslog({ protocol: 'tcp', port: rs.tcpPort, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    const log = createLogger({ service: 'svc', destination: dest });
    let i = 0;
    for (; i < 100; i++) log.info('a', { i });
    await log.flush();
    await rs.waitFor((m) => m.length >= 100);
    await rs.stop();
    // Let the client see the closed connection, then log while the server is away.
    await new Promise((r) => setTimeout(r, 200));
    for (; i < 300; i++) log.info('b', { i });
    await log.flush();
    await rs.restart();
    // After reconnecting, the queue goes first, then new lines.
    for (let k = 0; k < 60 && dest.stats().reconnects === undefined; k++) await new Promise((r) => setTimeout(r, 50));
    for (; i < 400; i++) log.info('c', { i });
    await log.close();
    const got = await rs.waitFor((m) => m.length >= 400);
    const ids = got.map((g) => (JSON.parse(g.msg) as { i: number }).i);
    assert.deepEqual(ids, Array.from({ length: 400 }, (_, k) => k));
    const st = dest.stats();
    assert.ok((st.reconnects ?? 0) >= 1);
    assert.ok((st.disconnects ?? 0) >= 1);
    assert.equal(st.dropped, 0);
  } finally {
    await rs.close();
  }
});

test('tcp: the queue is bounded while disconnected; overflow is dropped and counted, the rest arrives', async (t) => {
  const rs = await startRsyslog(t);
  if (rs === undefined) return;
  try {
    const dest = syslog({ protocol: 'tcp', port: rs.tcpPort, maxQueue: 50, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    const log = createLogger({ service: 'svc', destination: dest });
    log.info('first', { i: -1 });
    await log.flush();
    await rs.waitFor((m) => m.length >= 1);
    await rs.stop();
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 200; i++) log.info('while down', { i });
    await log.flush();
    assert.equal(dest.stats().dropped, 150);
    await rs.restart();
    const got = await rs.waitFor((m) => m.length >= 51);
    await log.close();
    const ids = got.map((g) => (JSON.parse(g.msg) as { i: number }).i);
    assert.deepEqual(ids, [-1, ...Array.from({ length: 50 }, (_, k) => k)]);
  } finally {
    await rs.close();
  }
});

test('tcp: lines logged right before process.exit() in a child process reach rsyslog', async (t) => {
  const rs = await startRsyslog(t);
  if (rs === undefined) return;
  try {
    const fixture = new URL('./fixtures/syslog-child.ts', import.meta.url).pathname;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', fixture, String(rs.tcpPort), '2000'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = await rs.waitFor((m) => m.length >= 2000);
    assert.deepEqual(got.map((g) => (JSON.parse(g.msg) as { i: number }).i), Array.from({ length: 2000 }, (_, k) => k));
    assert.ok(got.every((g) => g.app === 'exiter' && g.procid !== String(process.pid)));
  } finally {
    await rs.close();
  }
});

test('bad syslog configuration fails at creation with a coded error naming the field', () => {
  const dir = tmpDir('syslog-bad');
  const notSocket = path.join(dir, 'file');
  fs.writeFileSync(notSocket, '');
  const cases: [Record<string, unknown>, string][] = [
    [{ protocol: 'sctp' }, 'destination.protocol'],
    [{ port: 70000 }, 'destination.port'],
    [{ port: 0 }, 'destination.port'],
    [{ facility: 'bogus' }, 'destination.facility'],
    [{ facility: 24 }, 'destination.facility'],
    [{ appName: 'has space' }, 'destination.appName'],
    [{ appName: 'x'.repeat(49) }, 'destination.appName'],
    [{ msgId: 'x'.repeat(33) }, 'destination.msgId'],
    [{ structuredData: 'noat' }, 'destination.structuredData'],
    [{ maxMessageSize: 100 }, 'destination.maxMessageSize'],
    [{ maxQueue: 0 }, 'destination.maxQueue'],
    [{ path: notSocket }, 'destination.path'],
    [{ path: path.join(dir, 'missing.sock') }, 'destination.path'],
    [{ path: notSocket, port: 514 }, 'destination.path'],
    [{ tls: { rejectUnauthorized: false } }, 'destination.tls'],
    [{ reconnect: { initialDelayMs: 500, maxDelayMs: 100 } }, 'destination.reconnect.maxDelayMs'],
  ];
  for (const [o, field] of cases) {
    assert.throws(() => syslog(o), (e: any) => e.code === 'SL_ERR_LOG_INVALID_SYSLOG_OPTION' && e.field === field, JSON.stringify(o));
  }
  assert.throws(() => syslog({ level: 'nope' as never }), (e: any) => e.code === 'SL_ERR_LOG_INVALID_LEVEL');
});
