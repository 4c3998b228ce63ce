// sightline({ slo }): the SLO engine over the HTTP RED metrics of sightline()'s own
// instrumentation, GET /slo on the admin server, the sightline_slo_* metrics, state in a real
// SQLite file across a restart, and the coded errors at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sightline } from 'sightline';
import type { SloDefinition } from 'sightline/slo';
import { memory } from 'sightline/testing';
import { get } from '../health/helpers.js';

const OBJECTIVES: SloDefinition[] = [
  { name: 'availability', objective: 99.9, window: '30d', sli: { availability: { metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' } } } },
  { name: 'latency', objective: 99, window: '30d', sli: { latency: { metric: 'http_server_request_duration_seconds', threshold: 0.25 } } },
];

/** An app instrumented by `obs` that answers 500 on /fail and 200 elsewhere. */
async function app(obs: ReturnType<typeof sightline>): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(obs.handler((req: http.IncomingMessage, res: http.ServerResponse) => {
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end('ok');
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function hit(port: number, path: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await get(port, path);
}

test('sightline({ slo }): status over the RED metrics, GET /slo with the same objects, sightline_slo_* metrics', async (t) => {
  const obs = sightline({
    service: 'checkout',
    admin: { port: 0 },
    log: { destination: memory() },
    metrics: { defaultMetrics: false },
    health: false,
    slo: { objectives: OBJECTIVES, store: 'memory', interval: '10s' },
  });
  t.after(() => obs.shutdown());
  assert.ok(obs.slo);
  assert.deepEqual(obs.slo.definitions.map((d) => d.id), ['checkout-availability', 'checkout-latency']);
  const a = await app(obs);
  t.after(() => a.close());
  await hit(a.port, '/ok', 18);
  await hit(a.port, '/fail', 2);
  await obs.slo.tick();

  const status = await obs.slo.status();
  const avail = status.find((s) => s.name === 'availability')!;
  assert.deepEqual(avail.events, { total: 20, bad: 2 });
  assert.equal(avail.sli, 0.9);
  assert.equal(avail.objective, 99.9);
  assert.equal(avail.window, '30d');
  assert.ok(Math.abs(avail.burnRates['5m']! - 100) < 1e-9, `5m burn rate ${avail.burnRates['5m']}`);
  assert.ok(Math.abs(avail.errorBudget.totalMinutes - 43.2) < 1e-9);
  const latency = status.find((s) => s.name === 'latency')!;
  assert.equal(latency.events.total, 20);
  assert.equal(latency.events.bad, 0, 'loopback requests finish within 250 ms');
  assert.ok(latency.percentiles, 'latency SLOs report percentiles');

  const port = (await obs.admin!.ready())!.port;
  const served = await get(port, '/slo');
  assert.equal(served.status, 200);
  const body = served.body as unknown as { slos: { name: string; events: unknown; sli: unknown }[] };
  assert.deepEqual(body.slos.map((s) => [s.name, s.events, s.sli]), status.map((s) => [s.name, s.events, s.sli]));

  const metrics = await obs.metrics.metrics();
  assert.match(metrics, /^sightline_slo_objective_ratio\{[^}]*slo="availability"[^}]*\} 0\.999$/m);
  assert.match(metrics, /^sightline_slo_sli_ratio\{[^}]*slo="availability"[^}]*\} 0\.9$/m);
  assert.match(metrics, /^sightline_slo_burn_rate\{[^}]*slo="availability"[^}]*window="5m"[^}]*\} /m);
  assert.match(metrics, /^sightline_slo_error_budget_remaining_ratio\{[^}]*slo="availability"/m);
});

test('sightline({ slo }) with a SQLite file: a restarted service keeps its budget', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-slo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = `sqlite:${join(dir, 'state', 'slo.sqlite')}`;
  const start = () => sightline({ service: 'checkout', admin: false, log: { destination: memory() }, metrics: { defaultMetrics: false }, health: false, slo: { objectives: OBJECTIVES, store } });

  const first = start();
  const a = await app(first);
  await hit(a.port, '/ok', 9);
  await hit(a.port, '/fail', 1);
  await a.close();
  await first.shutdown(); // the last tick is saved

  const second = start();
  t.after(() => second.shutdown());
  await second.slo!.ready();
  const b = await app(second);
  t.after(() => b.close());
  await hit(b.port, '/fail', 1);
  await second.slo!.tick();
  const avail = (await second.slo!.status()).find((s) => s.name === 'availability')!;
  assert.deepEqual(avail.events, { total: 11, bad: 2 }, 'the first process\' minutes were loaded from the file');
});

test('sightline({ slo }): mistakes throw at start with a code and the field', () => {
  const base = { admin: false as const, log: { destination: memory() }, metrics: { defaultMetrics: false }, health: false as const };
  assert.throws(() => sightline({ ...base, slo: { objectives: OBJECTIVES, store: 'memory', intervall: '5s' } as never }), { code: 'SL_ERR_SLO_UNKNOWN_OPTION', field: 'slo.intervall' });
  assert.throws(() => sightline({ ...base, slo: { store: 'memory' } as never }), { code: 'SL_ERR_SLO_INVALID_OPTION', field: 'slo.objectives' });
  assert.throws(
    () => sightline({ ...base, slo: { store: 'memory', objectives: [{ ...OBJECTIVES[1]!, sli: { latency: { metric: 'http_server_request_duration_seconds', threshold: 0.2 } } }] } }),
    { code: 'SL_ERR_SLO_NOT_A_BUCKET_BOUND', field: 'slo.objectives[0].sli.latency.threshold' },
  );
  assert.throws(
    () => sightline({ ...base, slo: { store: 'memory', objectives: [{ ...OBJECTIVES[0]!, sli: { availability: { metric: 'http_server_request_duration_seconds', bad: { http_response_status_code: '5..' } } } }] } }),
    { code: 'SL_ERR_SLO_WRONG_METRIC_TYPE', field: 'slo.objectives[0].sli.availability.metric' },
  );
  assert.throws(() => sightline({ ...base, slo: { objectives: [{ ...OBJECTIVES[0]!, objective: 100 }], store: 'memory' } }), { code: 'SL_ERR_SLO_INVALID_OBJECTIVE', field: 'slo.objectives[0].objective' });
  assert.throws(() => sightline({ ...base, slo: { objectives: OBJECTIVES, store: 'postgres://x' } }), { code: 'SL_ERR_SLO_INVALID_STORE', field: 'slo.store' });
  assert.throws(() => sightline({ ...base, slo: { objectives: OBJECTIVES, store: 'memory', interval: '1ms' } }), { field: 'slo.interval' });
});
