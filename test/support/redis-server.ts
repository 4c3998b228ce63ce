/**
 * A private `redis-server` on a free loopback port, in a temp dir, that a test can kill and
 * restart on the same port. A missing binary fails the test under CI=true and skips it otherwise.
 * @example
 * const redis = await startRedisServer(t); if (!redis) return;
 * await redis.stop(); await redis.start();
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, requireBinary } from './prometheus.js';

export interface RedisServer {
  readonly port: number;
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedisServer(t: TestContext): Promise<RedisServer | undefined> {
  const bin = requireBinary(t, 'redis-server', 'redis-server');
  if (bin === undefined) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'sl-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child !== undefined) return;
      child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
      await waitForPort(port);
    },
    async stop() {
      const c = child;
      if (c === undefined) return;
      child = undefined;
      if (c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
