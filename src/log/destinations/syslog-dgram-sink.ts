/**
 * Syslog to a local *datagram* socket (`/dev/log`: rsyslog's imuxsock, systemd-journald), which
 * Node.js cannot send to (node:dgram has no AF_UNIX). Runs in the log writer thread.
 *
 * The bridge is util-linux's `logger` (Debian: bsdutils, an Essential package): one long-lived
 * child per APP-NAME reads our lines on stdin, each prefixed with `<PRI>` (`--prio-prefix`), and
 * sends one datagram per line. `-s` makes it echo every message to stderr *after* a successful
 * send, which is our acknowledgement: a batch's `write` resolves once every line of it was echoed,
 * so the main thread's wait at exit covers delivery to the socket, and when logger dies (socket
 * gone, daemon stopped) we know exactly which lines it did not send. Those, and every batch while
 * logger is down, are rejected to the writer thread, which writes them to stderr, counts them,
 * warns once and reports the recovery; logger is restarted with exponential backoff.
 *
 * logger is started through `/bin/sh -c 'trap "" HUP INT TERM; exec logger …'`: ignored signals
 * survive exec, so a Ctrl-C to the terminal's process group or systemd's SIGTERM to the whole
 * cgroup does not kill the bridge while the app still flushes its last lines through it. It ends
 * when its stdin closes: at `close()`, or when our process is gone.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { headerField, lineParts, truncateUtf8 } from './syslog-format.js';
import type { SyslogFormat } from './syslog-format.js';
import type { PartialWriteError, SinkEnv, TextSink } from './sink.js';

/** What the datagram bridge needs (a subset of the syslog sink's options). */
export interface DgramBridgeOptions {
  path: string;
  /** The logger executable (default `logger`, found on PATH). */
  loggerCommand: string;
  /** `'local'`: syslog(3)'s `<PRI>TIMESTAMP TAG[PID]: MSG`; `'rfc5424'`: logger's `--rfc5424=notq`. */
  socketFormat: 'local' | 'rfc5424';
  format: SyslogFormat;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** logger processes kept at once (one per APP-NAME; normally one). */
const MAX_BRIDGES = 8;
/** How long `close()` waits for logger to send what it read and exit before killing it. */
const CLOSE_TIMEOUT_MS = 5000;
const SHELL = '/bin/sh';
// "$0" is the command, "$@" its arguments: nothing of ours is parsed by the shell.
const SCRIPT = 'trap "" HUP INT TERM; exec "$0" "$@"';

interface SendResult {
  /** Lines logger confirmed, from the first. */
  acked: number;
  /** Why the rest was not sent. */
  error?: string;
}

/** APP-NAME as a syslog(3) TAG: no `[`, `]` or `:` (they end the tag in `TAG[PID]: MSG`). */
export function loggerTag(app: string): string {
  return headerField(app, 48).replace(/[[\]:]/g, '_');
}

/** Longest body (bytes after `<PRI>`) so that logger's whole message stays within `maxBytes`. */
export function maxBodyBytes(o: DgramBridgeOptions, tag: string): number {
  const f = o.format;
  const header = o.socketFormat === 'local'
    // <PRI>Mmm dd hh:mm:ss TAG[PID]: 
    ? 5 + 16 + tag.length + f.procId.length + 4
    // <PRI>1 TIMESTAMP(≤32) HOSTNAME APP-NAME PROCID MSGID - 
    : 7 + 33 + os.hostname().length + 1 + tag.length + 1 + f.procId.length + 1 + (f.msgId ?? '-').length + 3;
  return Math.max(64, f.maxBytes - header);
}

/** One logger child for one APP-NAME. */
class LoggerBridge {
  readonly #o: DgramBridgeOptions;
  readonly #env: SinkEnv;
  readonly #args: string[];
  #child: ChildProcessByStdio<Writable, null, Readable> | undefined;
  #stderr = '';
  #lastError = '';
  #expect = 0;
  #acked = 0;
  #done: ((r: SendResult) => void) | undefined;
  #closed: Promise<void> | undefined;
  #attempts = 0;
  #downUntil = 0;
  #exits = 0;
  #closing = false;
  #fresh = false;

  constructor(o: DgramBridgeOptions, env: SinkEnv, tag: string) {
    this.#o = o;
    this.#env = env;
    // logger(1): --prio-prefix reads `<PRI>` per line; --id sets PROCID/[PID] to our pid, not its
    // own; --size above our own cut, so logger never splits a line into two messages; -s echoes.
    this.#args = ['--socket', o.path, '--socket-errors=on', '--prio-prefix', '-t', tag, `--id=${o.format.procId}`,
      '--size', String(maxBodyBytes(o, tag) + 16), '-s'];
    if (o.socketFormat === 'rfc5424') {
      this.#args.push('--rfc5424=notq');
      if (o.format.msgId !== undefined) this.#args.push('--msgid', o.format.msgId);
    }
  }

  #spawn(): ChildProcessByStdio<Writable, null, Readable> {
    const child = spawn(SHELL, ['-c', SCRIPT, this.#o.loggerCommand, ...this.#args], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#child = child;
    this.#fresh = true;
    this.#stderr = '';
    this.#lastError = '';
    // A dead logger makes our writes fail with EPIPE: its 'close' reports that.
    child.stdin.on('error', () => undefined);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => this.#onStderr(d));
    let ended = false;
    const end = (why: string, withStderr = true): void => {
      if (ended) return;
      ended = true;
      if (!withStderr) this.#lastError = '';
      this.#onEnd(child, why);
    };
    child.on('error', (e: NodeJS.ErrnoException) => end(`cannot start ${SHELL} (${e.code ?? e.message})`));
    child.on('close', (code, signal) => end(code === 127
      ? `${this.#o.loggerCommand} not found (install util-linux's logger; Debian package bsdutils)`
      : `logger exited (${signal ?? `code ${code}`})`, code !== 127));
    return child;
  }

  #onStderr(d: string): void {
    this.#stderr += d;
    let nl = this.#stderr.indexOf('\n');
    while (nl !== -1) {
      const line = this.#stderr.slice(0, nl);
      this.#stderr = this.#stderr.slice(nl + 1);
      // Echoes are `<PRI>…` (logger writes them after the send succeeded); anything else is an error.
      if (line.startsWith('<')) this.#ack();
      else if (line !== '') this.#lastError = line.slice(0, 300);
      nl = this.#stderr.indexOf('\n');
    }
  }

  #ack(): void {
    if (this.#done === undefined) return;
    this.#acked++;
    if (this.#fresh) {
      // The first confirmed send of a new logger: the socket works (again).
      this.#fresh = false;
      this.#attempts = 0;
      if (this.#exits > 0) this.#env.count('reconnects');
    }
    if (this.#acked >= this.#expect) this.#finish({ acked: this.#acked });
  }

  #finish(r: SendResult): void {
    const done = this.#done;
    this.#done = undefined;
    done?.(r);
  }

  #onEnd(child: ChildProcessByStdio<Writable, null, Readable>, why: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#closing) return;
    this.#exits++;
    this.#env.count('disconnects');
    // Exponential backoff with jitter (half to full delay), capped.
    const base = Math.min(this.#o.maxDelayMs, this.#o.initialDelayMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    this.#downUntil = Date.now() + base / 2 + Math.random() * base / 2;
    const reason = this.#lastError === '' ? why : `${why}: ${this.#lastError}`;
    this.#lastError = reason;
    this.#finish({ acked: this.#acked, error: reason });
  }

  /** Hands `texts` (each `<PRI>body`) to logger; resolves with how many it confirmed. */
  send(texts: string[]): Promise<SendResult> {
    if (this.#child === undefined) {
      const wait = this.#downUntil - Date.now();
      if (wait > 0) return Promise.resolve({ acked: 0, error: `${this.#lastError}; restarting logger in ${Math.ceil(wait)} ms` });
      this.#spawn();
    }
    return new Promise((resolve) => {
      this.#expect = texts.length;
      this.#acked = 0;
      this.#done = resolve;
      this.#child!.stdin.write(`${texts.join('\n')}\n`);
    });
  }

  /** Ends logger's stdin and waits for it to send the rest and exit (killed after a timeout). */
  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= new Promise<void>((resolve) => {
      const child = this.#child;
      if (child === undefined) {
        resolve();
        return;
      }
      const t = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      child.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      child.stdin.end();
    });
    return this.#closed;
  }
}

/** The writer thread's sink for a local datagram socket. */
export class DgramSyslogSink implements TextSink {
  readonly #o: DgramBridgeOptions;
  readonly #env: SinkEnv;
  /** By APP-NAME, least recently used first. */
  readonly #bridges = new Map<string, LoggerBridge>();
  readonly #maxBody = new Map<string, number>();

  constructor(o: DgramBridgeOptions, env: SinkEnv) {
    this.#o = o;
    this.#env = env;
    if (o.format.sdId !== undefined) {
      env.warn(`log destination syslog:${o.path} is a datagram socket, sent through logger(1), which cannot send STRUCTURED-DATA per message; the fields stay in the JSON body`);
    }
  }

  #bridge(tag: string): LoggerBridge {
    let b = this.#bridges.get(tag);
    if (b !== undefined) {
      this.#bridges.delete(tag);
    } else {
      b = new LoggerBridge(this.#o, this.#env, tag);
      if (this.#bridges.size >= MAX_BRIDGES) {
        const [oldTag, old] = this.#bridges.entries().next().value as [string, LoggerBridge];
        this.#bridges.delete(oldTag);
        void old.close();
      }
    }
    this.#bridges.set(tag, b);
    return b;
  }

  async write(data: string): Promise<void> {
    const lines = data.split('\n');
    lines.pop();
    const parts = lines.map((l) => lineParts(l, this.#o.format));
    const tags = parts.map((p) => loggerTag(p.app));
    let truncated = 0;
    let written = 0;
    try {
      // Runs of consecutive lines with the same APP-NAME go to that name's logger, in order.
      for (let i = 0; i < lines.length;) {
        const tag = tags[i]!;
        let max = this.#maxBody.get(tag);
        if (max === undefined) {
          max = maxBodyBytes(this.#o, tag);
          this.#maxBody.set(tag, max);
        }
        const start = i;
        const texts: string[] = [];
        for (; i < lines.length && tags[i] === tag; i++) {
          const p = parts[i]!;
          let body = p.json;
          if (Buffer.byteLength(body) > max) {
            body = truncateUtf8(Buffer.from(body), max).toString('utf8');
            truncated++;
          }
          texts.push(`<${p.pri}>${body}`);
        }
        const r = await this.#bridge(tag).send(texts);
        for (let k = start; k < start + r.acked; k++) written += lines[k]!.length + 1;
        if (start + r.acked < i) {
          // logger confirmed the first `acked` lines of this run; the rest falls back to stderr.
          const e: PartialWriteError = Object.assign(new Error(r.error ?? 'logger stopped'), { writtenChars: written });
          throw e;
        }
      }
    } finally {
      if (truncated > 0) this.#env.count('truncated', truncated);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#bridges.values()].map((b) => b.close()));
    this.#bridges.clear();
  }
}
