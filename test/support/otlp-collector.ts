/**
 * A test OTLP/HTTP collector on 127.0.0.1 with switchable faults, for tests of any exporter:
 * `ok`, `fail500`, `throttle` (429 + Retry-After), `unavailable` (503, no Retry-After), `hang`
 * (never answers), `slow` (answers after `slowMillis`), `partial` (200 with partialSuccess), and
 * `refuse()` / `accept()` to close and reopen the port (connection refused). Protobuf bodies
 * (`application/x-protobuf`) are decoded with the official opentelemetry-proto schema into the same
 * JSON form a JSON body has, and answered in protobuf, as a collector does.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ExportLogsServiceResponse, ExportTraceServiceResponse, logsFromProtobuf, tracesFromProtobuf } from './otlp-schema.js';

export type CollectorMode = 'ok' | 'fail500' | 'throttle' | 'unavailable' | 'hang' | 'slow' | 'partial';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Body after content-encoding was undone. */
  readonly raw: Buffer;
  /**
   * The payload in its JSON form: a JSON body parsed, a protobuf body decoded with the official
   * schema (ids hex, int64 as strings); undefined when it is neither.
   */
  readonly json: any;
  /** True when the body was protobuf (and decoded without error). */
  readonly protobuf: boolean;
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
        const isProtobuf = req.headers['content-type'] === 'application/x-protobuf';
        let json: any;
        let protobuf = false;
        try {
          if (isProtobuf) {
            json = req.url === '/v1/logs' ? logsFromProtobuf(raw) : tracesFromProtobuf(raw);
            protobuf = true;
          } else json = JSON.parse(raw.toString('utf8'));
        } catch {
          json = undefined;
        }
        const mode = this.script.shift() ?? this.mode;
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json, protobuf, mode });
        this.#answer(mode, res, isProtobuf, req.url === '/v1/logs');
        for (const w of this.#waiters.splice(0)) w();
      });
    });
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    return server;
  }

  #answer(mode: CollectorMode, res: http.ServerResponse, protobuf: boolean, logs: boolean): void {
    const ok = (partial = false): void => {
      if (protobuf) {
        const Type = logs ? ExportLogsServiceResponse : ExportTraceServiceResponse;
        const rejected = logs ? { rejectedLogRecords: this.partialRejected } : { rejectedSpans: this.partialRejected };
        const body = partial ? Type.encode(Type.fromObject({ partialSuccess: { ...rejected, errorMessage: 'some rejected' } })).finish() : new Uint8Array(0);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(body);
        return;
      }
      const body = partial ? JSON.stringify({ partialSuccess: { rejectedSpans: String(this.partialRejected), rejectedLogRecords: String(this.partialRejected), errorMessage: 'some rejected' } }) : '{}';
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    };
    switch (mode) {
      case 'ok': return ok();
      case 'fail500': res.writeHead(500).end('boom'); return;
      case 'throttle': res.writeHead(429, { 'retry-after': this.retryAfter }).end(); return;
      case 'unavailable': res.writeHead(503).end(); return;
      case 'hang': this.#hanging.add(res); res.on('close', () => this.#hanging.delete(res)); return;
      case 'slow': setTimeout(() => ok(), this.slowMillis); return;
      case 'partial': return ok(true);
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
