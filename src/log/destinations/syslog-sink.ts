/**
 * The syslog sink (runs in the log writer thread; options and validation in syslog.ts).
 *
 * UDP: one datagram per message (RFC 5426). TCP, TLS and local stream sockets: RFC 6587 octet
 * counting. Local datagram sockets (`/dev/log`): through logger(1), see syslog-dgram-sink.ts; a
 * local socket's type is found by connecting to it. Messages wait in a bounded queue: `write` resolves once they were handed to the
 * kernel — so a process that exits right after logging still gets its lines out, because the main
 * thread waits for that — or, while disconnected, once they are queued. A full queue drops new
 * messages and counts them. A lost connection is re-established with exponential backoff and
 * jitter; the queue is sent first.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { writeAllSync } from './fd-sink.js';
import { DgramSyslogSink } from './syslog-dgram-sink.js';
import { formatSyslog, frameOctetCounting } from './syslog-format.js';
import type { SyslogFormat } from './syslog-format.js';
import type { Sink, SinkEnv, TextSink } from './sink.js';

/** Structured-clonable options handed from the main thread. */
export interface SyslogSinkOptions {
  transport: 'udp' | 'tcp' | 'tls' | 'unix';
  host: string;
  port: number;
  path: string | undefined;
  format: SyslogFormat;
  maxQueue: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** How long a write waits for a connection being established before queueing. */
  connectTimeoutMs: number;
  tls: tls.ConnectionOptions | undefined;
  /** The logger(1) executable bridging to a local datagram socket. */
  loggerCommand: string;
  /** Message format logger uses on a local datagram socket. */
  socketFormat: 'local' | 'rfc5424';
}

interface Item {
  frame: Buffer;
  line: string;
}

function lines(data: string): string[] {
  const out = data.split('\n');
  out.pop();
  return out;
}

class UdpSyslogSink implements TextSink {
  readonly #o: SyslogSinkOptions;
  readonly #env: SinkEnv;
  readonly #sock: dgram.Socket;

  constructor(o: SyslogSinkOptions, env: SinkEnv) {
    this.#o = o;
    this.#env = env;
    this.#sock = dgram.createSocket(net.isIPv6(o.host) ? 'udp6' : 'udp4');
    this.#sock.on('error', () => undefined);
    this.#sock.unref();
  }

  async write(data: string): Promise<void> {
    const sends: Promise<void>[] = [];
    let truncated = 0;
    for (const line of lines(data)) {
      const m = formatSyslog(line, this.#o.format);
      if (m.truncated) truncated++;
      sends.push(new Promise((resolve, reject) => {
        this.#sock.send(m.message, this.#o.port, this.#o.host, (e) => (e ? reject(e) : resolve()));
      }));
    }
    if (truncated > 0) this.#env.count('truncated', truncated);
    await Promise.all(sends);
  }

  close(): void {
    this.#sock.close();
  }
}

class StreamSyslogSink implements TextSink {
  readonly #o: SyslogSinkOptions;
  readonly #env: SinkEnv;
  #queue: Item[] = [];
  #sock: net.Socket | undefined;
  #state: 'connecting' | 'up' | 'down' | 'closed' = 'down';
  #attempts = 0;
  #everConnected = false;
  #timer: NodeJS.Timeout | undefined;
  #pumping: Promise<void> | undefined;
  #connectWaiters: (() => void)[] = [];
  #warnedFull = false;
  #warnedDown = false;

  constructor(o: SyslogSinkOptions, env: SinkEnv) {
    this.#o = o;
    this.#env = env;
    this.#connect();
  }

  get #name(): string {
    return this.#o.transport === 'unix' ? `syslog:${this.#o.path}` : `syslog ${this.#o.transport}://${this.#o.host}:${this.#o.port}`;
  }

  #connect(): void {
    if (this.#state === 'closed') return;
    this.#state = 'connecting';
    const o = this.#o;
    const sock = o.transport === 'tls'
      ? tls.connect({ ...o.tls, host: o.host, port: o.port, servername: o.tls?.servername ?? (net.isIP(o.host) ? undefined : o.host) })
      : o.transport === 'unix' ? net.connect({ path: o.path! }) : net.connect({ host: o.host, port: o.port });
    this.#sock = sock;
    sock.setNoDelay(true);
    sock.once(o.transport === 'tls' ? 'secureConnect' : 'connect', () => {
      if (this.#sock !== sock) return;
      this.#state = 'up';
      this.#attempts = 0;
      if (this.#everConnected) this.#env.count('reconnects');
      this.#everConnected = true;
      if (this.#warnedDown) {
        this.#warnedDown = false;
        this.#env.warn(`log destination ${this.#name} connected again; sending ${this.#queue.length} queued messages`);
      }
      this.#wake();
      void this.#pump();
    });
    // A syslog server never sends anything; data or a FIN from it means the connection is over.
    sock.on('data', () => undefined);
    sock.on('end', () => sock.destroy());
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (this.#state !== 'closed') {
        this.#env.report('destination_unreachable', `log destination ${this.#name} is unreachable (${e.code ?? e.message}); queueing up to ${this.#o.maxQueue} messages and reconnecting`, !this.#warnedDown);
        this.#warnedDown = true;
      }
    });
    sock.on('close', () => {
      if (this.#sock !== sock) return;
      this.#sock = undefined;
      if (this.#state === 'closed') return;
      this.#state = 'down';
      this.#env.count('disconnects');
      this.#wake();
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    // Exponential backoff with jitter (half to full delay), capped.
    const base = Math.min(this.#o.maxDelayMs, this.#o.initialDelayMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    const delay = base / 2 + Math.random() * base / 2;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect();
    }, delay);
  }

  #wake(): void {
    const w = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const f of w) f();
  }

  async write(data: string): Promise<void> {
    let truncated = 0;
    let dropped = 0;
    for (const line of lines(data)) {
      if (this.#queue.length >= this.#o.maxQueue) {
        dropped++;
        continue;
      }
      const m = formatSyslog(line, this.#o.format);
      if (m.truncated) truncated++;
      this.#queue.push({ frame: frameOctetCounting(m.message), line });
    }
    if (truncated > 0) this.#env.count('truncated', truncated);
    if (dropped > 0) {
      this.#env.count('dropped', dropped);
      this.#env.report('line_dropped', `log destination ${this.#name}: queue full (${this.#o.maxQueue} messages); dropping new messages (counted in stats().dropped)`, !this.#warnedFull);
      this.#warnedFull = true;
    }
    if (this.#state === 'connecting') await this.#waitConnect(this.#o.connectTimeoutMs);
    if (this.#state === 'up') await this.#pump();
  }

  #waitConnect(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#connectWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Sends the queue while connected; one sender at a time. */
  #pump(): Promise<void> {
    this.#pumping ??= this.#sendAll().finally(() => {
      this.#pumping = undefined;
    });
    return this.#pumping;
  }

  async #sendAll(): Promise<void> {
    while (this.#state === 'up' && this.#queue.length > 0) {
      const sock = this.#sock;
      if (sock === undefined || sock.destroyed || sock.readableEnded) return;
      const batch = this.#queue.splice(0, 512);
      const ok = await new Promise<boolean>((resolve) => {
        sock.write(Buffer.concat(batch.map((b) => b.frame)), (e) => resolve(e == null));
      });
      if (!ok) {
        // Not handed to the kernel: keep them, in order, for the next connection.
        this.#queue = batch.concat(this.#queue);
        if (this.#queue.length > this.#o.maxQueue) {
          const over = this.#queue.length - this.#o.maxQueue;
          this.#queue.length = this.#o.maxQueue;
          this.#env.count('dropped', over);
        }
        sock.destroy();
        return;
      }
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'connecting') await this.#waitConnect(this.#o.connectTimeoutMs);
    if (this.#state === 'up') await this.#pump();
    this.#state = 'closed';
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const sock = this.#sock;
    if (sock !== undefined) await new Promise<void>((resolve) => sock.end(resolve));
    if (this.#queue.length > 0) {
      // Closing while the server is away: what is still queued goes to stderr, not nowhere.
      const rest = this.#queue;
      this.#queue = [];
      try {
        writeAllSync(2, rest.map((i) => `${i.line}\n`).join(''));
        this.#env.count('fallback', rest.length);
      } catch {
        this.#env.count('dropped', rest.length);
      }
    }
  }
}

type SocketKind = 'stream' | 'dgram';

/**
 * The type of the Unix socket at `path`, found by a stream connect: Linux answers EPROTOTYPE for a
 * datagram socket. Other errors (ENOENT, ECONNREFUSED: no daemon listening) leave it unknown.
 */
function probeUnix(path: string): Promise<SocketKind | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const s = net.connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve('stream');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EPROTOTYPE' ? 'dgram' : e));
  });
}

function unixSink(kind: SocketKind, o: SyslogSinkOptions, env: SinkEnv): TextSink {
  return kind === 'dgram'
    ? new DgramSyslogSink({ ...o, path: o.path! }, env)
    : new StreamSyslogSink(o, env);
}

/**
 * A local socket whose type is not known yet (nothing listening when the destination opened):
 * batches fall back to stderr (the writer thread does that when `write` throws) while it probes
 * again with backoff; once the socket answers, the stream or datagram sink takes over.
 */
class ProbingUnixSink implements TextSink {
  readonly #o: SyslogSinkOptions;
  readonly #env: SinkEnv;
  #inner: TextSink | undefined;
  #error: NodeJS.ErrnoException;
  #attempts = 0;
  #next = 0;

  constructor(o: SyslogSinkOptions, env: SinkEnv, error: NodeJS.ErrnoException) {
    this.#o = o;
    this.#env = env;
    this.#error = error;
    this.#schedule();
  }

  #schedule(): void {
    const base = Math.min(this.#o.maxDelayMs, this.#o.initialDelayMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    this.#next = Date.now() + base / 2 + Math.random() * base / 2;
  }

  async write(data: string): Promise<void> {
    if (this.#inner === undefined) {
      if (Date.now() < this.#next) throw this.#error;
      const r = await probeUnix(this.#o.path!);
      if (typeof r !== 'string') {
        this.#error = r;
        this.#schedule();
        throw r;
      }
      this.#inner = unixSink(r, this.#o, this.#env);
    }
    await this.#inner.write(data);
  }

  async close(): Promise<void> {
    await this.#inner?.close();
  }
}

/** The writer thread's factory for kind `syslog`. */
export async function createSyslogSink(o: SyslogSinkOptions, env: SinkEnv): Promise<Sink> {
  if (o.transport === 'udp') return new UdpSyslogSink(o, env);
  if (o.transport !== 'unix') return new StreamSyslogSink(o, env);
  const kind = await probeUnix(o.path!);
  return typeof kind === 'string' ? unixSink(kind, o, env) : new ProbingUnixSink(o, env, kind);
}
