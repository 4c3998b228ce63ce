import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sightline } from '../index.js';
import { setContextUser } from '../context/index.js';

/** Options of `sightline demo`. */
export interface DemoOptions {
  /** Seconds of generated traffic (default 10); 0 runs until interrupted. */
  duration: number;
  /** Port of the demo shop service (default 0: any free port). */
  port: number;
  /** Requests per second of generated traffic (default 20). */
  rate: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * Two instrumented services under generated traffic: `demo-shop` (routes /products,
 * /products/:id, /checkout, /slow) calls `demo-inventory` (/stock/:sku) with fetch, so traces
 * span both. Some checkouts fail (500), some requests are slow, some paths do not exist.
 */
export async function demo(o: DemoOptions): Promise<void> {
  const inventory = sightline({ service: 'demo-inventory', admin: false, client: false, http: { routes: ['/stock/:sku'] } });
  const shop = sightline({ service: 'demo-shop', admin: { port: 0 }, http: { routes: ['/products', '/products/:id', '/checkout', '/slow'] } });
  const orders = shop.metrics.counter({ name: 'demo_orders_total', help: 'Orders placed', labelNames: ['country'] });

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- handler() records the listener's rejections
  const inv = http.createServer(inventory.handler(async (req, res) => {
    await sleep(2 + Math.random() * 8);
    const sku = (req.url ?? '').split('/')[2] ?? '';
    inventory.log.debug('stock lookup', { sku });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ sku, available: Math.random() > 0.05 }));
  }));
  const invPort = await listen(inv, 0);

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- handler() records the listener's rejections
  const server = http.createServer(shop.handler(async (req, res) => {
    setContextUser(`user-${Math.floor(Math.random() * 50)}`);
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/products') return void res.end(JSON.stringify([{ id: 1 }, { id: 2 }]));
    if (path.startsWith('/products/')) {
      const r = await inventoryCall(`/stock/${path.slice(10)}`, res);
      return void res.end(r === undefined ? 'inventory unavailable\n' : JSON.stringify(r));
    }
    if (path === '/checkout') {
      const stock = await inventoryCall(`/stock/sku-1`, res);
      if (stock === undefined) return void res.end('inventory unavailable\n');
      if (!stock.available || Math.random() < 0.08) {
        shop.log.error('payment declined', { reason: stock.available ? 'card' : 'out of stock' });
        res.statusCode = 500;
        return void res.end('checkout failed\n');
      }
      const country = Math.random() < 0.5 ? 'de' : 'fr';
      orders.labels({ country }).inc();
      shop.log.info('order placed', { country });
      return void res.end('ok\n');
    }
    if (path === '/slow') {
      await shop.tracer.span('render report', () => sleep(200 + Math.random() * 600));
      return void res.end('report\n');
    }
    res.statusCode = 404;
    res.end('not found\n');
  }));
  /** A call to the inventory service; on failure (e.g. while the demo stops) answers 502 and logs it. */
  async function inventoryCall(path: string, res: http.ServerResponse): Promise<{ available: boolean } | undefined> {
    try {
      const r = await fetch(`http://127.0.0.1:${invPort}${path}`);
      return (await r.json()) as { available: boolean };
    } catch (e) {
      shop.log.warn('inventory call failed', e as Error);
      res.statusCode = 502;
      return undefined;
    }
  }
  const port = await listen(server, o.port);
  await shop.admin?.ready();
  // Both services are listening: readiness and startup pass from now on.
  inventory.started();
  shop.started();
  shop.log.info('demo running', { shop: `http://127.0.0.1:${port}`, metrics: `${shop.admin?.url() ?? ''}/metrics`, inventory: `http://127.0.0.1:${invPort}` });

  const paths = ['/products', '/products/1', '/products/2', '/checkout', '/checkout', '/slow', '/missing', '/wp-login.php'];
  const agent = new http.Agent({ keepAlive: true });
  const interval = setInterval(() => {
    const p = paths[Math.floor(Math.random() * paths.length)]!;
    // The generator itself runs outside any request: its calls are CLIENT spans of the shop's instance.
    http.get({ host: '127.0.0.1', port, path: p, agent }, (res) => res.resume()).on('error', () => undefined);
  }, 1000 / o.rate);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(interval);
      agent.destroy();
      server.closeAllConnections();
      inv.closeAllConnections();
      await Promise.all([new Promise<void>((r) => server.close(() => r())), new Promise<void>((r) => inv.close(() => r()))]);
      shop.log.info('demo finished', { traces: shop.recentTraces.latest().length });
      await shop.shutdown();
      await inventory.shutdown();
    })();
    return stopping;
  };
  const interrupted = new Promise<void>((r) => process.once('SIGINT', () => r()));
  if (o.duration > 0) await Promise.race([sleep(o.duration * 1000), interrupted]);
  else await interrupted;
  await stop();
}
