/**
 * A test OTLP/HTTP collector on 127.0.0.1 with switchable faults, for tests of any exporter:
 * `ok`, `fail500`, `throttle` (429 + Retry-After), `unavailable` (503, no Retry-After), `hang`
 * (never answers), `slow` (answers after `slowMillis`), `partial` (200 with partialSuccess), and
 * `refuse()` / `accept()` to close and reopen the port (connection refused).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type CollectorMode = 'ok' | 'fail500' | 'throttle' | 'unavailable' | 'hang' | 'slow' | 'partial';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Body after content-encoding was undone. */
  readonly raw: Buffer;
  /** Parsed JSON body (undefined when not JSON). */
  readonly json: any;
  /** Mode the collector was in when the request arrived. */
  readonly mode: CollectorMode;
}

export class OtlpTestCollector {
  mode: CollectorMode = 'ok';
  /** Retry-After value sent with `throttle` (seconds or HTTP date). */
  retryAfter = '0';
  slowMillis = 200;
  /** `partial`: how many items the answer says were rejected. */
  partialRejected = 1;
  /** Modes for the next requests, one each, before falling back to `mode`. */
  readonly script: CollectorMode[] = [];
  /** Every request received, accepted or not. */
  readonly requests: ReceivedRequest[] = [];
  #server: http.Server;
  #sockets = new Set<Socket>();
  #hanging = new Set<http.ServerResponse>();
  #port = 0;
  #waiters: (() => void)[] = [];

  private constructor() {
    this.#server = this.#create();
  }

  static async start(): Promise<OtlpTestCollector> {
    const c = new OtlpTestCollector();
    await c.#listen(0);
    return c;
  }

  get port(): number {
    return this.#port;
  }

  /** Full URL of a signal's path, e.g. `http://127.0.0.1:PORT/v1/traces`. */
  url(signal: 'traces' | 'logs' = 'traces'): string {
    return `http://127.0.0.1:${this.#port}/v1/${signal}`;
  }

  /** Requests answered 2xx for `path`. */
  accepted(path = '/v1/traces'): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path && (r.mode === 'ok' || r.mode === 'slow' || r.mode === 'partial'));
  }

  #create(): http.Server {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let raw = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
        let json: any;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          json = undefined;
        }
        const mode = this.script.shift() ?? this.mode;
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json, mode });
        this.#answer(mode, res);
        for (const w of this.#waiters.splice(0)) w();
      });
    });
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    return server;
  }

  #answer(mode: CollectorMode, res: http.ServerResponse): void {
    const ok = (body = '{}'): void => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
    switch (mode) {
      case 'ok': return ok();
      case 'fail500': res.writeHead(500).end('boom'); return;
      case 'throttle': res.writeHead(429, { 'retry-after': this.retryAfter }).end(); return;
      case 'unavailable': res.writeHead(503).end(); return;
      case 'hang': this.#hanging.add(res); res.on('close', () => this.#hanging.delete(res)); return;
      case 'slow': setTimeout(() => ok(), this.slowMillis); return;
      case 'partial': return ok(JSON.stringify({ partialSuccess: { rejectedSpans: String(this.partialRejected), rejectedLogRecords: String(this.partialRejected), errorMessage: 'some rejected' } }));
    }
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Closes the port: new connections are refused, open ones are dropped. */
  async refuse(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  /** Listens again on the same port after `refuse()`. */
  async accept(): Promise<void> {
    this.#server = this.#create();
    await this.#listen(this.#port);
  }

  /** Resolves once `predicate()` holds, checked after every request (rejects after `timeoutMillis`). */
  async waitFor(predicate: () => boolean, timeoutMillis = 10_000): Promise<void> {
    const end = Date.now() + timeoutMillis;
    while (!predicate()) {
      if (Date.now() > end) throw new Error('collector: condition not met in time');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 25);
      });
    }
  }

  async stop(): Promise<void> {
    for (const r of this.#hanging) r.destroy();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
