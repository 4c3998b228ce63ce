/**
 * The examples in examples/ are real apps: each is started as a child process (from the sources)
 * on free ports, sent requests, and checked through its admin /metrics and its log lines, so the
 * examples cannot rot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  port: number;
  adminPort: number;
  exited: Promise<number | null>;
}

async function start(file: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', path.join(ROOT, 'examples', file)], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ADMIN_PORT: '0', DRAIN_MS: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let buf = '';
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const rec = JSON.parse(line) as Record<string, unknown>; // every stdout line is one JSON object
        lines.push(rec);
        if (rec['msg'] === 'listening') resolve(rec);
      }
    });
    void exited.then((code) => reject(new Error(`${file} exited ${code} before listening: ${stderr}`)));
  });
  const rec = await listening;
  return { child, lines, port: rec['port'] as number, adminPort: rec['admin_port'] as number, exited };
}

function request(port: number, method: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of the one series of `name` carrying all `labels` (any order), or undefined. */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function until<T>(fn: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const APPS = [
  { file: 'node-http.ts', prefix: '' },
  { file: 'express.ts', prefix: '/api' },
  { file: 'fastify.ts', prefix: '/api' },
];

for (const { file, prefix } of APPS) {
  test(`examples/${file}: requests are traced, measured on the admin server and logged`, async () => {
    const app = await start(file);
    try {
      const hello = await request(app.port, 'GET', '/hello');
      assert.equal(hello.status, 200);
      assert.equal(hello.body, 'hello world');
      assert.ok(typeof hello.headers['x-request-id'] === 'string', 'a request id is returned');
      const user = await request(app.port, 'GET', `${prefix}/users/42`, { 'x-request-id': `ex-${file}` });
      assert.equal(user.status, 200);
      assert.equal(user.headers['x-request-id'], `ex-${file}`);
      assert.equal((await request(app.port, 'POST', `${prefix}/orders?country=fr`)).status, 201);
      assert.equal((await request(app.port, 'GET', `${prefix}/fail`)).status, 500);
      assert.equal((await request(app.port, 'GET', '/no/such/page')).status, 404);

      const metrics = await request(app.adminPort, 'GET', '/metrics');
      assert.equal(metrics.status, 200);
      const m = metrics.body;
      assert.equal(series(m, 'http_server_requests_total', { http_request_method: 'GET', http_route: `${prefix}/users/:id`, http_response_status_code: '200' }), 1);
      assert.equal(series(m, 'http_server_requests_total', { http_request_method: 'GET', http_route: 'unmatched', http_response_status_code: '404' }), 1);
      assert.equal(series(m, 'http_server_errors_total', { http_route: `${prefix}/fail` }), 1);
      assert.equal(series(m, 'http_server_request_duration_seconds_count', { http_route: '/hello', http_response_status_code: '200' }), 1);
      assert.equal(series(m, 'shop_orders_total', { country: 'fr' }), 1);

      const done = await until(() => {
        const l = app.lines.find((r) => r['msg'] === 'request completed' && r['route'] === `${prefix}/users/:id`);
        const all = l !== undefined && app.lines.some((r) => r['msg'] === 'request failed') && app.lines.some((r) => r['status'] === 404);
        return all ? l : undefined;
      }, 'the completion lines');
      assert.equal(done['request_id'], `ex-${file}`);
      assert.equal(done['path'], `${prefix}/users/42`);
      assert.equal(done['status'], 200);
      assert.match(String(done['trace_id']), /^[0-9a-f]{32}$/);
      const inner = app.lines.find((r) => r['msg'] === 'user looked up');
      assert.ok(inner !== undefined, 'the handler line was written');
      assert.equal(inner['request_id'], `ex-${file}`, 'the handler line carries the request id from the context');
      assert.equal(inner['trace_id'], done['trace_id'], 'and the trace id of the request');
      const failed = app.lines.find((r) => r['msg'] === 'request failed')!;
      assert.equal(failed['level'], 'error');
      assert.equal(failed['status'], 500);
      assert.equal(failed['route'], `${prefix}/fail`);
      const notFound = app.lines.find((r) => r['msg'] === 'request completed' && r['status'] === 404)!;
      assert.equal(notFound['level'], 'warn');
      assert.equal(notFound['route'], 'unmatched');
    } finally {
      app.child.kill('SIGTERM');
      const code = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
      if (code === 'timeout') app.child.kill('SIGKILL');
      assert.equal(code, 0, 'SIGTERM shuts the example down cleanly');
    }
  });
}
