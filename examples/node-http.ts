/**
 * A small node:http service under full Sightline instrumentation: request ids, SERVER spans,
 * RED metrics on the admin server (/metrics), one JSON completion line per request on stdout.
 *
 *   npm run build && node --import tsx examples/node-http.ts
 *   (or from the sources: node --import tsx --conditions=source examples/node-http.ts)
 *   curl localhost:3000/users/42; curl localhost:9464/metrics
 *
 * Environment: PORT (3000), ADMIN_PORT (9464), DRAIN_MS (shutdown drain delay, 10000).
 */
import http from 'node:http';
import { sightline } from 'sightline';

const obs = sightline({
  service: 'users-node',
  admin: { port: Number(process.env['ADMIN_PORT'] ?? 9464) },
  // node:http has no router: the route templates label the metrics and name the spans.
  http: { routes: ['/hello', '/users/:id', '/orders', '/fail'] },
  health: { shutdown: { drainDelayMs: Number(process.env['DRAIN_MS'] ?? 10_000) } },
});

// A business metric: nothing special, an ordinary counter on the same registry.
const orders = obs.metrics.counter({ name: 'shop_orders_total', help: 'Orders placed', labelNames: ['country'] });

const server = http.createServer(obs.handler((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/hello') return void res.end('hello world');
  const user = /^\/users\/([^/]+)$/.exec(url.pathname);
  if (req.method === 'GET' && user !== null) {
    obs.log.info('user looked up', { userId: user[1] }); // carries trace_id, span_id, request_id
    res.setHeader('content-type', 'application/json');
    return void res.end(JSON.stringify({ id: user[1] }));
  }
  if (req.method === 'POST' && url.pathname === '/orders') {
    orders.labels({ country: url.searchParams.get('country') ?? 'de' }).inc();
    res.statusCode = 201;
    return void res.end('created');
  }
  if (url.pathname === '/fail') {
    // A 5xx is a server error: ERROR span, error counter, a `request failed` line at level error.
    res.statusCode = 500;
    return void res.end('simulated failure');
  }
  res.statusCode = 404;
  res.end('not found');
}));
obs.graceful?.addServer(server);
server.listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1', () => {
  void obs.admin?.ready().then((admin) => {
    obs.log.info('listening', { port: (server.address() as { port: number }).port, admin_port: admin?.port });
  });
});
