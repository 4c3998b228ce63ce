import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../log/index.js';
import { runInContext } from '../context/index.js';
import { randomUUID } from 'node:crypto';

/** Options of `sightline demo`. */
export interface DemoOptions {
  /** Seconds of generated traffic (default 10); 0 runs until interrupted. */
  duration: number;
  /** Port of the demo service (default 0: any free port). */
  port: number;
  /** Requests per second of generated traffic (default 20). */
  rate: number;
}

/**
 * A small node:http service that logs each request, under generated traffic against itself.
 */
export async function demo(o: DemoOptions): Promise<void> {
  const log = createLogger({ service: 'demo-shop' });
  const server = http.createServer((req, res) => {
    const started = performance.now();
    runInContext({ requestId: String(req.headers['x-request-id'] ?? randomUUID()) }, () => {
      const url = new URL(req.url ?? '/', 'http://demo');
      let status = 200;
      let body = 'ok\n';
      if (url.pathname === '/checkout') {
        if (Math.random() < 0.1) {
          status = 500;
          body = 'payment failed\n';
        } else body = JSON.stringify({ orderId: Math.floor(Math.random() * 1e6) }) + '\n';
      } else if (url.pathname !== '/' && url.pathname !== '/products') {
        status = 404;
        body = 'not found\n';
      }
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
      const fields = { method: req.method, path: url.pathname, status, duration_ms: +(performance.now() - started).toFixed(3) };
      if (status >= 500) log.error('request failed', fields);
      else if (status >= 400) log.warn('request completed', fields);
      else log.info('request completed', fields);
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  log.info('demo service listening', { url: `http://127.0.0.1:${port}` });
  const paths = ['/', '/products', '/checkout', '/missing'];
  const agent = new http.Agent({ keepAlive: true });
  const interval = setInterval(() => {
    const path = paths[Math.floor(Math.random() * paths.length)]!;
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => res.resume()).on('error', () => undefined);
  }, 1000 / o.rate);
  const stop = async (): Promise<void> => {
    clearInterval(interval);
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    log.info('demo finished');
    await log.flush();
  };
  process.once('SIGINT', () => void stop());
  if (o.duration > 0) await new Promise((r) => setTimeout(r, o.duration * 1000));
  else await new Promise<void>((r) => process.once('SIGINT', () => r()));
  await stop();
}
