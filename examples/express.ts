/**
 * A small Express 5 service under full Sightline instrumentation. Routes come from Express itself
 * (`/api/users/:id` for a router mounted at `/api`), thrown errors are recorded by
 * `obs.expressErrors()` mounted after the routes.
 *
 *   npm run build && node --import tsx examples/express.ts
 *   (or from the sources: node --import tsx --conditions=source examples/express.ts)
 *   curl localhost:3000/api/users/42; curl localhost:9464/metrics
 *
 * Environment: PORT (3000), ADMIN_PORT (9464), DRAIN_MS (shutdown drain delay, 10000).
 */
import express from 'express';
import { sightline } from 'sightline';

const obs = sightline({
  service: 'users-express',
  admin: { port: Number(process.env['ADMIN_PORT'] ?? 9464) },
  health: { shutdown: { drainDelayMs: Number(process.env['DRAIN_MS'] ?? 10_000) } },
});
const orders = obs.metrics.counter({ name: 'shop_orders_total', help: 'Orders placed', labelNames: ['country'] });

const app = express();
app.use(obs.express()); // first: every later middleware and route runs in the request context

app.get('/hello', (_req, res) => {
  res.send('hello world');
});

const api = express.Router();
api.get('/users/:id', async (req, res) => {
  await new Promise((r) => setTimeout(r, 1)); // the context survives awaits
  obs.log.info('user looked up', { userId: req.params['id'] });
  res.json({ id: req.params['id'] });
});
api.post('/orders', (req, res) => {
  orders.labels({ country: typeof req.query['country'] === 'string' ? req.query['country'] : 'de' }).inc();
  res.status(201).send('created');
});
api.get('/fail', () => {
  throw new Error('simulated failure');
});
app.use('/api', api);

app.use(obs.expressErrors()); // after the routes: records thrown errors, then passes them on
app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(500).json({ error: err.message });
});

const server = app.listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1', () => {
  void obs.admin?.ready().then((admin) => {
    obs.log.info('listening', { port: (server.address() as { port: number }).port, admin_port: admin?.port });
  });
});
obs.graceful?.addServer(server);
