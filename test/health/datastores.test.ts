import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createHealth, postgresCheck, redisCheck } from 'sightline/health';
import type { Health } from 'sightline/health';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { startRedisServer } from '../support/redis-server.js';
import { get, serve, waitFor } from './helpers.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const TIMEOUT = 300;
const INTERVAL = 100;

/**
 * Waits for the first result of `name` from a run that STARTED after `since` and returns it:
 * "503 within timeout + interval" means exactly that this first run after the fault fails (a run
 * starts at most `interval` after the fault and fails at most `timeout` after it starts).
 */
async function firstRunAfter(health: Health, name: string, since: number) {
  let found: ReturnType<Health['latest']>;
  await waitFor(() => {
    const r = health.latest(name);
    if (r !== undefined && Date.parse(r.time) > since) found = r;
    return found !== undefined;
  }, `a run of ${name} after the fault`, 30_000);
  return found!;
}

test('PostgreSQL: pg Pool and pg Client pass with SELECT 1 on the real server', async (t) => {
  const pool = new pg.Pool(PG);
  const client = new pg.Client(PG);
  await client.connect();
  t.after(async () => {
    await pool.end();
    await client.end();
  });
  const health = createHealth({ started: true, intervalMs: 60_000 });
  t.after(() => health.close());
  health.register({ name: 'pool', check: postgresCheck(pool) });
  health.register({ name: 'client', check: postgresCheck(client) });
  const r = await health.refresh();
  assert.equal(r.statusCode, 200, JSON.stringify(r.body));
  assert.equal(r.body.checks['pool:responseTime']?.[0]?.componentType, 'datastore');
  assert.throws(() => postgresCheck({} as never), { code: 'SL_ERR_HEALTH_INVALID_CHECK' });
});

test('Redis: ioredis and node-redis clients pass with PING on the real server', async (t) => {
  const io = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await io.connect();
  const nr = createClient({ url: 'redis://127.0.0.1:6379' });
  nr.on('error', () => {});
  await nr.connect();
  t.after(async () => {
    io.disconnect();
    await nr.close();
  });
  const health = createHealth({ started: true, intervalMs: 60_000 });
  t.after(() => health.close());
  health.register({ name: 'ioredis', check: redisCheck(io) });
  health.register({ name: 'noderedis', check: redisCheck(nr) });
  const r = await health.refresh();
  assert.equal(r.statusCode, 200, JSON.stringify(r.body));
  assert.throws(() => redisCheck({} as never), { code: 'SL_ERR_HEALTH_INVALID_CHECK' });
});

test('Redis killed and restarted: readiness 503 on the first run after the kill, 200 after restart (ioredis and node-redis)', async (t) => {
  const server = await startRedisServer(t);
  if (server === undefined) return;
  t.after(() => server.close());
  const io = new Redis({ host: '127.0.0.1', port: server.port, retryStrategy: () => 50, maxRetriesPerRequest: null });
  io.on('error', () => {});
  const nr = createClient({ url: `redis://127.0.0.1:${server.port}`, socket: { reconnectStrategy: () => 50 } });
  nr.on('error', () => {});
  await nr.connect();
  t.after(async () => {
    io.disconnect();
    await nr.close().catch(() => undefined);
  });
  const health = createHealth({ started: true, timeoutMs: TIMEOUT, intervalMs: INTERVAL });
  t.after(() => health.close());
  health.register({ name: 'ioredis', check: redisCheck(io) });
  health.register({ name: 'noderedis', check: redisCheck(nr) });
  const srv = await serve(health);
  t.after(() => srv.close());
  await waitFor(async () => (await get(srv.port, '/health/ready')).status === 200, 'ready with redis up');

  const killedAt = Date.now();
  await server.stop();
  for (const name of ['ioredis', 'noderedis']) {
    const first = await firstRunAfter(health, name, killedAt);
    assert.equal(first.status, 'fail', `${name}: ${JSON.stringify(first)}`);
  }
  const down = await get(srv.port, '/health/ready');
  assert.equal(down.status, 503);
  assert.equal(down.body.checks['ioredis:responseTime']?.[0]?.status, 'fail');
  assert.match(down.body.checks['ioredis:responseTime']?.[0]?.output ?? '', /not connected|ECONNREFUSED|timed out/);

  await server.start();
  await waitFor(async () => (await get(srv.port, '/health/ready')).status === 200, 'ready again after restart');
});

test('PostgreSQL behind a proxy that refuses, then black-holes: 503 on the first run after each fault, 200 when it heals', async (t) => {
  const proxy = await startTcpProxy(5432);
  t.after(() => proxy.close());
  const pool = new pg.Pool({ ...PG, port: proxy.port, max: 2 });
  // pg emits errors of idle clients on the pool; an app must listen (pg's own advice).
  pool.on('error', () => {});
  t.after(() => pool.end().catch(() => undefined));
  const health = createHealth({ started: true, timeoutMs: TIMEOUT, intervalMs: INTERVAL });
  t.after(() => health.close());
  health.register({ name: 'postgres', check: postgresCheck(pool) });
  const srv = await serve(health);
  t.after(() => srv.close());
  await waitFor(async () => (await get(srv.port, '/health/ready')).status === 200, 'ready through the proxy');

  // Refused: connection reset, then ECONNREFUSED on reconnect.
  let at = Date.now();
  await proxy.refuse();
  let first = await firstRunAfter(health, 'postgres', at);
  assert.equal(first.status, 'fail', JSON.stringify(first));
  assert.equal((await get(srv.port, '/health/ready')).status, 503);
  await proxy.restore();
  await waitFor(async () => (await get(srv.port, '/health/ready')).status === 200, 'ready after refusal ends');

  // Black-holed: the query on the pooled connection and any new connection hang.
  at = Date.now();
  proxy.blackhole();
  first = await firstRunAfter(health, 'postgres', at);
  assert.equal(first.status, 'fail', JSON.stringify(first));
  assert.match(first.output ?? '', /timed out|timeout/i);
  // Probes keep answering fast from the latest result, and pile nothing onto the dependency.
  const callsBefore = health.calls('postgres');
  for (let i = 0; i < 20; i++) assert.equal((await get(srv.port, '/health/ready')).status, 503);
  assert.ok(health.calls('postgres') - callsBefore <= 2, 'probes do not trigger calls');
  await proxy.restore();
  await waitFor(async () => (await get(srv.port, '/health/ready')).status === 200, 'ready after the black hole heals');
});
