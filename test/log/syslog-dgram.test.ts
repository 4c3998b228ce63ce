// The local datagram socket (/dev/log) through util-linux's logger, against a real rsyslogd
// listening with imuxsock on sockets in a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import fc from 'fast-check';
import { createLogger, syslog } from 'sightline/log';
import type { CanonicalLevelName as LevelName, SyslogOptions } from 'sightline/log';
import { requireBinary } from '../support/prometheus.js';
import { startRsyslog } from '../support/rsyslog.js';
import type { Received, Rsyslog } from '../support/rsyslog.js';
import { tmpDir } from './rotating-file.support.js';

const TRICKY = [
  'plain', 'with "double quotes"', 'back\\slash', 'close ] bracket', '[open and close]', '] " \\ all three',
  'ünïcödé ✓ 日本語 🚀', 'tab\tand\nnewline', '=equals= sign', '<13>looks like a prefix', '',
];

function texts(): string[] {
  return [...TRICKY, ...fc.sample(fc.string({ unit: 'grapheme', maxLength: 30 }), { numRuns: 30, seed: 7 })];
}

const SEVERITY: Record<LevelName, string> = { trace: '7', debug: '7', info: '6', warn: '4', error: '3', fatal: '2' };

/** rsyslog's `msg` of a syslog(3)-format message keeps the space after `TAG[PID]:`. */
function body(g: Received): Record<string, unknown> {
  assert.ok(g.msg.startsWith(' '), `msg of a local-format message starts with one space: ${g.msg}`);
  return JSON.parse(g.msg.slice(1)) as Record<string, unknown>;
}

function ids(got: Received[]): number[] {
  return got.map((g) => body(g)['i'] as number);
}

/** Lines of a child's stderr that are log lines (JSON), by `i`. */
function stderrIds(stderr: string): number[] {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { i: number }).i);
}

function loggerBinary(t: import('node:test').TestContext): string | undefined {
  return requireBinary(t, 'logger', 'bsdutils');
}

/** The fixture child, driven line by line (see fixtures/syslog-dgram-child.ts). */
function child(options: SyslogOptions, opts: { detached?: boolean } = {}) {
  const fixture = new URL('./fixtures/syslog-dgram-child.ts', import.meta.url).pathname;
  const c = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fixture, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'], detached: opts.detached === true,
  });
  let stderr = '';
  c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const replies = readline.createInterface({ input: c.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => c.on('close', (code, signal) => resolve({ code, signal })));
  return {
    pid: c.pid!,
    stderr: () => stderr,
    exited,
    /** Sends one command; resolves with its reply line (parsed stats for `log`). */
    async send(cmd: string): Promise<Record<string, number>> {
      c.stdin.write(`${cmd}\n`);
      const r = await replies.next();
      assert.ok(r.done !== true, `child ended early: ${stderr}`);
      return r.value === 'held' ? {} : JSON.parse(r.value) as Record<string, number>;
    },
    exit(cmd: string): void {
      c.stdin.write(`${cmd}\n`);
    },
  };
}

/**
 * After a failure that sent lines `0..from-1` to stderr, and once the cause is gone: logs one line
 * at a time until rsyslog receives, then `tail` more, exits, and checks that every line is there
 * exactly once (in rsyslog or in the counted stderr fallback), that the tail went through the
 * socket, and that the failure (`failure` in its text) and the recovery were each warned once.
 * Returns the child's last stats.
 */
async function recoverThenCheck(c: ReturnType<typeof child>, rs: Rsyslog, from: number, tail: number, failure: string): Promise<Record<string, number>> {
  let i = from;
  for (let k = 0; k < 200 && rs.received().length === 0; k++, i++) {
    await c.send(`log ${i} ${i + 1}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const st = await c.send(`log ${i} ${i + tail}`);
  i += tail;
  c.exit(`exit ${i} ${i}`);
  await c.exited;
  const got = await rs.waitFor((m) => ids(m).includes(i - 1));
  const fallback = stderrIds(c.stderr());
  assert.deepEqual([...ids(got), ...fallback].sort((a, b) => a - b), Array.from({ length: i }, (_, k) => k));
  assert.equal(st['fallback'], fallback.length);
  assert.ok(ids(got).includes(i - tail), 'the last batch went through the socket');
  const warnings = c.stderr().split('\n').filter((l) => l.startsWith('sightline:'));
  assert.equal(warnings.filter((l) => l.includes('failed') && l.includes(failure)).length, 1, warnings.join('\n'));
  assert.equal(warnings.filter((l) => l.includes('recovered')).length, 1, warnings.join('\n'));
  return st;
}

test('datagram socket, syslog(3) format: every line arrives through logger with app-name, procid, severity, facility and body intact', async (t) => {
  if (loggerBinary(t) === undefined) return;
  const rs = await startRsyslog(t, { dgram: true });
  if (rs === undefined) return;
  try {
    const dest = syslog({ path: rs.dgramPath!, facility: 'local4' });
    assert.equal(dest.name, `syslog:${rs.dgramPath}`);
    const log = createLogger({ service: 'checkout-svc', level: 'trace', destination: dest });
    const levels: LevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
    const sent = texts().map((text, i) => ({ i, level: levels[i % levels.length]!, text }));
    for (const s of sent) log[s.level](s.text, { i: s.i, nested: { k: [1, 'two'] } });
    // A line from another service on the same destination gets its own APP-NAME (its own logger).
    dest.write(`${JSON.stringify({ level: 'error', msg: 'other', service: 'billing[1]: x', i: -1 })}\n`, 50);
    await log.close();
    const got = await rs.waitFor((m) => m.length >= sent.length + 1);
    assert.equal(got.length, sent.length + 1);
    const byI = new Map(got.map((g) => [body(g)['i'] as number, g]));
    for (const s of sent) {
      const g = byI.get(s.i);
      assert.ok(g, `line ${s.i} missing`);
      assert.equal(g.app, 'checkout-svc');
      assert.equal(g.procid, String(process.pid));
      assert.equal(g.severity, SEVERITY[s.level]);
      assert.equal(g.facility, '20');
      const b = body(g);
      assert.equal(b['msg'], s.text);
      assert.equal(b['level'], s.level);
      assert.deepEqual(b['nested'], { k: [1, 'two'] });
    }
    const other = byI.get(-1)!;
    // `[`, `]` and `:` end a syslog(3) TAG, so they are replaced; spaces too (RFC 5424 APP-NAME).
    assert.deepEqual([other.app, other.procid, other.severity, other.facility], ['billing_1___x', String(process.pid), '3', '20']);
    const st = dest.stats();
    assert.equal(st.fallback, 0);
    assert.equal(st.dropped, 0);
    assert.equal(st.truncated, undefined);
  } finally {
    await rs.close();
  }
});

test('datagram socket, rfc5424 format: appName and msgId arrive too; long lines are cut at a character boundary and counted', async (t) => {
  if (loggerBinary(t) === undefined) return;
  const rs = await startRsyslog(t, { dgram: true });
  if (rs === undefined) return;
  try {
    const dest = syslog({ path: rs.dgram5424Path!, socketFormat: 'rfc5424', appName: 'my-app', msgId: 'ORDERS', facility: 'daemon', maxMessageSize: 600 });
    const log = createLogger({ service: 'ignored', destination: dest });
    log.warn('short "q" ] ünï', { i: 0 });
    log.info('é'.repeat(1000), { i: 1 });
    await log.close();
    const got = await rs.waitFor((m) => m.length >= 2);
    assert.deepEqual(got.map((g) => [g.app, g.procid, g.msgid, g.sd, g.severity, g.facility]),
      [['my-app', String(process.pid), 'ORDERS', '-', '4', '3'], ['my-app', String(process.pid), 'ORDERS', '-', '6', '3']]);
    assert.equal((JSON.parse(got[0]!.msg) as { msg: string }).msg, 'short "q" ] ünï');
    const cut = got[1]!.msg;
    assert.ok(Buffer.byteLength(cut) < 600, `cut to the limit: ${Buffer.byteLength(cut)}`);
    assert.ok(!cut.includes('\uFFFD'), 'no broken character');
    assert.match(cut, /é+$/);
    assert.equal(dest.stats().truncated, 1);
    assert.equal(dest.stats().fallback, 0);
  } finally {
    await rs.close();
  }
});

test('datagram socket: lines logged right before process.exit() in a child process arrive', async (t) => {
  if (loggerBinary(t) === undefined) return;
  const rs = await startRsyslog(t, { dgram: true });
  if (rs === undefined) return;
  try {
    const c = child({ path: rs.dgramPath! });
    c.exit('exit 0 2000');
    const { code } = await c.exited;
    assert.equal(code, 0, c.stderr());
    const got = await rs.waitFor((m) => m.length >= 2000);
    assert.deepEqual(ids(got), Array.from({ length: 2000 }, (_, k) => k));
    assert.ok(got.every((g) => g.app === 'exiter' && g.procid === String(c.pid)));
    assert.deepEqual(stderrIds(c.stderr()), [], 'nothing fell back to stderr');
  } finally {
    await rs.close();
  }
});

test('datagram socket: SIGTERM to the whole process group (as systemd stops a unit) does not stop logger before the last lines are out', async (t) => {
  if (loggerBinary(t) === undefined) return;
  const rs = await startRsyslog(t, { dgram: true });
  if (rs === undefined) return;
  try {
    // flushIntervalMs keeps the held lines in the app until the signal arrives.
    const c = child({ path: rs.dgramPath!, flushIntervalMs: 60_000, batchSize: 1 << 30 }, { detached: true });
    await c.send('log 0 10');
    await c.send('hold 10 500');
    process.kill(-c.pid, 'SIGTERM');
    const { signal } = await c.exited;
    assert.equal(signal, 'SIGTERM', c.stderr());
    const got = await rs.waitFor((m) => m.length >= 500);
    assert.deepEqual(ids(got), Array.from({ length: 500 }, (_, k) => k));
    assert.deepEqual(stderrIds(c.stderr()), []);
  } finally {
    await rs.close();
  }
});

test('missing logger binary: lines go to stderr, counted, warned once; logger appearing later is started (backoff) and lines arrive again', async (t) => {
  const real = loggerBinary(t);
  if (real === undefined) return;
  const rs = await startRsyslog(t, { dgram: true });
  if (rs === undefined) return;
  const dir = tmpDir('syslog-logger');
  const command = path.join(dir, 'logger');
  try {
    const c = child({ path: rs.dgramPath!, loggerCommand: command, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    let st = await c.send('log 0 50');
    assert.equal(st['fallback'], 50);
    assert.deepEqual(stderrIds(c.stderr()), Array.from({ length: 50 }, (_, k) => k));
    // logger appears; within a few retries the bridge starts and lines reach rsyslog.
    fs.symlinkSync(real, command);
    st = await recoverThenCheck(c, rs, 50, 100, 'not found');
    assert.ok((st['reconnects'] ?? 0) >= 1);
  } finally {
    await rs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rsyslog stopped (socket gone) and restarted: lines meanwhile go to stderr and are counted; then they arrive again; none lost or doubled', async (t) => {
  if (loggerBinary(t) === undefined) return;
  const rs = await startRsyslog(t, { dgram: true });
  if (rs === undefined) return;
  try {
    const c = child({ path: rs.dgramPath!, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    await c.send('log 0 100');
    await rs.waitFor((m) => m.length >= 100);
    await rs.stop();
    let st = await c.send('log 100 200');
    assert.ok(st['fallback']! >= 1, JSON.stringify(st));
    await rs.restart();
    let i = 200;
    for (let k = 0; k < 200 && !ids(rs.received()).some((n) => n >= 200); k++, i++) {
      st = await c.send(`log ${i} ${i + 1}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    st = await c.send(`log ${i} ${i + 100}`);
    i += 100;
    c.exit(`exit ${i} ${i}`);
    await c.exited;
    const got = await rs.waitFor((m) => ids(m).includes(i - 1));
    const fallback = stderrIds(c.stderr());
    assert.deepEqual([...ids(got), ...fallback].sort((a, b) => a - b), Array.from({ length: i }, (_, k) => k));
    assert.equal(st['fallback'], fallback.length);
    assert.ok((st['disconnects'] ?? 0) >= 1);
    assert.ok((st['reconnects'] ?? 0) >= 1);
  } finally {
    await rs.close();
  }
});

test('nothing listening on the socket at start (stale socket file): stderr meanwhile; once rsyslogd binds it, the type is found and lines arrive', async (t) => {
  if (loggerBinary(t) === undefined) return;
  const rs = await startRsyslog(t, { dgram: true });
  if (rs === undefined) return;
  try {
    await rs.stop();
    // A socket file nobody listens on: what a crashed daemon leaves behind (connect: ECONNREFUSED).
    const holder = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(rs.dgramPath)}, () => process.stdout.write('up'))`]);
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('close', resolve));
    assert.ok(fs.statSync(rs.dgramPath!).isSocket());
    const c = child({ path: rs.dgramPath!, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    const st = await c.send('log 0 10');
    assert.equal(st['fallback'], 10);
    await rs.restart();
    await recoverThenCheck(c, rs, 10, 50, 'ECONNREFUSED');
  } finally {
    await rs.close();
  }
});

test('syslog({}) uses /dev/log when it is a socket, else UDP to 127.0.0.1:514; bad datagram options fail at creation', async () => {
  const devLog = fs.statSync('/dev/log', { throwIfNoEntry: false })?.isSocket() === true;
  const d = syslog({});
  assert.equal(d.name, devLog ? 'syslog:/dev/log' : 'syslog udp://127.0.0.1:514');
  await d.close();
  // Naming a server keeps the network transport even where /dev/log exists.
  const u = syslog({ port: 5514 });
  assert.equal(u.name, 'syslog udp://127.0.0.1:5514');
  await u.close();
  const cases: [Record<string, unknown>, string][] = [
    [{ loggerCommand: '' }, 'destination.loggerCommand'],
    [{ loggerCommand: 42 }, 'destination.loggerCommand'],
    [{ socketFormat: 'rfc3164' }, 'destination.socketFormat'],
  ];
  for (const [o, field] of cases) {
    assert.throws(() => syslog(o), (e: any) => e.code === 'SL_ERR_LOG_INVALID_SYSLOG_OPTION' && e.field === field, JSON.stringify(o));
  }
});
