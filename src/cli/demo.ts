import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sightline } from '../index.js';
import { setContextUser } from '../context/index.js';
import { stdout } from '../log/index.js';
import { bannerText } from './banner.js';
import { PrettyDestination } from './pretty.js';

/** Options of `sightline demo`. */
export interface DemoOptions {
  /** Seconds of generated traffic; 0 (default) runs until interrupted. */
  duration: number;
  /** Port of the demo shop service (0: any free port). */
  port: number;
  /** Port of the shop's admin server (0: any free port). */
  adminPort: number;
  /** Requests per second of generated traffic. */
  rate: number;
  /** Log lines as human lines (`pretty`) or raw JSON lines (`json`), both on stdout. */
  format: 'pretty' | 'json';
  /** Colours in pretty lines. */
  color: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function listen(server: http.Server, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`the ${what} could not listen on 127.0.0.1:${port} (${e.code ?? e.message})`)));
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Two instrumented services under generated traffic: `demo-shop` (routes /products,
 * /products/:id, /checkout, /slow) calls `demo-inventory` (/stock/:sku) with fetch, so traces
 * span both. Some checkouts fail (500), some requests are slow, some paths do not exist.
 *
 * The shop's graceful shutdown owns the end (Ctrl-C, SIGTERM or the duration): readiness fails,
 * the drain delay applies (0 unless in Kubernetes), the shop's server drains, then the inventory
 * stops, telemetry is flushed and the process exits 0. A second Ctrl-C exits at once (130).
 */
export async function demo(o: DemoOptions): Promise<void> {
  // One destination for both services: their lines never interleave mid-line on stdout.
  const destination = o.format === 'pretty' ? new PrettyDestination(stdout(), { color: o.color }) : stdout();
  const inventory = sightline({ service: 'demo-inventory', log: { destination }, admin: false, client: false, health: false, http: { routes: ['/stock/:sku'] } });
  const shop = sightline({
    service: 'demo-shop',
    log: { destination },
    admin: { port: o.adminPort },
    // In-flight requests (a /slow one takes under 1 s) finish before the exit.
    health: { shutdown: { requestDeadlineMs: 1500 } },
    http: { routes: ['/products', '/products/:id', '/checkout', '/slow'] },
  });
  const orders = shop.metrics.counter({ name: 'demo_orders_total', help: 'Orders placed', labelNames: ['country'] });

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- handler() records the listener's rejections
  const inv = http.createServer(inventory.handler(async (req, res) => {
    await sleep(2 + Math.random() * 8);
    const sku = (req.url ?? '').split('/')[2] ?? '';
    inventory.log.debug('stock lookup', { sku });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ sku, available: Math.random() > 0.05 }));
  }));

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
  const graceful = shop.graceful!;
  graceful.addServer(server);

  let port: number;
  let invPort = 0;
  try {
    invPort = await listen(inv, 0, 'inventory service');
    port = await listen(server, o.port, 'shop service');
    if ((await shop.admin?.ready()) === undefined) throw new Error(`the admin server could not listen on 127.0.0.1:${o.adminPort}`);
  } catch (e) {
    // Nothing may keep the process alive: stop what did start, then report.
    inv.close();
    server.close();
    await Promise.all([shop.shutdown(), inventory.shutdown()]);
    throw e;
  }
  // Both services are listening: readiness and startup pass from now on.
  inventory.started();
  shop.started();

  const shopUrl = `http://127.0.0.1:${port}`;
  const adminUrl = shop.admin?.url();
  // On stderr: stdout carries log lines only (`sightline demo --json | jq`).
  process.stderr.write(
    bannerText({ shop: shopUrl, inventory: `http://127.0.0.1:${invPort}`, admin: adminUrl, healthPaths: shop.health!.paths, rate: o.rate, duration: o.duration, format: o.format }),
  );
  shop.log.info('demo running', { shop: shopUrl, metrics: `${adminUrl ?? ''}/metrics`, inventory: `http://127.0.0.1:${invPort}` });

  const paths = ['/products', '/products/1', '/products/2', '/checkout', '/checkout', '/slow', '/missing', '/wp-login.php'];
  const agent = new http.Agent({ keepAlive: true });
  const interval = setInterval(() => {
    const p = paths[Math.floor(Math.random() * paths.length)]!;
    // The generator itself runs outside any request: its calls are CLIENT spans of the shop's instance.
    http.get({ host: '127.0.0.1', port, path: p, agent }, (res) => res.resume()).on('error', () => undefined);
  }, 1000 / o.rate);
  const stopLoad = (): void => {
    clearInterval(interval);
    agent.destroy();
  };

  // After the shop has drained: the inventory it calls, then a summary line; the shop's own
  // telemetry is flushed last by sightline()'s flush hook.
  graceful.onShutdown('demo-inventory', async () => {
    await new Promise<void>((r) => {
      inv.close(() => r());
      inv.closeIdleConnections();
    });
    await inventory.shutdown();
  });
  graceful.onShutdown('demo summary', () => shop.log.info('demo finished', { traces: shop.recentTraces.latest().length }));

  // The shutdown manager reacts to the signal itself; the load stops at the same moment.
  const signalled = new Promise<string>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve(s));
  });
  const reason = o.duration > 0 ? await Promise.race([sleep(o.duration * 1000).then(() => 'demo duration elapsed'), signalled]) : await signalled;
  stopLoad();
  // Exits the process (0) once done; a signal already started the same shutdown.
  await graceful.shutdown(reason);
}
