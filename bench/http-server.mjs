// One benchmark server per child process (so CPU is measured per server): node http-server.mjs <kind>.
// Prints its port on IPC; answers { cpu: true } with process.cpuUsage(); exits on { stop: true }.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const kind = process.argv[2];
const logFile = path.join(os.tmpdir(), `sightline-http-bench-${kind}-${process.pid}.log`);
let cleanup = async () => {};

async function build() {
  if (kind === 'peer') {
    // The OpenTelemetry SDK must patch http before it is loaded (require-in-the-middle, CJS).
    const { NodeSDK } = require('@opentelemetry/sdk-node');
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
    const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
    const noop = { export: (_spans, cb) => cb({ code: 0 }), shutdown: async () => {} };
    const sdk = new NodeSDK({ serviceName: 'bench', instrumentations: [new HttpInstrumentation()], spanProcessors: [new BatchSpanProcessor(noop)], metricReader: undefined });
    sdk.start();
    const http = require('http');
    const pino = require('pino');
    const pinoHttp = require('pino-http');
    const prom = require('prom-client');
    const logger = pino(pino.destination({ dest: logFile, sync: false }));
    const logMw = pinoHttp({ logger });
    const registry = new prom.Registry();
    const duration = new prom.Histogram({ name: 'http_request_duration_seconds', help: 'd', labelNames: ['method', 'route', 'status_code'], registers: [registry] });
    const requests = new prom.Counter({ name: 'http_requests_total', help: 'r', labelNames: ['method', 'route', 'status_code'], registers: [registry] });
    const active = new prom.Gauge({ name: 'http_active_requests', help: 'a', labelNames: ['method'], registers: [registry] });
    cleanup = async () => { await sdk.shutdown(); logger.flush(); };
    return http.createServer((req, res) => {
      const end = duration.startTimer();
      active.inc({ method: req.method });
      res.on('finish', () => {
        const labels = { method: req.method, route: '/hello', status_code: String(res.statusCode) };
        end(labels);
        requests.inc(labels);
        active.dec({ method: req.method });
      });
      logMw(req, res);
      res.end('hello world');
    });
  }
  const http = require('http');
  const hello = (_req, res) => res.end('hello world');
  let obs;
  // sightline kinds: sightline (everything on), sightline-nolog (no completion line),
  // sightline-nolog-notrace (no line, spans not sampled: request id, context, RED metrics only)
  if (kind.includes('sightline')) {
    const { sightline } = await import('sightline');
    const { file } = await import('sightline/log');
    const noLog = kind.includes('nolog');
    const noTrace = kind.includes('notrace');
    // sightline-slo: everything on plus an availability and a latency SLO read every second.
    const slo = kind === 'sightline-slo' ? {
      store: 'memory',
      interval: '1s',
      objectives: [
        { name: 'availability', objective: 99.9, window: '30d', sli: { availability: { metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' } } } },
        { name: 'latency', objective: 99, window: '30d', sli: { latency: { metric: 'http_server_request_duration_seconds', threshold: 0.25 } } },
      ],
    } : undefined;
    obs = sightline({ service: 'bench', log: { destination: file(logFile) }, admin: false, http: { routes: ['/hello'], logCompletion: !noLog }, ...(noTrace ? { trace: { sampler: 'always_off' } } : {}), ...(slo ? { slo } : {}) });
    cleanup = () => obs.shutdown();
  }
  if (kind === 'bare') return http.createServer(hello);
  if (kind === 'bare-als') {
    // What every context-carrying instrumentation pays on Node 20: one AsyncLocalStorage entered per request.
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const als = new AsyncLocalStorage();
    return http.createServer((req, res) => als.run(req, hello, req, res));
  }
  if (kind.startsWith('sightline')) return http.createServer(obs.handler(hello));
  if (kind.startsWith('express')) {
    const express = require('express');
    const app = express();
    if (obs) app.use(obs.express());
    app.get('/hello', (_req, res) => res.send('hello world'));
    return http.createServer(app);
  }
  if (kind.startsWith('fastify')) {
    const Fastify = require('fastify');
    const app = Fastify();
    if (obs) await app.register(obs.fastify);
    if (kind === 'fastify-als') {
      // What any context-carrying Fastify instrumentation pays: a store entered per request, so
      // every promise Fastify and the handler create goes through AsyncLocalStorage's hook.
      const { AsyncLocalStorage } = await import('node:async_hooks');
      const als = new AsyncLocalStorage();
      app.addHook('onRequest', (req, _reply, done) => als.run(req, done));
    }
    app.get('/hello', async () => 'hello world');
    await app.ready();
    return app.server;
  }
  throw new Error(`unknown kind ${kind}`);
}

const server = await build();
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', async (m) => {
  if (m.cpu) process.send({ cpu: process.cpuUsage() });
  if (m.stop) {
    await cleanup();
    server.close();
    const fs = await import('node:fs');
    fs.rmSync(logFile, { force: true });
    process.exit(0);
  }
});
