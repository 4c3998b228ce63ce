import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Health, HealthBody } from 'sightline/health';

/** Polls `fn` until it returns true (no wall-clock assertion: the bound only stops a hung test). */
export async function waitFor(fn: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: HealthBody;
}

export async function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: HealthBody;
        try {
          body = JSON.parse(text) as HealthBody;
        } catch {
          body = undefined as unknown as HealthBody;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A node:http server answering probes through `health.handle`, else 200 "app". */
export async function serve(health: Health): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (health.handle(req, res)) return;
    res.end('app');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
