// The in-process SLO engine against a real Registry, with an injected clock: deltas and resets,
// window sums at minute boundaries, budget minutes, burn rates, percentiles, timeslices, calendar
// windows, alerts and their log lines, the sightline_slo_* gauges, and a store that fails to save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'sightline/metrics';
import { createLogger } from 'sightline/log';
import { memory } from 'sightline/testing';
import { MemoryStore, SloEngine } from 'sightline/slo';
import type { MinuteCounts, SloStatus, SloStore, StoreSlo } from 'sightline/slo';
import { internalErrorCounts } from '../../src/diagnostics/index.js';
import { numericSamples } from '../support/metrics.js';
import { availability, calendar, clock, DAY, events, HOUR, latency, MINUTE, rolling } from './fixtures.js';

/** A minute boundary: 2024-03-10T00:00:00Z. */
const T0 = Date.UTC(2024, 2, 10);

function quiet(): Registry {
  return new Registry({ onWarning: () => undefined });
}

function setup(slos = [availability()], opts: { store?: SloStore; start?: number } = {}) {
  const registry = quiet();
  const requests = registry.counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['code', 'route'] });
  const c = clock(opts.start ?? T0);
  const engine = new SloEngine({ registry, slos, now: c.now, ...(opts.store === undefined ? {} : { store: opts.store }) });
  const ok = (n: number, route = '/a'): void => requests.labels({ code: '200', route }).inc(n);
  const fail = (n: number, route = '/a'): void => requests.labels({ code: '503', route }).inc(n);
  return { registry, requests, clock: c, engine, ok, fail };
}

async function one(engine: SloEngine): Promise<SloStatus> {
  const [s] = await engine.status();
  assert.ok(s !== undefined);
  return s;
}

function alert(s: SloStatus, alertname: string, label: string): string {
  const a = s.alerts.find((x) => x.alertname === alertname && (x.labels['sloth_severity'] === label || x.labels['budget_consumed'] === label));
  assert.ok(a !== undefined, `${alertname} ${label} missing`);
  return a.state;
}

test('deltas per series: first reading counts whole, then differences; bad matchers select the bad series', async () => {
  const { engine, ok, fail, clock: c } = setup();
  ok(100);
  fail(1);
  await engine.tick();
  let s = await one(engine);
  assert.deepEqual(s.events, { total: 101, bad: 1 });
  assert.equal(s.sli, Number((100 / 101).toPrecision(12)));
  c.advance(10_000);
  ok(9);
  await engine.tick();
  s = await one(engine);
  assert.deepEqual(s.events, { total: 110, bad: 1 });
  // A tick with nothing new changes nothing.
  await engine.tick();
  assert.deepEqual((await one(engine)).events, { total: 110, bad: 1 });
  await engine.stop();
});

test('the match filter applies to bad and total', async () => {
  const { engine, ok, fail } = setup([availability({ match: { route: '/checkout' } })]);
  ok(10, '/checkout');
  fail(2, '/checkout');
  ok(1000, '/other');
  fail(500, '/other');
  await engine.tick();
  assert.deepEqual((await one(engine)).events, { total: 12, bad: 2 });
  await engine.stop();
});

test('counter resets: resetAll and a removed series that comes back count their new value', async () => {
  const { engine, ok, fail, registry, requests, clock: c } = setup();
  ok(50);
  fail(5);
  await engine.tick();
  registry.resetAll();
  ok(3);
  c.advance(10_000);
  await engine.tick();
  assert.deepEqual((await one(engine)).events, { total: 58, bad: 5 });
  requests.remove({ code: '200', route: '/a' });
  await engine.tick(); // the series is gone
  ok(2); // a fresh series with the same labels
  await engine.tick();
  assert.deepEqual((await one(engine)).events, { total: 60, bad: 5 });
  await engine.stop();
});

test('an unlabelled counter going below its previous value is a reset (events SLI)', async () => {
  const registry = quiet();
  const good = registry.counter({ name: 'jobs_ok_total', help: 'ok' });
  const all = registry.counter({ name: 'jobs_total', help: 'all' });
  const c = clock(T0);
  const engine = new SloEngine({ registry, slos: [events({ good: 'jobs_ok_total', total: 'jobs_total' })], now: c.now });
  good.inc(8);
  all.inc(10);
  await engine.tick();
  registry.resetAll();
  good.inc(1);
  all.inc(1);
  await engine.tick();
  assert.deepEqual((await one(engine)).events, { total: 11, bad: 2 });
  await engine.stop();
});

test('a metric registered later is read from then on; a wrong type is reported and shows no data', async () => {
  const registry = quiet();
  const c = clock(T0);
  const engine = new SloEngine({ registry, slos: [availability(), latency({ metric: 'queue_depth' })], now: c.now });
  await engine.tick();
  let [a] = await engine.status();
  assert.equal(a!.sli, null);
  const requests = registry.counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['code'] });
  requests.labels({ code: '200' }).inc(4);
  registry.gauge({ name: 'queue_depth', help: 'not a histogram' }).set(3);
  const before = internalErrorCounts().find((x) => x.pillar === 'slo' && x.reason === 'bad_metric')?.count ?? 0;
  await engine.tick();
  await engine.tick();
  const after = internalErrorCounts().find((x) => x.pillar === 'slo' && x.reason === 'bad_metric')?.count ?? 0;
  assert.equal(after - before, 1, 'validated once');
  const [a2, l] = await engine.status();
  a = a2;
  assert.deepEqual(a!.events, { total: 4, bad: 0 });
  assert.equal(l!.sli, null);
  assert.deepEqual(l!.percentiles, { '1h': { p50: null, p95: null, p99: null }, window: { p50: null, p95: null, p99: null } });
  await engine.stop();
});

test('window sums cover minutes (now − W, now]: a 5m window drops an event exactly 5 minutes later', async () => {
  const { engine, ok, fail, clock: c } = setup([availability({ minEvents: 1 })]);
  ok(99);
  fail(1);
  await engine.tick(); // minute T0
  c.set(T0 + 4 * MINUTE + 59_999);
  let s = await one(engine);
  assert.equal(s.burnRates['5m'], 10);
  c.set(T0 + 5 * MINUTE);
  s = await one(engine);
  assert.equal(s.burnRates['5m'], null);
  assert.equal(s.burnRates['30m'], 10);
  c.set(T0 + 3 * DAY);
  s = await one(engine);
  assert.equal(s.burnRates['3d'], null);
  assert.equal(s.burnRates['1d'], null);
  assert.deepEqual(s.events, { total: 100, bad: 1 });
  c.set(T0 + 30 * DAY);
  assert.equal((await one(engine)).sli, null);
  c.set(T0 + 30 * DAY - 1);
  assert.deepEqual((await one(engine)).events, { total: 100, bad: 1 });
  await engine.stop();
});

test('99.9% over 30d: 43.2 budget minutes; allowed bad, consumed and remaining', async () => {
  const { engine, ok, fail } = setup();
  let s = await one(engine);
  assert.equal(s.errorBudget.totalMinutes, 43.2);
  assert.equal(s.errorBudget.remainingMinutes, 43.2);
  assert.equal(s.sli, null);
  assert.deepEqual(s.events, { total: 0, bad: 0 });
  assert.equal(s.errorBudget.consumedRatio, 0);
  assert.equal(s.errorBudget.remainingRatio, 1);
  for (const w of Object.values(s.burnRates)) assert.equal(w, null);
  ok(9_995);
  fail(5);
  await engine.tick();
  s = await one(engine);
  assert.equal(s.errorBudget.allowedBad, 10);
  assert.equal(s.errorBudget.consumedRatio, 0.5);
  assert.equal(s.errorBudget.remainingRatio, 0.5);
  assert.equal(s.errorBudget.remainingMinutes, 21.6);
  assert.equal(s.objective, 99.9);
  assert.equal(s.window, '30d');
  assert.equal(s.budgeting, 'occurrences');
  assert.equal(s.sli, 0.9995);
  // Overspent: consumed above 1, remaining negative.
  fail(15);
  await engine.tick();
  s = await one(engine);
  assert.ok(s.errorBudget.consumedRatio > 1);
  assert.ok(s.errorBudget.remainingRatio < 0 && s.errorBudget.remainingMinutes < 0);
  await engine.stop();
});

test('burn rates per window: error ratio over budget, traffic-weighted', async () => {
  const { engine, ok, fail, clock: c } = setup();
  // An hour ago: 1000 requests, 1 bad. Now: 1000 requests, 20 bad.
  ok(999);
  fail(1);
  await engine.tick();
  c.set(T0 + HOUR);
  ok(980);
  fail(20);
  await engine.tick();
  const s = await one(engine);
  assert.equal(s.burnRates['5m'], 20);
  assert.equal(s.burnRates['30m'], 20);
  assert.equal(s.burnRates['1h'], 20); // (T0, T0+1h] leaves the first minute out
  assert.equal(s.burnRates['2h'], 10.5);
  assert.equal(s.burnRates['3d'], 10.5);
  await engine.stop();
});

function histSetup(slo = latency()) {
  const registry = quiet();
  const h = registry.histogram({ name: 'http_request_duration_seconds', help: 'Latency', labelNames: ['route'], buckets: [0.1, 0.25, 0.5, 1] });
  const c = clock(T0);
  const engine = new SloEngine({ registry, slos: [slo], now: c.now });
  return { registry, h, clock: c, engine };
}

test('latency: good is the cumulative count at the threshold; percentiles interpolate as histogram_quantile', async () => {
  const { h, clock: c, engine } = histSetup();
  const obs = (v: number, n: number): void => {
    for (let i = 0; i < n; i++) h.observe({ route: '/a' }, v);
  };
  obs(0.05, 50);
  obs(0.2, 30);
  obs(0.4, 15);
  obs(2, 5);
  await engine.tick();
  let s = await one(engine);
  assert.deepEqual(s.events, { total: 100, bad: 20 });
  assert.deepEqual(s.percentiles, { '1h': { p50: 0.1, p95: 0.5, p99: 1 }, window: { p50: 0.1, p95: 0.5, p99: 1 } });
  c.set(T0 + 2 * HOUR);
  obs(0.05, 100);
  await engine.tick();
  s = await one(engine);
  assert.equal(s.percentiles!['1h'].p50, 0.05);
  assert.equal(s.percentiles!.window.p50, 0.1 * (100 / 150));
  assert.deepEqual(s.events, { total: 200, bad: 20 });
  // A histogram reset (series removed) counts the new observations whole.
  h.remove({ route: '/a' });
  await engine.tick();
  obs(0.3, 4);
  await engine.tick();
  assert.deepEqual((await one(engine)).events, { total: 204, bad: 24 });
  await engine.stop();
});

test('a latency threshold that is not a bucket bound shows no data', async () => {
  const { h, engine } = histSetup(latency({ threshold: 0.3 }));
  h.observe({ route: '/a' }, 0.2);
  await engine.tick();
  assert.equal((await one(engine)).sli, null);
  await engine.stop();
});

test('timeslices: a minute is bad when fewer than percentile% of its events are good; budget minutes are real minutes', async () => {
  const { h, clock: c, engine } = histSetup(latency({ objective: 0.99, percentile: 95, budgeting: 'timeslices', minEvents: 1 }));
  const obs = (v: number, n: number): void => {
    for (let i = 0; i < n; i++) h.observe({ route: '/a' }, v);
  };
  obs(0.05, 95); // exactly 95% good: a good minute
  obs(0.4, 5);
  await engine.tick();
  c.advance(MINUTE);
  obs(0.05, 90); // 90%: a bad minute
  obs(0.4, 10);
  await engine.tick();
  c.advance(2 * MINUTE); // an idle minute in between counts neither way
  const s = await one(engine);
  assert.equal(s.budgeting, 'timeslices');
  assert.deepEqual(s.events, { total: 2, bad: 1 });
  assert.equal(s.sli, 0.5);
  assert.equal(s.errorBudget.totalMinutes, 432);
  assert.equal(s.errorBudget.allowedBad, 432);
  assert.equal(s.errorBudget.consumedRatio, Number((1 / 432).toPrecision(12)));
  assert.equal(s.errorBudget.remainingMinutes, 431);
  assert.equal(s.burnRates['5m'], 50);
  await engine.stop();
});

test('calendar month in Europe/Berlin: the window starts at local midnight of the 1st', async () => {
  const slo = availability({ window: calendar('month', 'Europe/Berlin'), minEvents: 1 });
  // 2024-01-31T23:00Z is 2024-02-01T00:00 in Berlin (UTC+1).
  const { engine, ok, fail, clock: c } = setup([slo], { start: Date.UTC(2024, 0, 31, 22, 59) });
  fail(1);
  ok(1);
  await engine.tick(); // January in Berlin
  c.set(Date.UTC(2024, 0, 31, 23, 0));
  ok(10);
  await engine.tick(); // February in Berlin
  let s = await one(engine);
  assert.deepEqual(s.events, { total: 10, bad: 0 });
  assert.deepEqual(s.window, { calendar: 'month', timeZone: 'Europe/Berlin' });
  assert.equal(s.errorBudget.totalMinutes, 41.76); // February 2024: 29 days × 1440 × 0.001
  assert.equal(s.burnRates['5m'], 83.3333333333); // 1 bad of 12: burn windows are rolling: they still see January's failure
  c.set(Date.UTC(2024, 0, 31, 22, 59, 59));
  s = await one(engine);
  assert.deepEqual(s.events, { total: 2, bad: 1 });
  assert.equal(s.errorBudget.totalMinutes, 44.64); // January: 31 days
  await engine.stop();
});

test('minEvents: one failed request at night does not page; ten do', async () => {
  const { engine, fail, clock: c } = setup();
  c.set(T0 + 3 * HOUR);
  fail(1);
  await engine.tick();
  let s = await one(engine);
  assert.equal(s.burnRates['5m'], 1000);
  assert.equal(alert(s, 'SLOErrorBudgetBurn', 'page'), 'inactive');
  fail(9);
  c.advance(MINUTE);
  await engine.tick();
  s = await one(engine);
  assert.equal(alert(s, 'SLOErrorBudgetBurn', 'page'), 'firing');
  assert.equal(alert(s, 'SLOErrorBudgetBurn', 'ticket'), 'firing');
  await engine.stop();
});

test('budget consumed at 50/75/100% with hysteresis, and every transition logged once', async () => {
  const dest = memory();
  const logger = createLogger({ destination: dest, level: 'info' });
  const registry = quiet();
  const requests = registry.counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['code'] });
  const c = clock(T0);
  // minEvents high so that burn alerts stay out of the way of this test.
  const engine = new SloEngine({ registry, slos: [availability({ minEvents: 1e12 })], now: c.now, logger });
  requests.labels({ code: '200' }).inc(9_995);
  requests.labels({ code: '500' }).inc(5);
  await engine.tick();
  let s = await one(engine);
  assert.equal(alert(s, 'SLOErrorBudgetConsumed', '50'), 'firing');
  assert.equal(alert(s, 'SLOErrorBudgetConsumed', '75'), 'inactive');
  const fired = s.alerts.find((a) => a.labels['budget_consumed'] === '50')!;
  assert.equal(fired.activeAt, new Date(T0).toISOString());
  assert.deepEqual(fired.labels, { sloth_id: 'checkout-availability', sloth_service: 'checkout', sloth_slo: 'availability', budget_consumed: '50', severity: 'warning' });
  // More good traffic: consumption 5/10.5 = 0.476, above 0.45: still firing, activeAt unchanged.
  c.advance(MINUTE);
  requests.labels({ code: '200' }).inc(500);
  await engine.tick();
  s = await one(engine);
  assert.equal(alert(s, 'SLOErrorBudgetConsumed', '50'), 'firing');
  assert.equal(s.alerts.find((a) => a.labels['budget_consumed'] === '50')!.activeAt, new Date(T0).toISOString());
  // 5/11.2 = 0.446 < 0.45: resolved.
  requests.labels({ code: '200' }).inc(700);
  await engine.tick();
  s = await one(engine);
  assert.equal(alert(s, 'SLOErrorBudgetConsumed', '50'), 'inactive');
  // 75% and 100%.
  requests.labels({ code: '500' }).inc(4); // 9 / 11.204
  await engine.tick();
  s = await one(engine);
  assert.equal(alert(s, 'SLOErrorBudgetConsumed', '75'), 'firing');
  requests.labels({ code: '500' }).inc(4); // 13 / 11.208
  await engine.tick();
  s = await one(engine);
  assert.equal(alert(s, 'SLOErrorBudgetConsumed', '100'), 'firing');
  assert.equal(alert(s, 'SLOErrorBudgetBurn', 'page'), 'inactive');
  const lines = dest.records().map((r) => `${r['level']} ${r['msg']} ${r['alertname']} ${r['severity']}`);
  assert.deepEqual(lines, [
    'warn SLO alert firing SLOErrorBudgetConsumed warning',
    'info SLO alert resolved SLOErrorBudgetConsumed warning',
    'warn SLO alert firing SLOErrorBudgetConsumed warning',
    'warn SLO alert firing SLOErrorBudgetConsumed critical',
    'warn SLO alert firing SLOErrorBudgetConsumed page',
  ]);
  assert.equal(dest.records()[0]!['slo'], 'availability');
  await engine.stop();
});

test('the sightline_slo_* gauges are rendered by the registry, absent where the value is null', async () => {
  const { engine, registry, ok, fail, clock: c } = setup([availability(), availability({ name: 'quiet', metric: 'nothing_total' })]);
  ok(990);
  fail(10);
  await engine.tick();
  c.set(T0 + 10 * MINUTE);
  await engine.tick();
  const m = numericSamples(await registry.render());
  const l = 'service="checkout",slo="availability"';
  assert.equal(m.get(`sightline_slo_objective_ratio{${l}}`), 0.999);
  assert.equal(m.get(`sightline_slo_sli_ratio{${l}}`), 0.99);
  assert.equal(m.get(`sightline_slo_error_budget_remaining_ratio{${l}}`), -9);
  assert.equal(m.get(`sightline_slo_burn_rate{${l},window="5m"}`), undefined, 'no events in the last 5 minutes');
  assert.equal(m.get(`sightline_slo_burn_rate{${l},window="30m"}`), 10);
  assert.equal(m.get(`sightline_slo_burn_rate{${l},window="3d"}`), 10);
  const q = 'service="checkout",slo="quiet"';
  assert.equal(m.get(`sightline_slo_objective_ratio{${q}}`), 0.999);
  assert.equal(m.get(`sightline_slo_sli_ratio{${q}}`), undefined);
  assert.equal(m.get(`sightline_slo_error_budget_remaining_ratio{${q}}`), 1);
  await engine.stop();
});

/** A store double: keeps the last absolute counts saved per minute; fails saves while `failing`. */
class FlakyStore implements SloStore {
  readonly kind = 'memory' as const;
  readonly description = 'flaky';
  failing: 'no' | 'false' | 'reject' = 'no';
  saves = 0;
  closed = 0;
  readonly saved = new Map<string, Map<number, MinuteCounts>>();
  opened: readonly StoreSlo[] = [];
  own = new Map<string, MinuteCounts[]>();
  others = new Map<string, MinuteCounts[]>();

  open(slos: readonly StoreSlo[]): Promise<{ own: Map<string, MinuteCounts[]>; others: Map<string, MinuteCounts[]> }> {
    this.opened = slos;
    return Promise.resolve({ own: this.own, others: this.others });
  }

  save(changes: ReadonlyMap<string, readonly MinuteCounts[]>): Promise<boolean> {
    this.saves++;
    if (this.failing === 'false') return Promise.resolve(false);
    if (this.failing === 'reject') return Promise.reject(new Error('disk full'));
    for (const [id, list] of changes) {
      let m = this.saved.get(id);
      if (m === undefined) this.saved.set(id, (m = new Map()));
      for (const c of list) m.set(c.minute, c);
    }
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  totals(id: string): { bad: number; total: number } {
    let bad = 0;
    let total = 0;
    for (const c of this.saved.get(id)?.values() ?? []) {
      bad += c.bad;
      total += c.total;
    }
    return { bad, total };
  }
}

test('a store that fails to save: minutes stay dirty and are saved later with absolute counts', async () => {
  const store = new FlakyStore();
  const { engine, ok, fail, clock: c } = setup([availability()], { store });
  ok(10);
  await engine.tick();
  assert.deepEqual(store.totals('checkout-availability'), { bad: 0, total: 10 });
  store.failing = 'false';
  ok(5);
  fail(1);
  await engine.tick();
  c.advance(MINUTE);
  store.failing = 'reject';
  ok(7);
  await engine.tick();
  let s = await one(engine);
  assert.deepEqual(s.store, { kind: 'memory', healthy: false });
  assert.deepEqual(s.events, { total: 23, bad: 1 });
  store.failing = 'no';
  await engine.tick();
  assert.deepEqual(store.totals('checkout-availability'), { bad: 1, total: 23 });
  assert.deepEqual([...store.saved.get('checkout-availability')!.keys()], [T0 / MINUTE, T0 / MINUTE + 1]);
  s = await one(engine);
  assert.equal(s.store.healthy, true);
  const saves = store.saves;
  await engine.tick(); // nothing changed: nothing saved
  assert.equal(store.saves, saves);
  await engine.stop();
  await engine.stop();
  assert.equal(store.closed, 1);
});

test('own minutes loaded from the store seed the rings; other instances are added (open and pull)', async () => {
  const store = new FlakyStore() as FlakyStore & { pull?: () => Promise<Map<string, MinuteCounts[]> | undefined> };
  const m0 = T0 / MINUTE;
  store.own.set('checkout-availability', [{ minute: m0 - 10, bad: 2, total: 100 }, { minute: m0 - 60 * 24 * 31, bad: 50, total: 50 }]);
  store.others.set('checkout-availability', [{ minute: m0 - 5, bad: 1, total: 50 }]);
  let pulled: Map<string, MinuteCounts[]> | undefined = new Map([['checkout-availability', [{ minute: m0 - 5, bad: 3, total: 60 }]]]);
  store.pull = () => Promise.resolve(pulled);
  const { engine, ok } = setup([availability()], { store });
  engine.start();
  await engine.ready();
  let s = await one(engine);
  assert.deepEqual(s.events, { total: 160, bad: 5 }, 'the minute older than the retention is dropped; the pulled minute replaces the opened one');
  assert.equal(store.opened[0]!.retentionMinutes, 43_201);
  assert.equal(store.opened[0]!.histBuckets, 0);
  pulled = undefined; // unreachable
  ok(1);
  await engine.tick();
  s = await one(engine);
  assert.deepEqual(s.events, { total: 161, bad: 5 });
  assert.equal(s.store.healthy, false);
  assert.deepEqual(store.totals('checkout-availability'), { bad: 0, total: 1 }, 'only own new counts of the current minute are saved');
  await engine.stop();
});

test('latency minutes are saved with their per-bucket histogram', async () => {
  const store = new FlakyStore();
  const registry = quiet();
  const h = registry.histogram({ name: 'http_request_duration_seconds', help: 'Latency', buckets: [0.1, 0.25, 0.5, 1] });
  const engine = new SloEngine({ registry, slos: [latency()], store, now: () => T0 + 5_000 });
  h.observe(0.2);
  h.observe(3);
  await engine.tick();
  assert.equal(store.opened[0]!.histBuckets, 5);
  assert.deepEqual([...store.saved.get('checkout-latency')!.values()], [{ minute: T0 / MINUTE, bad: 1, total: 2, hist: [0, 1, 0, 0, 1] }]);
  await engine.stop();
});

test('start, ready and stop: stop runs a last tick and is idempotent; the default store is memory', async () => {
  const { engine, ok } = setup();
  engine.start();
  engine.start();
  await engine.ready();
  ok(3);
  await engine.stop();
  const s = await one(engine);
  assert.deepEqual(s.events, { total: 3, bad: 0 });
  assert.deepEqual(s.store, { kind: 'memory', healthy: true });
  assert.equal(s.updatedAt, new Date(T0).toISOString());
  await engine.stop();
  await engine.tick(); // after stop: nothing
});

test('a store that cannot be opened is reported; the engine keeps state in memory', async () => {
  const store: SloStore = {
    kind: 'sqlite',
    description: 'sqlite:/nonexistent/x.sqlite',
    open: () => Promise.reject(new Error('cannot open')),
    save: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
  const { engine, ok } = setup([availability()], { store });
  ok(2);
  await engine.ready();
  const s = await one(engine);
  assert.deepEqual(s.events, { total: 2, bad: 0 });
  assert.deepEqual(s.store, { kind: 'sqlite', healthy: false });
  await engine.stop();
});

test('engine options are checked', () => {
  const registry = quiet();
  assert.throws(() => new SloEngine({ registry, slos: [], intervalMs: 0 }), { code: 'SL_ERR_SLO_ENGINE_OPTION' });
  assert.throws(() => new SloEngine({ registry: {} as Registry, slos: [] }), { code: 'SL_ERR_SLO_ENGINE_OPTION' });
  assert.throws(() => new SloEngine({ registry, slos: [availability(), availability()] }), { code: 'SL_ERR_SLO_ENGINE_OPTION' });
  assert.ok(new SloEngine({ registry, slos: [], store: new MemoryStore() }));
});

test('rolling windows of other lengths: retention and budget minutes', async () => {
  const store = new FlakyStore();
  const registry = quiet();
  const engine = new SloEngine({ registry, slos: [availability({ window: rolling('7d') }), availability({ name: 'q', window: calendar('quarter') }), availability({ name: 'd', window: rolling('1d'), objective: 0.99 })], store, now: () => T0 });
  await engine.ready();
  assert.deepEqual(store.opened.map((s) => s.retentionMinutes), [7 * 1440 + 1, 92 * 1440 + 1, 3 * 1440 + 1]);
  const [w, q, d] = await engine.status();
  assert.equal(w!.errorBudget.totalMinutes, 10.08);
  assert.equal(q!.errorBudget.totalMinutes, 131.04); // Q1 2024: 91 days
  assert.equal(d!.errorBudget.totalMinutes, 14.4);
  await engine.stop();
});
