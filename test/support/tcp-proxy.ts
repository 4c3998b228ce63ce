/**
 * A TCP proxy for failure tests: forwards 127.0.0.1:<port> to a target, and can
 * - `refuse()`: stop listening and reset every open connection (new connects get ECONNREFUSED),
 * - `blackhole()`: keep accepting but forward nothing in either direction (a network partition:
 *   bytes wait, as TCP would retransmit them), 
 * - `restore()`: forward again (held bytes flow, new connections reach the target).
 * @example
 * const proxy = await startTcpProxy(5432); // pg → 127.0.0.1:proxy.port
 * proxy.blackhole(); … proxy.restore(); await proxy.close();
 */
import net from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'refuse';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
  /** Bytes from the client not yet sent upstream. */
  held: Buffer[];
  /** Bytes from upstream not yet sent to the client. */
  heldBack: Buffer[];
}

export interface TcpProxy {
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections accepted so far. */
  readonly accepted: number;
  refuse(): Promise<void>;
  blackhole(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  let accepted = 0;
  const pairs = new Set<Pair>();

  const connectUpstream = (p: Pair): void => {
    const up = net.connect(targetPort, targetHost);
    p.upstream = up;
    up.on('data', (b: Buffer) => {
      if (mode === 'forward') p.client.write(b);
      else p.heldBack.push(b);
    });
    up.on('error', () => p.client.destroy());
    up.on('close', () => p.client.destroy());
    for (const b of p.held.splice(0)) up.write(b);
  };

  const onConnection = (client: net.Socket): void => {
    accepted++;
    const p: Pair = { client, upstream: undefined, held: [], heldBack: [] };
    pairs.add(p);
    client.on('data', (b: Buffer) => {
      if (mode === 'forward' && p.upstream !== undefined) p.upstream.write(b);
      else p.held.push(b);
    });
    client.on('error', () => p.upstream?.destroy());
    client.on('close', () => {
      p.upstream?.destroy();
      pairs.delete(p);
    });
    if (mode === 'forward') connectUpstream(p);
  };

  let server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const listen = (): Promise<void> => new Promise<void>((resolve, reject) => {
    server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    async refuse() {
      mode = 'refuse';
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const p of pairs) {
        p.client.resetAndDestroy();
        p.upstream?.destroy();
      }
    },
    blackhole() {
      mode = 'blackhole';
    },
    async restore() {
      const was = mode;
      mode = 'forward';
      if (was === 'refuse') await listen();
      for (const p of pairs) {
        if (p.upstream === undefined) connectUpstream(p);
        else for (const b of p.held.splice(0)) p.upstream.write(b);
        for (const b of p.heldBack.splice(0)) p.client.write(b);
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      if (mode !== 'refuse') await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
