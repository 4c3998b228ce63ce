import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { prometheusRules, prometheusRulesFor } from 'sightline/slo';
import { SightlineError } from 'sightline';
import { leRegex, promDuration, ruleGroupNames } from '../../src/slo/rules.js';
import type { ResolvedSlo } from '../../src/slo/types.js';
import { BURN_CONDITIONS, burnFactor } from '../../src/slo/windows.js';
import { SIGHTLINE_VERSION } from '../../src/version.js';
import { requireBinary } from '../support/prometheus.js';
import { counterValues, labelText, near, promtoolCheckRules, promtoolTestRules, times } from '../support/promtool-test.js';
import type { AlertCheck, ExprCheck, InputSeries, PromtoolTestCase } from '../support/promtool-test.js';
import { availabilitySli, eventsSli, latencySli, rolling, slo } from './rule-fixtures.js';

const DAY = 86_400_000;

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  interval?: string;
  rules: Rule[];
}

function groupsOf(text: string): Group[] {
  return (parse(text, { version: '1.1' }) as { groups: Group[] }).groups;
}

function ids(s: ResolvedSlo): Record<string, string> {
  return { sloth_id: s.id, sloth_service: s.service, sloth_slo: s.name };
}

/** The labels text of a recorded series of `s` (window records carry sloth_window). */
function rec(name: string, s: ResolvedSlo, window?: string): string {
  return labelText(name, window === undefined ? ids(s) : { ...ids(s), sloth_window: window });
}

function burn(s: ResolvedSlo, severity: 'page' | 'ticket', value: number): { labels: Record<string, string>; value: number } {
  return { labels: { ...ids(s), sloth_severity: severity }, value };
}

function consumed(s: ResolvedSlo, label: '50' | '75' | '100', value: number): { labels: Record<string, string>; value: number } {
  const severity = { '50': 'warning', '75': 'critical', '100': 'page' }[label];
  return { labels: { ...ids(s), budget_consumed: label, severity }, value };
}

/** Both alert names at one time. */
function alertsAt(at: string, burnAlerts: AlertCheck['alerts'], consumedAlerts?: AlertCheck['alerts']): AlertCheck[] {
  const out: AlertCheck[] = [{ at, alertname: 'SLOErrorBudgetBurn', alerts: burnAlerts }];
  if (consumedAlerts !== undefined) out.push({ at, alertname: 'SLOErrorBudgetConsumed', alerts: consumedAlerts });
  return out;
}

/** `{code="200"}` and `{code="500"}` of `metric` from per-minute good and bad counts. */
function statusSeries(metric: string, good: readonly (number | null)[], bad: readonly (number | null)[] | undefined, extra = ''): InputSeries[] {
  const out = [{ series: `${metric}{http_response_status_code="200"${extra}}`, values: counterValues(0, good) }];
  if (bad !== undefined) out.push({ series: `${metric}{http_response_status_code="500"${extra}}`, values: counterValues(0, bad) });
  return out;
}

async function expectPass(t: TestContext, rules: string, cases: PromtoolTestCase[]): Promise<void> {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const r = await promtoolTestRules(promtool, rules, cases);
  assert.ok(r.ok, `promtool test rules failed:\n${r.output}\n--- test file ---\n${r.testFile}`);
}

// ---------------------------------------------------------------------------------------------
// Text

test('leRegex: matches the usual spellings of a bucket bound and nothing else', () => {
  const cases: [number, string[], string[]][] = [
    [1, ['1', '1.0', '1.00', '1e+00', '1e0', '1E+0', '1.0e+00'], ['10', '0.1', '1.01', '11', '1e+01', '+Inf', '']],
    [0.25, ['0.25', '0.250', '.25', '2.5e-01', '2.5E-1', '2.50e-1'], ['0.025', '2.5', '0.251', '25e-2x', '0.2']],
    [0.005, ['0.005', '0.0050', '5e-03', '5e-3', '5.0e-03'], ['0.05', '0.0005', '5e-02', '5e+03']],
    [2.5, ['2.5', '2.50', '2.5e+00', '2.5e0'], ['25', '0.25', '2.05']],
    [10, ['10', '10.0', '1e+01', '1.0e1'], ['1', '100', '1.0', '0.10']],
    [2_500_000, ['2500000', '2500000.0', '2.5e+06', '2.5e6'], ['250000', '2.5e+05']],
    [1e-7, ['0.0000001', '1e-07', '1e-7', '1.0e-07'], ['0.000001', '1e-06', '1e+07']],
    [0, ['0', '0.0', '0e+00'], ['1', '0.1']],
    [-0.5, ['-0.5', '-0.50', '-5e-01'], ['0.5', '-5']],
  ];
  for (const [bound, yes, no] of cases) {
    const re = new RegExp(`^(?:${leRegex(bound)})$`);
    for (const s of yes) assert.ok(re.test(s), `${bound}: ${s} should match ${leRegex(bound)}`);
    for (const s of no) assert.ok(!re.test(s), `${bound}: ${s} should not match ${leRegex(bound)}`);
  }
  assert.throws(() => leRegex(Number.POSITIVE_INFINITY), RangeError);
});

test('promDuration: Prometheus duration text', () => {
  assert.equal(promDuration(5 * 60_000), '5m');
  assert.equal(promDuration(DAY), '1d');
  assert.equal(promDuration(7 * DAY), '1w');
  assert.equal(promDuration(28 * DAY), '4w');
  assert.equal(promDuration(30 * DAY), '30d');
  assert.equal(promDuration(90 * DAY), '90d');
  assert.equal(promDuration(365 * DAY), '1y');
  assert.equal(promDuration(30 * DAY - 1000), '29d23h59m59s');
  assert.equal(promDuration(0), '0s');
});

test('rule file: header, Sloth names and labels, groups and intervals, deterministic', () => {
  const a = slo();
  const text = prometheusRulesFor([a]);
  assert.equal(prometheusRulesFor([a]), text, 'same input, same bytes');
  assert.equal(prometheusRules([a]), text);
  assert.match(text, /^# Prometheus rules for 1 SLO of checkout, generated by sightline \d+\.\d+\.\d+\S* \(sightline rules\)\.\n# Do not edit/);
  assert.doesNotMatch(text, /[&*]a\d/, 'no YAML anchors or aliases');
  const groups = groupsOf(text);
  const names = ruleGroupNames(a.id);
  assert.deepEqual(groups.map((g) => [g.name, g.interval]), [
    [names.sli, undefined], [names.sliLong, '2m'], [names.meta, undefined], [names.alerts, undefined],
  ]);
  const records = groups.flatMap((g) => g.rules).filter((r) => r.record !== undefined);
  const windows = (prefix: string): string[] => records.filter((r) => r.record?.startsWith(prefix) === true).map((r) => r.labels['sloth_window'] ?? '');
  assert.deepEqual(windows('slo:sli_error:ratio_rate'), ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
  assert.deepEqual(windows('slo:sli_events:increase'), ['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  for (const r of records.filter((x) => x.record?.startsWith('slo:sli_') === true)) assert.equal(r.record, `${r.record?.replace(/\d+[mhdw]$/, '')}${r.labels['sloth_window']}`);
  // The long group holds every range of a day or more.
  assert.deepEqual(groups[1]?.rules.map((r) => r.labels['sloth_window']), ['1d', '3d', '30d', '1d', '3d']);
  assert.deepEqual(groups[2]?.rules.map((r) => r.record), [
    'slo:objective:ratio', 'slo:error_budget:ratio', 'slo:time_period:days', 'slo:current_burn_rate:ratio',
    'slo:period_burn_rate:ratio', 'slo:period_error_budget_remaining:ratio', 'sloth_slo_info',
  ]);
  for (const r of groups.flatMap((g) => g.rules)) {
    assert.equal(r.labels['sloth_id'], 'checkout-availability');
    assert.equal(r.labels['sloth_service'], 'checkout');
    assert.equal(r.labels['sloth_slo'], 'availability');
  }
  const info = groups[2]?.rules.at(-1);
  assert.equal(info?.labels['sloth_objective'], '99.9');
  assert.equal(info?.labels['sloth_mode'], 'cli-gen-prom');
  const alerts = groups[3]?.rules ?? [];
  assert.deepEqual(alerts.map((r) => [r.alert, r.labels['sloth_severity'] ?? r.labels['budget_consumed'], r.labels['severity']]), [
    ['SLOErrorBudgetBurn', 'page', undefined], ['SLOErrorBudgetBurn', 'ticket', undefined],
    ['SLOErrorBudgetConsumed', '50', 'warning'], ['SLOErrorBudgetConsumed', '75', 'critical'], ['SLOErrorBudgetConsumed', '100', 'page'],
  ]);
  for (const r of alerts) {
    assert.match(r.annotations?.['summary'] ?? '', /\{\{ \$labels\.sloth_service \}\}/);
    assert.match(r.annotations?.['description'] ?? '', /\{\{ \$value \| humanize(?:Percentage)? \}\}/);
  }
  // Traffic-weighted, rate before sum: increase() inside sum(), never an average of ratios.
  const r30d = records.find((r) => r.record === 'slo:sli_error:ratio_rate30d');
  assert.match(r30d?.expr ?? '', /sum\(increase\(http_server_requests_total\{http_response_status_code=~"5\.\."\}\[30d\]\)\) or vector\(0\)/);
  assert.match(r30d?.expr ?? '', /\(sum\(increase\(http_server_requests_total\[30d\]\)\) > 0\)/);
  assert.doesNotMatch(text, /avg_over_time|sum_over_time|count_over_time/);
});

test('rule file: burn factors derive from the window (7d, 28d, 30d, 90d)', () => {
  for (const days of [7, 28, 30, 90]) {
    const s = slo({ name: `w${days}`, window: rolling(days) });
    const groups = groupsOf(prometheusRulesFor([s]));
    const window = promDuration(days * DAY);
    assert.ok(groups[1]?.rules.some((r) => r.record === `slo:sli_error:ratio_rate${window}`), `${days}d records ${window}`);
    const [page, ticket] = groups[3]?.rules ?? [];
    for (const c of BURN_CONDITIONS) {
      const expr = (c.severity === 'page' ? page : ticket)?.expr ?? '';
      const f = String(burnFactor(c, days * DAY));
      assert.ok(expr.includes(`slo:sli_error:ratio_rate${c.short}{sloth_id="${s.id}", sloth_service="checkout", sloth_slo="${s.name}"} / 0.001 > ${f}\n`), `${days}d ${c.short}: ${f}`);
      assert.ok(expr.includes(`slo:sli_error:ratio_rate${c.long}{sloth_id="${s.id}", sloth_service="checkout", sloth_slo="${s.name}"} / 0.001 > ${f}\n`), `${days}d ${c.long}: ${f}`);
    }
  }
  const g30 = groupsOf(prometheusRulesFor([slo()]))[3]?.rules[0]?.expr ?? '';
  assert.match(g30, /> 14\.4\n[\s\S]*> 6\n/);
});

test('rule file: an SLO window of 1d or 3d is recorded once', () => {
  const s = slo({ window: rolling(3) });
  const records = groupsOf(prometheusRulesFor([s])).flatMap((g) => g.rules).filter((r) => r.record === 'slo:sli_error:ratio_rate3d');
  assert.equal(records.length, 1);
});

test('rule file: calendar windows use their nominal length and say so', () => {
  const s = slo({ window: { kind: 'calendar', text: 'month', calendar: 'month', timeZone: 'Europe/Berlin', ms: 30 * DAY } });
  const text = prometheusRulesFor([s]);
  assert.match(text, /# A Prometheus range cannot start at a calendar boundary: the month \(Europe\/Berlin\) is evaluated as a rolling 30d/);
  assert.match(text, /record: slo:sli_error:ratio_rate30d/);
});

test('rule file: two SLOs with one sloth_id are a coded error', () => {
  assert.throws(() => prometheusRulesFor([slo(), slo()]), (e: unknown) => e instanceof SightlineError && e.code === 'SL_ERR_SLO_RULES_DUPLICATE_ID' && e.field === '[1].name');
});

test('rule file: SLO descriptions are printed literally, never as template actions', () => {
  const s = slo({ description: 'checkout "API" {{ $value }}' });
  const alert = groupsOf(prometheusRulesFor([s]))[3]?.rules[0];
  assert.ok(alert?.annotations?.['description']?.endsWith(' {{ "checkout \\"API\\" {{ $value }}" }}'));
});

test('rule file: no SLOs, no groups', () => {
  assert.deepEqual(groupsOf(prometheusRulesFor([])), []);
});

// ---------------------------------------------------------------------------------------------
// promtool check rules

/** Every kind of SLO the generator writes. */
function everyKind(): ResolvedSlo[] {
  return [
    slo({ sli: availabilitySli('http_server_requests_total', { http_response_status_code: '5..|429' }, { http_route: '/checkout', job: 'checkout' }) }),
    slo({ name: 'availability-7d', window: rolling(7) }),
    slo({ name: 'availability-28d', window: rolling(28) }),
    slo({ name: 'availability-90d', window: rolling(90), objective: 0.9995, errorBudget: 0.0005 }),
    slo({ name: 'latency', objective: 0.99, errorBudget: 0.01, sli: latencySli(0.25, 'http_server_request_duration_seconds', { http_route: '/checkout' }) }),
    slo({ name: 'latency-1s', sli: latencySli(1) }),
    slo({ name: 'jobs', sli: eventsSli('jobs_succeeded', 'jobs_total', { queue: 'mail' }, { queue: 'mail' }) }),
    slo({ name: 'p95', objective: 0.99, errorBudget: 0.01, budgeting: 'timeslices', sli: latencySli(0.2, 'http_server_request_duration_seconds', {}, 95) }),
    slo({ name: 'monthly', window: { kind: 'calendar', text: 'month', calendar: 'month', timeZone: 'UTC', ms: 30 * DAY } }),
    slo({ name: 'quarterly', window: { kind: 'calendar', text: 'quarter', calendar: 'quarter', timeZone: 'UTC', ms: 90 * DAY } }),
    slo({ service: 'inventory', name: 'availability', minEvents: 0, description: 'stock "lookups"' }),
  ];
}

test('promtool check rules: every kind of SLO, alone and together, passes with no lint finding', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const all = everyKind();
  for (const rules of [...all.map((s) => prometheusRulesFor([s])), prometheusRulesFor(all)]) {
    const r = await promtoolCheckRules(promtool, rules);
    assert.equal(r.code, 0, `${r.output}\n${rules}`);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
    assert.doesNotMatch(r.output, /duplicate|lint|warning/i);
  }
  const r = await promtoolCheckRules(promtool, prometheusRulesFor(all));
  assert.match(r.stdout, new RegExp(`SUCCESS: ${all.length * 27 + 1} rules found`), '27 rules per SLO, and the timeslices record');
});

test('promtool check rules: the duplicate lint is on (control: a copied alert group fails)', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const text = prometheusRulesFor([slo()]);
  const alerts = text.slice(text.indexOf('  - name: sloth-slo-alerts-'));
  const copied = `${text}${alerts.replace('- name: sloth-slo-alerts-', '- name: copy-')}`;
  const r = await promtoolCheckRules(promtool, copied);
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /duplicate/i);
});

// ---------------------------------------------------------------------------------------------
// promtool test rules

const A = slo();

test('promtool: steady errors above the page factor fire page, ticket and every budget-consumed alert; ratios are exact', async (t) => {
  // 98 good and 2 bad requests a minute: 2% errors, burn rate 20 against 0.1%.
  const rules = prometheusRulesFor([A]);
  const series = statusSeries('http_server_requests_total', times(120, 98), times(120, 2));
  const at10 = 20 / 1000 / 0.001;
  await expectPass(t, rules, [
    {
      name: 'steady',
      series,
      alerts: [
        ...alertsAt('0m', [], []),
        ...alertsAt('10m', [burn(A, 'page', (10 / 500) / 0.001), burn(A, 'ticket', (20 / 1000) / 0.001)], [consumed(A, '50', at10), consumed(A, '75', at10), consumed(A, '100', at10)]),
        ...alertsAt('2h', [burn(A, 'page', (10 / 500) / 0.001), burn(A, 'ticket', (240 / 12000) / 0.001)]),
      ],
      exprs: [
        { at: '10m', expr: 'slo:sli_error:ratio_rate5m', samples: [{ labels: rec('slo:sli_error:ratio_rate5m', A, '5m'), value: 10 / 500 }] },
        { at: '10m', expr: 'slo:sli_error:ratio_rate30d', samples: [{ labels: rec('slo:sli_error:ratio_rate30d', A, '30d'), value: 20 / 1000 }] },
        { at: '10m', expr: 'slo:sli_events:increase5m', samples: [{ labels: rec('slo:sli_events:increase5m', A, '5m'), value: 500 }] },
        { at: '10m', expr: 'slo:sli_events:increase3d', samples: [{ labels: rec('slo:sli_events:increase3d', A, '3d'), value: 1000 }] },
        { at: '10m', expr: 'slo:current_burn_rate:ratio', samples: [{ labels: rec('slo:current_burn_rate:ratio', A), value: (10 / 500) / 0.001 }] },
        { at: '10m', expr: 'slo:period_burn_rate:ratio', samples: [{ labels: rec('slo:period_burn_rate:ratio', A), value: (20 / 1000) / 0.001 }] },
        { at: '10m', expr: 'slo:period_error_budget_remaining:ratio', samples: [{ labels: rec('slo:period_error_budget_remaining:ratio', A), value: 1 - (20 / 1000) / 0.001 }] },
        { at: '10m', expr: 'slo:objective:ratio', samples: [{ labels: rec('slo:objective:ratio', A), value: 0.999 }] },
        { at: '10m', expr: 'slo:error_budget:ratio', samples: [{ labels: rec('slo:error_budget:ratio', A), value: 0.001 }] },
        { at: '10m', expr: 'slo:time_period:days', samples: [{ labels: rec('slo:time_period:days', A), value: 30 }] },
        { at: '10m', expr: 'sloth_slo_info', samples: [{ labels: labelText('sloth_slo_info', { ...ids(A), sloth_mode: 'cli-gen-prom', sloth_objective: '99.9', sloth_spec: 'sightline/v1', sloth_version: SIGHTLINE_VERSION }), value: 1 }] },
        { at: '2h', expr: 'slo:sli_error:ratio_rate1h', samples: [{ labels: rec('slo:sli_error:ratio_rate1h', A, '1h'), value: 120 / 6000 }] },
      ],
    },
  ]);
});

test('promtool: a burst fires page, which stops once both page conditions clear (ticket stays)', async (t) => {
  // 100 good a minute; 25 bad a minute in minutes 31-40 only.
  const rules = prometheusRulesFor([A]);
  const bad = [...times(30, 0), ...times(10, 25), ...times(80, 0)];
  const series = statusSeries('http_server_requests_total', times(120, 100), bad);
  await expectPass(t, rules, [
    {
      name: 'burst',
      series,
      alerts: [
        ...alertsAt('25m', []),
        ...alertsAt('35m', [burn(A, 'page', (125 / 625) / 0.001), burn(A, 'ticket', (125 / 3625) / 0.001)]),
        // 30m window [40m, 70m] holds no error: neither page condition holds any more.
        ...alertsAt('70m', [burn(A, 'ticket', (250 / 7250) / 0.001)]),
        ...alertsAt('75m', [burn(A, 'ticket', (250 / 7750) / 0.001)]),
      ],
      exprs: [
        { at: '75m', expr: 'slo:sli_error:ratio_rate30m', samples: [{ labels: rec('slo:sli_error:ratio_rate30m', A, '30m'), value: 0 }] },
        { at: '75m', expr: 'slo:sli_error:ratio_rate6h', samples: [{ labels: rec('slo:sli_error:ratio_rate6h', A, '6h'), value: 250 / 7750 }] },
      ],
    },
  ]);
});

test('promtool: idle gaps (no requests, then no scrapes) give no ratio series, never NaN, and no alert', async (t) => {
  // 100 good requests a minute (no bad series at all) for 30 minutes, no requests for 70 minutes,
  // no samples for 30 minutes (target down), then traffic again; a second SLO never sees a request.
  const idle = slo({ name: 'idle', sli: availabilitySli('idle_requests_total') });
  const rules = prometheusRulesFor([A, idle]);
  const good = [...times(30, 100), ...times(70, 0), ...times(30, null), ...times(20, 100)];
  const series = [
    ...statusSeries('http_server_requests_total', good, undefined),
    { series: 'idle_requests_total{http_response_status_code="200"}', values: counterValues(0, times(150, 0)) },
  ];
  const ratioAbsent = (at: string, s: ResolvedSlo, windows: string[]): ExprCheck[] =>
    windows.map((w) => ({ at, expr: `slo:sli_error:ratio_rate${w}{sloth_id="${s.id}"}`, samples: [] }));
  const noNaN = (at: string): ExprCheck[] =>
    ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']
      .map((w) => `slo:sli_error:ratio_rate${w}`)
      .concat(['slo:current_burn_rate:ratio', 'slo:period_burn_rate:ratio', 'slo:period_error_budget_remaining:ratio'])
      .map((m) => ({ at, expr: `${m} != ${m}`, samples: [] }));
  const zero = (at: string, w: string): ExprCheck => ({ at, expr: `slo:sli_error:ratio_rate${w}{sloth_id="${A.id}"}`, samples: [{ labels: rec(`slo:sli_error:ratio_rate${w}`, A, w), value: 0 }] });
  await expectPass(t, rules, [
    {
      name: 'idle',
      series,
      alerts: ['20m', '40m', '65m', '125m', '145m'].flatMap((at) => alertsAt(at, [], [])),
      exprs: [
        zero('20m', '5m'), // no bad series at all: 0, not absent
        ...ratioAbsent('40m', A, ['5m']),
        zero('40m', '30m'),
        { at: '40m', expr: 'slo:current_burn_rate:ratio', samples: [] },
        ...ratioAbsent('65m', A, ['5m', '30m']),
        zero('65m', '1h'),
        ...ratioAbsent('125m', A, ['5m', '30m', '1h']),
        zero('125m', '2h'),
        zero('145m', '5m'),
        ...['20m', '40m', '65m', '125m', '145m'].flatMap(noNaN),
        // The SLO that never saw a request: no ratio of any window, only its constants.
        ...ratioAbsent('145m', idle, ['5m', '1h', '3d', '30d']),
        { at: '145m', expr: `slo:period_error_budget_remaining:ratio{sloth_id="${idle.id}"}`, samples: [] },
        { at: '145m', expr: `slo:sli_events:increase1h{sloth_id="${idle.id}"}`, samples: [{ labels: rec('slo:sli_events:increase1h', idle, '1h'), value: 0 }] },
        { at: '145m', expr: `slo:objective:ratio{sloth_id="${idle.id}"}`, samples: [{ labels: rec('slo:objective:ratio', idle), value: 0.999 }] },
      ],
    },
  ]);
});

test('promtool: traffic under minEvents does not fire burn alerts; with minEvents 0 the same request pages', async (t) => {
  // One failed request at minute 30 and nothing else, read by two SLOs.
  const gated = A;
  const ungated = slo({ name: 'availability-ungated', minEvents: 0 });
  const rules = prometheusRulesFor([gated, ungated]);
  const series = [{ series: 'http_server_requests_total{http_response_status_code="500"}', values: counterValues(0, [...times(29, 0), 1, ...times(90, 0)]) }];
  await expectPass(t, rules, [
    {
      name: 'low traffic',
      series,
      alerts: [
        ...alertsAt('31m', [burn(ungated, 'page', 1 / 0.001), burn(ungated, 'ticket', 1 / 0.001)]),
        ...alertsAt('60m', [burn(ungated, 'ticket', 1 / 0.001)]),
      ],
      exprs: [
        { at: '31m', expr: `slo:sli_error:ratio_rate5m{sloth_id="${gated.id}"}`, samples: [{ labels: rec('slo:sli_error:ratio_rate5m', gated, '5m'), value: 1 }] },
        { at: '31m', expr: `slo:sli_events:increase1h{sloth_id="${gated.id}"}`, samples: [{ labels: rec('slo:sli_events:increase1h', gated, '1h'), value: 1 }] },
      ],
    },
  ]);
});

test('promtool: budget consumed 50/75/100 fire with their labels and hold until 5 points below', async (t) => {
  // 10 000 requests a minute (100% of the budget: 10 bad a minute); bad: 6 a minute in minutes
  // 1-10, 12 in 11-20, 20 in 21-30, then none: consumed = cumulative bad / (10 × minutes).
  const rules = prometheusRulesFor([A]);
  const bad = [...times(10, 6), ...times(10, 12), ...times(10, 20), ...times(70, 0)];
  const series = statusSeries('http_server_requests_total', bad.map((b) => 10_000 - b), bad);
  const cum = (m: number): number => bad.slice(0, m).reduce((a, b) => a + b, 0);
  const c = (m: number): number => cum(m) / (10_000 * m) / 0.001;
  const at = (m: number, labels: ('50' | '75' | '100')[]): AlertCheck => ({ at: `${m}m`, alertname: 'SLOErrorBudgetConsumed', alerts: labels.map((l) => consumed(A, l, c(m))) });
  // Consumption sits at 47%: the 45% hysteresis never fires an alert that was not firing.
  const below = slo({ name: 'below' , sli: availabilitySli('below_requests_total') });
  const belowRules = prometheusRulesFor([below]);
  await expectPass(t, rules, [
    {
      name: 'consumed',
      series,
      alerts: [
        at(5, ['50']), // 60%
        at(15, ['50', '75']), // 80%
        at(25, ['50', '75', '100']), // 112%
        at(35, ['50', '75', '100']), // 108.6%
        at(39, ['50', '75', '100']), // 97.4%: 100 held (≥ 95%)
        at(45, ['50', '75']), // 84.4%
        at(53, ['50', '75']), // 71.7%: 75 held (≥ 70%)
        at(60, ['50']), // 63.3%
        at(80, ['50']), // 47.5%: 50 held (≥ 45%)
        at(90, []), // 42.2%
      ],
      exprs: [near('39m', `slo:period_burn_rate:ratio{sloth_id="${A.id}"}`, ids(A), c(39))],
    },
  ]);
  await expectPass(t, belowRules, [
    {
      name: 'never above',
      series: statusSeries('below_requests_total', times(60, 100_000 - 47), times(60, 47)),
      alerts: [30, 60].map((m) => ({ at: `${m}m`, alertname: 'SLOErrorBudgetConsumed', alerts: [] })),
      exprs: [near('30m', `slo:period_burn_rate:ratio`, ids(below), 0.47)],
    },
  ]);
});

test('promtool: a latency SLO counts buckets spelled le="1.0", le="1" and le="1e+00" alike', async (t) => {
  const lat = slo({ name: 'latency', objective: 0.99, errorBudget: 0.01, sli: latencySli(1) });
  const rules = prometheusRulesFor([lat]);
  const h = 'http_server_request_duration_seconds';
  // Per minute and instance: 100 observations; within 1 s: a 95, b 90, c 85.
  const hist = (instance: string, one: string, ten: string, within: number): InputSeries[] => [
    { series: `${h}_bucket{instance="${instance}",le="0.5"}`, values: counterValues(0, times(30, within - 10)) },
    { series: `${h}_bucket{instance="${instance}",le="${one}"}`, values: counterValues(0, times(30, within)) },
    { series: `${h}_bucket{instance="${instance}",le="${ten}"}`, values: counterValues(0, times(30, 100)) },
    { series: `${h}_bucket{instance="${instance}",le="+Inf"}`, values: counterValues(0, times(30, 100)) },
    { series: `${h}_count{instance="${instance}"}`, values: counterValues(0, times(30, 100)) },
  ];
  const series = [...hist('a', '1.0', '10.0', 95), ...hist('b', '1', '10', 90), ...hist('c', '1e+00', '1e+01', 85)];
  await expectPass(t, rules, [
    {
      name: 'le spellings',
      series,
      // 10% errors, burn rate 10: page on 30m and 6h (above 6), ticket on 2h and 1d.
      alerts: alertsAt('10m', [burn(lat, 'page', (300 / 3000) / 0.01), burn(lat, 'ticket', (300 / 3000) / 0.01)]),
      exprs: [
        { at: '10m', expr: 'slo:sli_error:ratio_rate5m', samples: [{ labels: rec('slo:sli_error:ratio_rate5m', lat, '5m'), value: (1500 - 1350) / 1500 }] },
        { at: '10m', expr: 'slo:sli_events:increase5m', samples: [{ labels: rec('slo:sli_events:increase5m', lat, '5m'), value: 1500 }] },
      ],
    },
  ]);
});

test('promtool: an events SLI sums per-series increases, so a counter reset on one instance changes nothing', async (t) => {
  const jobs = slo({ name: 'jobs', sli: eventsSli('jobs_succeeded', 'jobs_total') });
  const rules = prometheusRulesFor([jobs]);
  // Instance a restarts after minute 5 (its counters start again from 0); b runs on.
  const restart = (perMinute: number): string => {
    const v: number[] = [];
    for (let m = 0; m <= 30; m++) v.push(m <= 5 ? perMinute * m : perMinute * (m - 5));
    return v.join(' ');
  };
  const series = [
    { series: 'jobs_total{instance="a"}', values: restart(100) },
    { series: 'jobs_succeeded_total{instance="a"}', values: restart(99) },
    { series: 'jobs_total{instance="b"}', values: counterValues(0, times(30, 100)) },
    { series: 'jobs_succeeded_total{instance="b"}', values: counterValues(0, times(30, 97)) },
  ];
  await expectPass(t, rules, [
    {
      name: 'events with a reset',
      series,
      exprs: [
        { at: '8m', expr: 'slo:sli_error:ratio_rate5m', samples: [{ labels: rec('slo:sli_error:ratio_rate5m', jobs, '5m'), value: (1000 - 980) / 1000 }] },
        { at: '8m', expr: 'slo:sli_events:increase5m', samples: [{ labels: rec('slo:sli_events:increase5m', jobs, '5m'), value: 1000 }] },
        { at: '20m', expr: 'slo:sli_error:ratio_rate30d', samples: [{ labels: rec('slo:sli_error:ratio_rate30d', jobs, '30d'), value: (4000 - 3920) / 4000 }] },
      ],
    },
  ]);
});

test('promtool: timeslices count bad minutes (P95 within 0.25 s in 99% of minutes)', async (t) => {
  const p95 = slo({ name: 'p95', objective: 0.99, errorBudget: 0.01, budgeting: 'timeslices', sli: latencySli(0.25, 'http_server_request_duration_seconds', {}, 95) });
  const rules = prometheusRulesFor([p95]);
  const h = 'http_server_request_duration_seconds';
  // 100 observations a minute; within 0.25 s: 95 (exactly P95: a good minute), 90 in minutes 11 and 12.
  const within = [...times(10, 95), 90, 90, ...times(18, 95)];
  const series = [
    { series: `${h}_bucket{le="0.25"}`, values: counterValues(0, within) },
    { series: `${h}_bucket{le="+Inf"}`, values: counterValues(0, times(30, 100)) },
    { series: `${h}_count`, values: counterValues(0, times(30, 100)) },
  ];
  await expectPass(t, rules, [
    {
      name: 'timeslices',
      series,
      alerts: [
        ...alertsAt('10m', []),
        // 5m: 2 bad of 5 minutes (40, against 14.4); 1h: 2 of 12 minutes with observations.
        ...alertsAt('12m', [burn(p95, 'page', 0.4 / 0.01), burn(p95, 'ticket', (2 / 12) / 0.01)]),
      ],
      exprs: [
        near('10m', 'slo:sli_error:ratio_rate5m', { ...ids(p95), sloth_window: '5m' }, 0),
        near('12m', 'slo:sli_error:ratio_rate5m', { ...ids(p95), sloth_window: '5m' }, 2 / 5),
        near('12m', 'slo:sli_error:ratio_rate1h', { ...ids(p95), sloth_window: '1h' }, 2 / 12),
        near('20m', 'slo:sli_error:ratio_rate30d', { ...ids(p95), sloth_window: '30d' }, 2 / 20),
        { at: '12m', expr: 'slo:sli_events:increase5m', samples: [{ labels: rec('slo:sli_events:increase5m', p95, '5m'), value: 500 }] },
      ],
    },
  ]);
});

test('promtool: the same errors page a 7d SLO, ticket a 28d and 30d one, and a 90d one only on 6h and 3d', async (t) => {
  // 0.5% errors: burn rate 5. 7d page factors 3.36/1.4; 28d 13.44/5.6, ticket 2.8; 30d 14.4/6,
  // ticket 3; 90d 43.2/18, ticket 9 (2h, 1d) and 3 (6h, 3d).
  const w = [7, 28, 30, 90].map((days) => slo({ name: `w${days}`, window: rolling(days) }));
  const rules = prometheusRulesFor(w);
  const series = statusSeries('http_server_requests_total', times(30, 995), times(30, 5));
  const b = 5 / 1000 / 0.001;
  const [w7, w28, w30, w90] = w as [ResolvedSlo, ResolvedSlo, ResolvedSlo, ResolvedSlo];
  await expectPass(t, rules, [
    {
      name: 'windows',
      series,
      alerts: alertsAt('10m', [burn(w7, 'page', b), burn(w7, 'ticket', b), burn(w28, 'ticket', b), burn(w30, 'ticket', b), burn(w90, 'ticket', b)]),
    },
  ]);
});

test('promtool: the hysteresis reads ALERTS as promtool writes it', async (t) => {
  // Direct check that the ALERTS series of a firing budget alert exists with the labels the rule selects.
  const rules = prometheusRulesFor([A]);
  const series = statusSeries('http_server_requests_total', times(20, 990), times(20, 10));
  await expectPass(t, rules, [
    {
      name: 'ALERTS',
      series,
      exprs: [
        {
          at: '10m',
          expr: `ALERTS{alertname="SLOErrorBudgetConsumed", alertstate="firing", sloth_id="${A.id}"}`,
          samples: (['50', '75', '100'] as const).map((l) => ({ labels: labelText('ALERTS', { alertname: 'SLOErrorBudgetConsumed', alertstate: 'firing', ...consumed(A, l, 0).labels }), value: 1 })),
        },
      ],
    },
  ]);
});
