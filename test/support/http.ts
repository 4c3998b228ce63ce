/**
 * Helpers for HTTP instrumentation tests: a `sightline()` wired to in-memory log and span
 * destinations, servers on free loopback ports, raw requests and metric lookups.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { sightline, type Sightline, type SightlineOptions } from 'sightline';
import { memory, InMemorySpanExporter } from 'sightline/testing';
import type { MemoryDestination } from 'sightline/testing';
import { SimpleSpanProcessor } from 'sightline/trace';

/** A sightline instance recording into memory. */
export interface TestObs {
  obs: Sightline;
  logs: MemoryDestination;
  spans: InMemorySpanExporter;
}

/** `sightline()` with an in-memory log destination, an in-memory span exporter (simple processor), admin on port 0. */
export function testObs(options: SightlineOptions = {}): TestObs {
  const logs = memory();
  const spans = new InMemorySpanExporter();
  const obs = sightline({
    service: 'test',
    admin: { port: 0 },
    env: {},
    ...options,
    log: { destination: logs, level: 'debug', ...(options.log) },
    trace: { processors: [new SimpleSpanProcessor(spans)], ...options.trace },
    metrics: { defaultMetrics: false, ...options.metrics },
  });
  return { obs, logs, spans };
}

/** Listens on a free 127.0.0.1 port; returns the base URL. */
export async function listen(server: http.Server | net.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server (and its idle keep-alive sockets). */
export async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** A GET with node:http (no instrumentation of fetch in the picture); resolves with status, headers, body. */
export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes and closes the socket without reading the answer (an aborting client). */
export async function sendAndAbort(url: string, raw: string, afterMs = 30): Promise<void> {
  const u = new URL(url);
  const sock = net.connect(Number(u.port), u.hostname);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write(raw);
  await new Promise((r) => setTimeout(r, afterMs));
  sock.destroy();
}

/** Polls `check` until it returns something other than undefined (bounded). */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Parses Prometheus text 0.0.4 into sample lines `name{labels} value` (no HELP/TYPE). */
export async function samples(obs: Sightline, prefix: string): Promise<string[]> {
  const text = await obs.metrics.render('text');
  return text.split('\n').filter((l) => l.startsWith(prefix));
}

/** The value of one sample whose line starts with `selector` (name plus opening of labels). */
export async function sampleValue(obs: Sightline, selector: string): Promise<number | undefined> {
  const line = (await samples(obs, selector))[0];
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
