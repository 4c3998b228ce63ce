/**
 * A small Fastify 5 service under full Sightline instrumentation. Routes come from Fastify
 * (`routeOptions.url`, with prefixes: `/api/users/:id`), thrown errors through its onError hook.
 *
 *   npm run build && node --import tsx examples/fastify.ts
 *   (or from the sources: node --import tsx --conditions=source examples/fastify.ts)
 *   curl localhost:3000/api/users/42; curl localhost:9464/metrics
 *
 * Environment: PORT (3000), ADMIN_PORT (9464), DRAIN_MS (shutdown drain delay, 10000).
 */
import Fastify from 'fastify';
import { sightline } from 'sightline';

const obs = sightline({
  service: 'users-fastify',
  admin: { port: Number(process.env['ADMIN_PORT'] ?? 9464) },
  health: { shutdown: { drainDelayMs: Number(process.env['DRAIN_MS'] ?? 10_000) } },
});
const orders = obs.metrics.counter({ name: 'shop_orders_total', help: 'Orders placed', labelNames: ['country'] });

const app = Fastify();
await app.register(obs.fastify); // before the routes

app.get('/hello', (_req, reply) => reply.send('hello world'));

await app.register((api, _opts, done) => {
  api.get<{ Params: { id: string } }>('/users/:id', async (req) => {
    await new Promise((r) => setTimeout(r, 1)); // the context survives awaits
    obs.log.info('user looked up', { userId: req.params.id });
    return { id: req.params.id };
  });
  api.post<{ Querystring: { country?: string } }>('/orders', (req, reply) => {
    orders.labels({ country: req.query.country ?? 'de' }).inc();
    return reply.code(201).send('created');
  });
  api.get('/fail', () => {
    throw new Error('simulated failure'); // Fastify answers 500; the onError hook records it
  });
  done();
}, { prefix: '/api' });

await app.listen({ port: Number(process.env['PORT'] ?? 3000), host: '127.0.0.1' });
obs.graceful?.addServer(app.server);
const admin = await obs.admin?.ready();
obs.log.info('listening', { port: (app.server.address() as { port: number }).port, admin_port: admin?.port });
