/**
 * A throw-away rsyslogd (Debian package `rsyslog`) for the syslog destination tests: listens on
 * free 127.0.0.1 ports (UDP and TCP) and, optionally, a local stream socket (imptcp) and local
 * datagram sockets like /dev/log (imuxsock), and writes every received message's parsed fields as
 * one JSON object per line to a file.
 * @example
 * const rs = await startRsyslog(t); if (!rs) return;
 * // … log to syslog({ port: rs.tcpPort, protocol: 'tcp' }) …
 * const got = await rs.waitFor((m) => m.length >= 10);
 * await rs.stop();
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, requireBinary } from './prometheus.js';

/** One message as rsyslog parsed it. */
export interface Received {
  app: string;
  procid: string;
  severity: string;
  facility: string;
  msgid: string;
  sd: string;
  msg: string;
  host: string;
}

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  /** The local stream socket (imptcp), when asked for. */
  socketPath: string | undefined;
  /**
   * A local datagram socket (imuxsock) parsed like the system's /dev/log (rsyslog's special
   * parser for syslog(3)'s format), when asked for. Removed while rsyslogd is stopped.
   */
  dgramPath: string | undefined;
  /** A local datagram socket whose messages go through the regular parsers (RFC 5424 too). */
  dgram5424Path: string | undefined;
  dir: string;
  /** Messages received so far. */
  received(): Received[];
  /** Polls until `done(received)` holds or `timeoutMs` passes; returns the messages. */
  waitFor(done: (m: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  /** Stops rsyslogd (SIGTERM, waits for its exit). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and output file. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function imuxsock(dgramPath: string | undefined, dgram5424Path: string | undefined): string {
  if (dgramPath === undefined || dgram5424Path === undefined) return '';
  // Not the system socket; no rate limit, so that a test's burst is not thinned out.
  return `module(load="imuxsock" sysSock.use="off")
input(type="imuxsock" socket="${dgramPath}" createPath="on" rateLimit.interval="0")
input(type="imuxsock" socket="${dgram5424Path}" createPath="on" rateLimit.interval="0" useSpecialParser="off")`;
}

function config(dir: string, udpPort: number, tcpPort: number, socketPath: string | undefined, dgramPath?: string, dgram5424Path?: string): string {
  const field = (out: string, name: string) => `  property(outname="${out}" name="${name}" format="jsonf")`;
  return `
global(workDirectory="${dir}/work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}")
${socketPath === undefined ? '' : `module(load="imptcp")\ninput(type="imptcp" path="${socketPath}" unlink="on")`}
${imuxsock(dgramPath, dgram5424Path)}
template(name="fields" type="list" option.jsonf="on") {
${[['app', 'app-name'], ['procid', 'procid'], ['severity', 'syslogseverity'], ['facility', 'syslogfacility'], ['msgid', 'msgid'], ['sd', 'structured-data'], ['msg', 'msg'], ['host', 'hostname']].map(([o, n]) => field(o!, n!)).join('\n')}
}
*.* action(type="omfile" file="${dir}/out.jsonl" template="fields")
`;
}

/** Starts rsyslogd; when it is not installed, fails under CI=true, else skips and returns undefined. */
export async function startRsyslog(t: TestContext, opts: { socket?: boolean; dgram?: boolean } = {}): Promise<Rsyslog | undefined> {
  const bin = requireBinary(t, 'rsyslogd', 'rsyslog');
  if (bin === undefined) return undefined;
  const dir = await mkdtemp(path.join(tmpdir(), 'sl-rsyslog-'));
  fs.mkdirSync(path.join(dir, 'work'));
  const udpPort = await freeUdpPort();
  const tcpPort = await freePort();
  const socketPath = opts.socket === true ? path.join(dir, 'log.sock') : undefined;
  // In a directory of their own that rsyslogd creates (createPath), like /run/systemd/journal/.
  const dgramPath = opts.dgram === true ? path.join(dir, 'dev', 'log') : undefined;
  const dgram5424Path = opts.dgram === true ? path.join(dir, 'dev', 'log5424') : undefined;
  const conf = path.join(dir, 'rsyslog.conf');
  fs.writeFileSync(conf, config(dir, udpPort, tcpPort, socketPath, dgramPath, dgram5424Path));
  const out = path.join(dir, 'out.jsonl');
  let child: ChildProcess | undefined;
  let stderr = '';

  const ready = async (): Promise<void> => {
    // Ready when the TCP port accepts connections (and the socket exists).
    const net = await import('node:net');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: tcpPort }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      const sockets = [socketPath, dgramPath, dgram5424Path].filter((p) => p !== undefined);
      if (ok && sockets.every((p) => fs.existsSync(p))) return;
      if (child?.exitCode != null || Date.now() > deadline) throw new Error(`rsyslogd did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const start = async (): Promise<void> => {
    const c = spawn(bin, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child = c;
    await ready();
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  const received = (): Received[] => {
    let text = '';
    try {
      text = fs.readFileSync(out, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Received);
  };
  await start();
  return {
    udpPort, tcpPort, socketPath, dgramPath, dgram5424Path, dir,
    received,
    async waitFor(done, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = received();
        if (done(got) || Date.now() > deadline) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
    restart: start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
