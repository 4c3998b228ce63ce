// The in-process engine and the generated Prometheus rules agree: the same synthetic counter series
// go into SloEngine (a real Registry, an injected clock ticking on minute boundaries) and into
// `promtool test rules` (one sample a minute). The engine's status at each checked minute becomes
// the promtool test's expectations: every window's error ratio (to 1e-9), the window's ratio and
// consumed share, and the firing alerts with their labels and values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'sightline/metrics';
import { BURN_CONDITIONS, SloEngine, burnFactor, prometheusRulesFor, resolveSlos } from 'sightline/slo';
import type { BurnWindow, ResolvedSlo, SloStatus } from 'sightline/slo';
import { requireBinary } from '../support/prometheus.js';
import { labelText, near, promtoolTestRules, times } from '../support/promtool-test.js';
import type { AlertCheck, ExprCheck, InputSeries, PromtoolTestCase } from '../support/promtool-test.js';

const MINUTE = 60_000;
/** A minute boundary: 2024-03-10T00:00:00Z. */
const T0 = Date.UTC(2024, 2, 10);
const WINDOWS: readonly BurnWindow[] = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const METRIC = 'http_requests_total';

/** The three series, by their labels. */
const SERIES = [
  { code: '200', instance: 'a' },
  { code: '500', instance: 'a' },
  { code: '200', instance: 'b' },
] as const;

interface Minute {
  /** Per-minute increments of the three series. */
  inc: [number, number, number];
  /** The third series restarts this minute: its counter starts again from 0 before the increment. */
  resetB?: boolean;
}

/**
 * 420 minutes, 1,000 requests a minute unless idle:
 * - 1–180: 0.2% errors (burn rate 0.2: under every factor);
 * - 181–190: 30% errors (ticket from 181, budget 50/75/100% from 182/184/185, page from 187);
 * - 191–350: 4,000 good requests a minute (page resolves at 203; the budget alerts resolve one by
 *   one as good traffic dilutes the window, each 5 points under its threshold: 231, 263, 330;
 *   ticket holds on 6h and 3d);
 * - 351–390: no requests (5m and 30m windows without events);
 * - 391–420: 1% errors, and instance b restarts at 391 (its counter falls to 300).
 */
function scenario(): Minute[] {
  return [
    ...times<Minute>(180, { inc: [498, 2, 500] }),
    ...times<Minute>(10, { inc: [200, 300, 500] }),
    ...times<Minute>(160, { inc: [2000, 0, 2000] }),
    ...times<Minute>(40, { inc: [0, 0, 0] }),
    { inc: [495, 5, 300], resetB: true },
    ...times<Minute>(29, { inc: [495, 5, 500] }),
  ];
}

/** Cumulative values per series at sample 0 … N, as promtool and a scraper would read them. */
function cumulative(minutes: readonly Minute[]): number[][] {
  const out: number[][] = [[0, 0, 0]];
  for (const m of minutes) {
    const prev = out.at(-1) ?? [0, 0, 0];
    out.push(prev.map((v, i) => (i === 2 && m.resetB === true ? 0 : v) + (m.inc[i] ?? 0)));
  }
  return out;
}

function slos(): ResolvedSlo[] {
  return resolveSlos(
    [{ name: 'availability', objective: 99, window: '7d', minEvents: 5, sli: { availability: { metric: METRIC, bad: { code: '5..' } } } }],
    { service: 'checkout' },
  );
}

/** Runs the engine over the scenario; the status right after each tick, by minute. */
async function engineStatuses(slo: ResolvedSlo, values: readonly number[][], minutes: readonly Minute[]): Promise<SloStatus[]> {
  const registry = new Registry({ onWarning: () => undefined });
  const requests = registry.counter({ name: METRIC, help: 'Requests', labelNames: ['code', 'instance'] });
  let t = T0;
  const engine = new SloEngine({ registry, slos: [slo], now: () => t });
  const out: SloStatus[] = [];
  for (let m = 0; m < values.length; m++) {
    t = T0 + m * MINUTE;
    SERIES.forEach((labels, i) => {
      const target = values[m]?.[i] ?? 0;
      const prev = m === 0 ? 0 : (values[m - 1]?.[i] ?? 0);
      if (m > 0 && minutes[m - 1]?.resetB === true && i === 2) {
        // A restart: the series goes away and comes back counting from 0.
        requests.remove(labels);
        requests.labels(labels).inc(target);
      } else if (m === 0 || target > prev) {
        requests.labels(labels).inc(target - prev);
      }
    });
    await engine.tick();
    const [s] = await engine.status();
    assert.ok(s !== undefined);
    out.push(s);
  }
  await engine.stop();
  return out;
}

function ids(s: ResolvedSlo): Record<string, string> {
  return { sloth_id: s.id, sloth_service: s.service, sloth_slo: s.name };
}

/** The expectations of one minute, from the engine's status then. */
function expectations(slo: ResolvedSlo, s: SloStatus, m: number): { exprs: ExprCheck[]; alerts: AlertCheck[] } {
  const at = `${m}m`;
  const b = slo.errorBudget;
  const exprs: ExprCheck[] = [];
  for (const w of WINDOWS) {
    const rate = s.burnRates[w];
    const expr = `slo:sli_error:ratio_rate${w}`;
    if (rate === null) exprs.push({ at, expr, samples: [] });
    else exprs.push(near(at, expr, { ...ids(slo), sloth_window: w }, rate * b));
  }
  const win = slo.window.text;
  if (s.events.total === 0) exprs.push({ at, expr: `slo:sli_error:ratio_rate${win}`, samples: [] });
  else {
    exprs.push(near(at, `slo:sli_error:ratio_rate${win}`, { ...ids(slo), sloth_window: win }, s.events.bad / s.events.total));
    exprs.push(near(at, 'slo:period_burn_rate:ratio', ids(slo), s.errorBudget.consumedRatio));
  }
  const firing = s.alerts.filter((a) => a.state === 'firing');
  exprs.push({
    at,
    expr: `ALERTS{alertstate="firing", sloth_id="${slo.id}"}`,
    samples: firing.map((a) => ({ labels: labelText('ALERTS', { alertname: a.alertname, alertstate: 'firing', ...a.labels }), value: 1 })),
  });
  const alerts: AlertCheck[] = ['SLOErrorBudgetBurn', 'SLOErrorBudgetConsumed'].map((alertname) => ({
    at,
    alertname,
    alerts: firing.filter((a) => a.alertname === alertname).map((a) => ({ labels: a.labels, value: alertValue(slo, s, a.alertname, a.severity) })),
  }));
  return { exprs, alerts };
}

/** The value the rule gives a firing alert: the short window's burn rate of the first condition that holds, or the consumed share. */
function alertValue(slo: ResolvedSlo, s: SloStatus, alertname: string, severity: string): number {
  if (alertname === 'SLOErrorBudgetConsumed') return s.errorBudget.consumedRatio;
  for (const c of BURN_CONDITIONS.filter((x) => x.severity === severity)) {
    const f = burnFactor(c, slo.window.ms);
    const short = s.burnRates[c.short];
    const long = s.burnRates[c.long];
    if (short !== null && long !== null && short > f && long > f) return short;
  }
  throw new Error(`${alertname} ${severity} fires at ${s.updatedAt ?? '?'} but no condition holds`);
}

interface Built {
  rules: string;
  slo: ResolvedSlo;
  statuses: SloStatus[];
  checked: number[];
  testCase: PromtoolTestCase;
}

async function build(): Promise<Built> {
  const [slo] = slos();
  assert.ok(slo !== undefined);
  const minutes = scenario();
  const values = cumulative(minutes);
  const statuses = await engineStatuses(slo, values, minutes);
  const series: InputSeries[] = SERIES.map((labels, i) => ({
    series: labelText(METRIC, labels),
    values: values.map((v) => String(v[i] ?? 0)).join(' '),
  }));
  // Every minute. The group of the day-long records has `interval: 2m`, but promtool 2.42 evaluates
  // every group at each evaluation_interval step (1m), so its records are fresh at odd minutes too.
  const checked: number[] = [];
  for (let m = 1; m < values.length; m++) checked.push(m);
  const exprs: ExprCheck[] = [];
  const alerts: AlertCheck[] = [];
  for (const m of checked) {
    const s = statuses[m];
    assert.ok(s !== undefined);
    const e = expectations(slo, s, m);
    exprs.push(...e.exprs);
    alerts.push(...e.alerts);
  }
  return { rules: prometheusRulesFor([slo]), slo, statuses, checked, testCase: { name: 'agreement', series, exprs, alerts } };
}

function firingAt(s: SloStatus | undefined): string[] {
  return (s?.alerts ?? []).filter((a) => a.state === 'firing').map((a) => `${a.alertname}:${a.labels['sloth_severity'] ?? a.labels['budget_consumed'] ?? ''}`).sort();
}

test('agreement: the engine and promtool give the same ratios of every window and the same alerts, minute by minute', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const { rules, statuses, testCase, checked } = await build();

  // The scenario does what it is meant to do (in the engine): it pages, fires and resolves every
  // budget alert, goes idle and comes back.
  assert.deepEqual(firingAt(statuses[180]), []);
  assert.deepEqual(firingAt(statuses[186]), ['SLOErrorBudgetBurn:ticket', 'SLOErrorBudgetConsumed:100', 'SLOErrorBudgetConsumed:50', 'SLOErrorBudgetConsumed:75']);
  assert.deepEqual(firingAt(statuses[190]), ['SLOErrorBudgetBurn:page', 'SLOErrorBudgetBurn:ticket', 'SLOErrorBudgetConsumed:100', 'SLOErrorBudgetConsumed:50', 'SLOErrorBudgetConsumed:75']);
  assert.deepEqual(firingAt(statuses[350]), ['SLOErrorBudgetBurn:ticket']);
  assert.deepEqual(firingAt(statuses[185]), ['SLOErrorBudgetBurn:ticket', 'SLOErrorBudgetConsumed:100', 'SLOErrorBudgetConsumed:50', 'SLOErrorBudgetConsumed:75']);
  assert.deepEqual(firingAt(statuses[300]), ['SLOErrorBudgetBurn:ticket', 'SLOErrorBudgetConsumed:50']);
  assert.equal(statuses[385]?.burnRates['30m'], null);
  assert.equal(statuses[385]?.burnRates['5m'], null);
  assert.notEqual(statuses[385]?.burnRates['1h'], null);
  assert.equal(checked.length, 420);
  assert.equal(testCase.exprs?.length, 4200);
  assert.equal(testCase.alerts?.length, 840);

  const r = await promtoolTestRules(promtool, rules, [testCase]);
  assert.ok(r.ok, `promtool disagrees with the engine:\n${r.output.slice(0, 20_000)}`);
});

test('agreement: the comparison can fail (a ratio off by 1e-6, an alert the engine did not fire)', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const { rules, slo, statuses, testCase } = await build();
  const s = statuses[188];
  assert.ok(s !== undefined);
  const rate = s.burnRates['5m'];
  assert.ok(rate !== null);
  const wrongRatio: PromtoolTestCase = { ...testCase, exprs: [near('188m', 'slo:sli_error:ratio_rate5m', { ...ids(slo), sloth_window: '5m' }, rate * slo.errorBudget + 1e-6)], alerts: [] };
  const r1 = await promtoolTestRules(promtool, rules, [wrongRatio]);
  assert.equal(r1.ok, false, r1.output);
  assert.match(r1.output, /ratio_rate5m/);
  // Nothing fires at minute 100; expecting the page alert there must fail.
  const wrongAlert: PromtoolTestCase = {
    ...testCase,
    exprs: [],
    alerts: [{ at: '100m', alertname: 'SLOErrorBudgetBurn', alerts: [{ labels: { ...ids(slo), sloth_severity: 'page' }, value: 0.2 }] }],
  };
  const r2 = await promtoolTestRules(promtool, rules, [wrongAlert]);
  assert.equal(r2.ok, false, r2.output);
  assert.match(r2.output, /SLOErrorBudgetBurn/);
});
