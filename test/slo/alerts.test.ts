// The alert conditions as a pure function of window sums and previous states: burn factors derived
// from the SLO window (7d, 28d, 30d, 90d) fire just above and not at or below the factor, minEvents,
// budget-consumed thresholds with hysteresis, and an engine paging from real counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'sightline/metrics';
import { BURN_CONDITIONS, BUDGET_HYSTERESIS, SloEngine, burnFactor } from 'sightline/slo';
import type { BurnWindow, SloAlertStatus } from 'sightline/slo';
import { burnRate, conditionFires, emptyAlertInput, evaluateAlerts } from '../../src/slo/alerts.js';
import type { AlertInput, AlertWindowSum } from '../../src/slo/alerts.js';
import { BURN_WINDOWS } from '../../src/slo/types.js';
import { availability, clock, MINUTE, rolling } from './fixtures.js';

const T0 = Date.UTC(2024, 2, 10);

function input(over: Partial<Record<BurnWindow, AlertWindowSum>>, consumedRatio = 0): AlertInput {
  const windows = { ...emptyAlertInput().windows, ...over };
  return { windows, consumedRatio };
}

function state(alerts: readonly SloAlertStatus[], alertname: string, label: string): string {
  return alerts.find((a) => a.alertname === alertname && (a.labels['sloth_severity'] === label || a.labels['budget_consumed'] === label))!.state;
}

const EXPECTED: Record<string, number[]> = {
  '7d': [3.36, 1.4, 0.7, 0.233333333333],
  '28d': [13.44, 5.6, 2.8, 0.933333333333],
  '30d': [14.4, 6, 3, 1],
  '90d': [43.2, 18, 9, 3],
};

for (const [w, factors] of Object.entries(EXPECTED)) {
  test(`${w} window: burn factors ${factors.join(', ')}; each condition fires just above its factor, not at or below`, () => {
    const slo = availability({ window: rolling(w) });
    BURN_CONDITIONS.forEach((c, i) => {
      const f = burnFactor(c, slo.window.ms);
      assert.equal(f, factors[i]);
      const total = 1e6;
      const at = f * slo.errorBudget * total;
      for (const [scale, expected] of [[1 + 1e-9, 'firing'], [1, 'inactive'], [1 - 1e-9, 'inactive']] as const) {
        const sum = { bad: at * scale, total, events: total };
        const inp = input({ [c.long]: sum, [c.short]: sum });
        assert.equal(conditionFires(slo, c, inp.windows), expected === 'firing', `${c.long}/${c.short} × ${scale}`);
        const { alerts } = evaluateAlerts(slo, inp, undefined, T0);
        assert.equal(state(alerts, 'SLOErrorBudgetBurn', c.severity), expected, `${c.severity} ${c.long}/${c.short} × ${scale}`);
        const other = c.severity === 'page' ? 'ticket' : 'page';
        // Only this condition's windows burn, so the other severity stays quiet (a ticket never follows from page windows alone).
        if (c.severity === 'ticket') assert.equal(state(alerts, 'SLOErrorBudgetBurn', other), 'inactive');
      }
      // Both windows are needed: the long one alone does not fire.
      assert.equal(conditionFires(slo, c, input({ [c.long]: { bad: total, total, events: total } }).windows), false);
    });
  });
}

test('minEvents: a condition needs that many events in each of its windows', () => {
  const slo = availability({ minEvents: 10 });
  const c = BURN_CONDITIONS[0]!;
  const nine = { bad: 9, total: 9, events: 9 };
  const ten = { bad: 10, total: 10, events: 10 };
  assert.equal(conditionFires(slo, c, input({ '1h': ten, '5m': nine }).windows), false);
  assert.equal(conditionFires(slo, c, input({ '1h': ten, '5m': ten }).windows), true);
  assert.equal(conditionFires(availability({ minEvents: 0 }), c, input({ '1h': { bad: 0, total: 0, events: 0 }, '5m': { bad: 0, total: 0, events: 0 } }).windows), false, 'no events is no burn');
});

test('burnRate: null without events, rounded to 12 significant digits', () => {
  assert.equal(burnRate({ bad: 0, total: 0, events: 0 }, 0.001), null);
  assert.equal(burnRate({ bad: 1, total: 1000, events: 1000 }, 1 - 0.999), 1);
});

test('budget consumed: 50/75/100 fire at the threshold and resolve only below threshold − hysteresis (no flapping)', () => {
  const slo = availability();
  let prev: SloAlertStatus[] | undefined;
  const seen: string[] = [];
  const series = [0.49, 0.5, 0.499, 0.47, 0.4501, 0.5, 0.45, 0.4499, 0.4999, 0.5, 0.76, 0.71, 0.7, 0.69999, 1, 0.96, 0.9499];
  let t = T0;
  for (const consumed of series) {
    const ev = evaluateAlerts(slo, input({}, consumed), prev, t);
    prev = ev.alerts;
    seen.push(['50', '75', '100'].map((l) => (state(ev.alerts, 'SLOErrorBudgetConsumed', l) === 'firing' ? l : '-')).join(' '));
    t += MINUTE;
  }
  assert.equal(BUDGET_HYSTERESIS, 0.05);
  assert.deepEqual(seen, [
    '- - -', '50 - -', '50 - -', '50 - -', '50 - -', '50 - -', '50 - -', '- - -', '- - -', '50 - -',
    '50 75 -', '50 75 -', '50 75 -', '50 - -', '50 75 100', '50 75 100', '50 75 -',
  ]);
});

test('activeAt is when firing began and stays; transitions are reported once', () => {
  const slo = availability();
  const a = evaluateAlerts(slo, input({}, 0.6), undefined, T0);
  assert.equal(a.transitions.length, 1);
  const b = evaluateAlerts(slo, input({}, 0.6), a.alerts, T0 + MINUTE);
  assert.equal(b.transitions.length, 0);
  assert.equal(b.alerts.find((x) => x.severity === 'warning')!.activeAt, new Date(T0).toISOString());
  const c = evaluateAlerts(slo, input({}, 0.1), b.alerts, T0 + 2 * MINUTE);
  assert.equal(c.transitions.length, 1);
  assert.equal(c.transitions[0]!.state, 'inactive');
  assert.equal(c.transitions[0]!.activeAt, undefined);
  assert.deepEqual(c.alerts.map((x) => `${x.alertname}/${x.severity}`), [
    'SLOErrorBudgetBurn/page', 'SLOErrorBudgetBurn/ticket',
    'SLOErrorBudgetConsumed/warning', 'SLOErrorBudgetConsumed/critical', 'SLOErrorBudgetConsumed/page',
  ]);
  assert.deepEqual(c.alerts[0]!.labels, { sloth_id: 'checkout-availability', sloth_service: 'checkout', sloth_slo: 'availability', sloth_severity: 'page' });
});

test('engine: steady errors from real counters page at 15× budget, ticket only at 5×, nothing at 0.9×', async () => {
  for (const [errorsPer10k, page, ticket] of [[150, 'firing', 'firing'], [50, 'inactive', 'firing'], [9, 'inactive', 'inactive']] as const) {
    const registry = new Registry({ onWarning: () => undefined });
    const requests = registry.counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['code'] });
    const c = clock(T0);
    const engine = new SloEngine({ registry, slos: [availability()], now: c.now });
    for (let minute = 1; minute <= 10; minute++) {
      c.set(T0 + minute * MINUTE);
      requests.labels({ code: '200' }).inc(10_000 - errorsPer10k);
      requests.labels({ code: '500' }).inc(errorsPer10k);
      await engine.tick();
    }
    const [s] = await engine.status();
    assert.equal(state(s!.alerts, 'SLOErrorBudgetBurn', 'page'), page, `${errorsPer10k}/10k page`);
    assert.equal(state(s!.alerts, 'SLOErrorBudgetBurn', 'ticket'), ticket, `${errorsPer10k}/10k ticket`);
    assert.equal(s!.burnRates['5m'], errorsPer10k / 10);
    await engine.stop();
  }
});

test('every burn window is reported', () => {
  assert.deepEqual(Object.keys(emptyAlertInput().windows), [...BURN_WINDOWS]);
});
