/**
 * `promtool test rules` and `promtool check rules` on generated rule files, for the SLO rule tests
 * and the engine-vs-Prometheus agreement test.
 *
 * A test is described in TypeScript (input series, expected alerts and expression results at
 * evaluation times); {@link promtoolTestRules} writes the rule file and the test file into a temp
 * directory, runs the real promtool and returns pass/fail with its output. The group evaluation
 * order defaults to the order of the groups in the rule file (promtool otherwise evaluates groups
 * in no fixed order, so a group reading another's records could see the previous evaluation's).
 *
 * promtool 2.42 compares values exactly (no tolerance): for values computed in floating point use
 * {@link near}, which asserts |expr − value| < tolerance. Expected alert annotations are rendered
 * from the rule's own templates ({@link renderAnnotations}) unless given.
 * @example
 * const r = await promtoolTestRules(promtool, rules, [{ series: [{ series: 'up', values: '1x10' }],
 *   alerts: [{ at: '5m', alertname: 'SLOErrorBudgetBurn', alerts: [] }] }]);
 * assert.ok(r.ok, r.output);
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { run } from './prometheus.js';
import type { RunResult } from './prometheus.js';

/** One input series in promtool's notation: `metric{a="b"}` and values like `0+10x30 _x5 300`. */
export interface InputSeries {
  series: string;
  values: string;
}

/** One expected firing alert: its labels (alertname excluded) and either its value or its annotations. */
export interface ExpectedAlert {
  labels: Record<string, string>;
  /** The alert's value at that time, to render the rule's annotation templates. */
  value?: number;
  /** Exact annotations instead of rendering them. */
  annotations?: Record<string, string>;
}

/** The firing alerts of one name at one evaluation time (empty: none firing). */
export interface AlertCheck {
  /** Evaluation time from the start of the series: `30m`, `2h`. */
  at: string;
  alertname: string;
  alerts: ExpectedAlert[];
}

/** The result of an instant query at one time: every sample, exactly (empty: no series). */
export interface ExprCheck {
  at: string;
  expr: string;
  samples: { labels: string | Record<string, string>; value: number }[];
}

/** One promtool test group: series at one interval and what to expect of them. */
export interface PromtoolTestCase {
  name?: string;
  /** Interval between input samples (default 1m). */
  interval?: string;
  series: InputSeries[];
  alerts?: AlertCheck[];
  exprs?: ExprCheck[];
}

export interface PromtoolTestOptions {
  /** Rule evaluation interval (default 1m). */
  evaluationInterval?: string;
  /** Group names in evaluation order (default: the rule file's order). */
  groupEvalOrder?: string[];
}

export interface PromtoolTestResult {
  ok: boolean;
  code: number;
  /** promtool's stdout and stderr. */
  output: string;
  /** The test file written, for failure messages. */
  testFile: string;
}

interface RuleFileRule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; interval?: string; rules: RuleFileRule[] }[];
}

function parseRules(rules: string): RuleFile {
  return parse(rules, { version: '1.1' }) as RuleFile;
}

/** `{a="b",c="d"}` in label order as promtool prints and parses it. */
export function labelText(metric: string, labels: Record<string, string>): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ');
  return `${metric}{${body}}`;
}

/**
 * An expression check that passes when `expr` has exactly one series (with `labels`, metric name
 * dropped) whose value is within `tolerance` of `value`.
 */
export function near(at: string, expr: string, labels: Record<string, string>, value: number, tolerance = 1e-9): ExprCheck {
  return { at, expr: `abs((${expr}) - ${String(value)}) < bool ${String(tolerance)}`, samples: [{ labels: labelText('', labels), value: 1 }] };
}

// ---------------------------------------------------------------------------------------------
// Go template functions as Prometheus defines them (the few the generated annotations use)

/** Go's `strconv.FormatFloat(v, 'g', prec, 64)` (prec −1: shortest). */
export function goFormatG(v: number, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  const [m = '', e = '0'] = (prec < 0 ? a.toExponential() : a.toExponential(Math.max(prec, 1) - 1)).split('e');
  const digits = m.replace('.', '').replace(/0+$/, '') || '0';
  const exp = Number(e);
  const nd = digits.length;
  const dp = exp + 1;
  // strconv's %g: %e when the exponent is below -4 or at least the precision (6 when shortest).
  let eprec = prec < 0 ? 6 : prec;
  if (prec >= 0 && eprec > nd && nd >= dp) eprec = nd;
  if (exp < -4 || exp >= eprec) {
    const mant = nd > 1 ? `${digits[0] ?? ''}.${digits.slice(1)}` : digits;
    const ea = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ea < 10 ? `0${ea}` : String(ea)}`;
  }
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= nd) return `${sign}${digits}${'0'.repeat(dp - nd)}`;
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** Prometheus' `humanize`: SI prefixes, 4 significant digits. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goFormatG(v, 4);
  let x = v;
  let prefix = '';
  if (Math.abs(x) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(x) < 1000) break;
      prefix = p;
      x /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(x) >= 1) break;
      prefix = p;
      x *= 1000;
    }
  }
  return `${goFormatG(x, 4)}${prefix}`;
}

/** Prometheus' `humanizePercentage`. */
export function humanizePercentage(v: number): string {
  return `${goFormatG(v * 100, 4)}%`;
}

/** Renders an annotation template of the forms the generated rules use. */
export function renderTemplate(template: string, labels: Record<string, string>, value: number | undefined): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_all, action: string) => {
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(action);
    if (label !== null) return labels[label[1] ?? ''] ?? '<no value>';
    if (/^"(?:[^"\\]|\\.)*"$/.test(action)) return JSON.parse(action) as string;
    const fn = /^\$value(?:\s*\|\s*(humanize|humanizePercentage))?$/.exec(action);
    if (fn !== null) {
      if (value === undefined) throw new Error(`the template ${JSON.stringify(template)} prints $value: give the expected alert a value`);
      return fn[1] === 'humanize' ? humanize(value) : fn[1] === 'humanizePercentage' ? humanizePercentage(value) : goFormatG(value, -1);
    }
    throw new Error(`template action not supported by the test renderer: {{ ${action} }}`);
  });
}

/**
 * The annotations Prometheus gives an alert: those of the rule named `alertname` whose static
 * labels are all among `labels`, rendered with the alert's labels and value.
 */
export function renderAnnotations(rules: string, alertname: string, labels: Record<string, string>, value: number | undefined): Record<string, string> {
  const file = parseRules(rules);
  const matching = file.groups.flatMap((g) => g.rules).filter((r) => r.alert === alertname && Object.entries(r.labels ?? {}).every(([k, v]) => labels[k] === v));
  if (matching.length !== 1) throw new Error(`${matching.length} rules named ${alertname} match the labels ${JSON.stringify(labels)}`);
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(matching[0]?.annotations ?? {})) out[k] = renderTemplate(t, labels, value);
  return out;
}

/** The test file promtool reads. */
export function promtoolTestFile(rules: string, tests: readonly PromtoolTestCase[], options: PromtoolTestOptions = {}, ruleFile = 'rules.yml'): string {
  const order = options.groupEvalOrder ?? parseRules(rules).groups.map((g) => g.name);
  return stringify(
    {
      rule_files: [ruleFile],
      evaluation_interval: options.evaluationInterval ?? '1m',
      group_eval_order: order,
      tests: tests.map((t) => ({
        ...(t.name === undefined ? {} : { name: t.name }),
        interval: t.interval ?? '1m',
        input_series: t.series,
        alert_rule_test: (t.alerts ?? []).map((a) => ({
          eval_time: a.at,
          alertname: a.alertname,
          exp_alerts: a.alerts.map((e) => ({
            exp_labels: e.labels,
            exp_annotations: e.annotations ?? renderAnnotations(rules, a.alertname, e.labels, e.value),
          })),
        })),
        promql_expr_test: (t.exprs ?? []).map((x) => ({
          expr: x.expr,
          eval_time: x.at,
          exp_samples: x.samples.map((s) => ({ labels: typeof s.labels === 'string' ? s.labels : labelText('', s.labels), value: s.value })),
        })),
      })),
    },
    { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false },
  );
}

/** Writes `rules` and the tests into a temp directory and runs `promtool test rules`. */
export async function promtoolTestRules(promtool: string, rules: string, tests: readonly PromtoolTestCase[], options: PromtoolTestOptions = {}): Promise<PromtoolTestResult> {
  const testFile = promtoolTestFile(rules, tests, options);
  const dir = await mkdtemp(join(tmpdir(), 'sightline-promtool-'));
  try {
    await writeFile(join(dir, 'rules.yml'), rules);
    await writeFile(join(dir, 'test.yml'), testFile);
    const r = await run(promtool, ['test', 'rules', join(dir, 'test.yml')]);
    return { ok: r.code === 0, code: r.code, output: r.output, testFile };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `promtool check rules` (duplicate-rules lint on, promtool's default) on a rule file. */
export async function promtoolCheckRules(promtool: string, rules: string): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-promtool-'));
  try {
    const path = join(dir, 'rules.yml');
    await writeFile(path, rules);
    return await run(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', path]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Series

/**
 * A counter's values from per-interval increments: `counter([0, 5, 5])` → `'0 5 10'` (the first
 * value is the starting count). `null` is a missing sample (`_`): the target was not scraped.
 */
export function counterValues(start: number, increments: readonly (number | null)[]): string {
  const out = [String(start)];
  let v = start;
  for (const inc of increments) {
    if (inc === null) {
      out.push('_');
      continue;
    }
    v += inc;
    out.push(String(v));
  }
  return out.join(' ');
}

/** `n` copies of `x`. */
export function times<T>(n: number, x: T): T[] {
  return Array.from({ length: n }, () => x);
}
