/**
 * Prometheus rules for resolved SLOs: one rule file holding, per SLO, the recorded error ratios
 * and event counts of every window, Sloth's metadata records, and the burn-rate and
 * budget-consumed alerts — with Sloth's names and labels, so that Sloth's Grafana dashboards read
 * them unchanged (docs/slo-rules.md).
 *
 * Where this differs from Sloth: every window's ratio is bad events over all events, summed over
 * series after `increase()` (counter resets are handled per series before the sum), never a mean
 * of 5-minute ratios; a window without events has no ratio series instead of NaN; a latency
 * threshold matches every usual spelling of its bucket bound (`le="1"`, `le="1.0"`, `le="1e+00"`).
 */
import { Document, isMap } from 'yaml';
import { counterNames } from '../metrics/exposition.js';
import { SIGHTLINE_VERSION } from '../version.js';
import { DuplicateSloId } from './rules-errors.js';
import { resolveSlos } from './definition.js';
import type { BurnWindow, ResolvedMatcher, ResolvedSlo, SloDefinition, SloFile } from './types.js';
import { BURN_WINDOWS } from './types.js';
import { BUDGET_CONSUMED, BUDGET_HYSTERESIS, BURN_CONDITIONS, burnFactor, eventsRecord, ratioRecord, WINDOW_MS } from './windows.js';

/**
 * Evaluation interval of the groups that read ranges of a day or more (1d, 3d and the SLO window).
 * Less than the 5-minute lookback of an instant selector, so the alerts reading these records
 * never find them missing between two evaluations, even when one evaluation takes a while.
 */
export const LONG_WINDOW_INTERVAL = '2m';

/** Windows from this length on are recorded in the long group. */
const LONG_FROM_MS = 86_400_000;

/** The names of an SLO's rule groups, in the order they are written (and evaluated in tests). */
export function ruleGroupNames(id: string): { sli: string; sliLong: string; meta: string; alerts: string } {
  return {
    sli: `sloth-slo-sli-recordings-${id}`,
    sliLong: `sloth-slo-sli-recordings-long-${id}`,
    meta: `sloth-slo-meta-recordings-${id}`,
    alerts: `sloth-slo-alerts-${id}`,
  };
}

// ---------------------------------------------------------------------------------------------
// PromQL text

/** A PromQL string literal. */
function promString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `metric{a=~"x",b=~"y"}` (the bare name without matchers). */
function selector(metric: string, matchers: readonly ResolvedMatcher[], extra: readonly string[] = []): string {
  const parts = [...matchers.map((m) => `${m.label}=~${promString(m.source)}`), ...extra];
  return parts.length === 0 ? metric : `${metric}{${parts.join(',')}}`;
}

/** A regular expression source with its metacharacters escaped. */
function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular expression (RE2, anchored as PromQL's `=~` anchors it) matching the usual spellings
 * of a bucket bound: plain decimals with any trailing zeros (`0.25`, `0.250`; `1`, `1.0`, `1.00`;
 * `.5` for `0.5`) and scientific notation with either `e`, an optional sign and zero-padded
 * exponent (`2.5e-01`, `1e+00`, `1E0`). Client libraries write `1` (Go, Node) or `1.0` (Python,
 * Java, OpenMetrics); a rule matching only one misses the other's series.
 * @example
 * leRegex(0.25); // '0?\\.250*|2\\.50*[eE]-0*1'
 * leRegex(1);    // '1(?:\\.0*)?|1(?:\\.0*)?[eE]\\+?0*0'
 */
export function leRegex(bound: number): string {
  if (!Number.isFinite(bound)) throw new RangeError(`bucket bound ${bound} is not finite`);
  const sign = bound < 0 ? '-' : '';
  // Shortest round-trip digits and the decimal exponent: 0.25 → '2.5e-1' → digits 25, exp -1.
  const [mantissa = '0', expText = '0'] = Math.abs(bound).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  let intPart: string;
  let fraction: string;
  if (exp >= 0) {
    const padded = digits.padEnd(exp + 1, '0');
    intPart = padded.slice(0, exp + 1);
    fraction = padded.slice(exp + 1);
  } else {
    intPart = '0';
    fraction = `${'0'.repeat(-exp - 1)}${digits}`;
  }
  fraction = fraction.replace(/0+$/, '');
  const whole = intPart === '0' && fraction !== '' ? '0?' : literal(intPart);
  const plain = fraction === '' ? `${whole}(?:\\.0*)?` : `${whole}\\.${fraction}0*`;
  const rest = digits.slice(1).replace(/0+$/, '');
  const sciMantissa = rest === '' ? `${digits[0] ?? '0'}(?:\\.0*)?` : `${digits[0] ?? '0'}\\.${rest}0*`;
  const sciExp = exp < 0 ? `-0*${-exp}` : `\\+?0*${exp}`;
  const alternatives = `${plain}|${sciMantissa}[eE]${sciExp}`;
  return sign === '' ? alternatives : `-(?:${alternatives})`;
}

/** Prometheus' text for a duration (`Duration.String()`): `5m`, `1d`, `30d`, `4w`, `90d`, `1h30m`. */
export function promDuration(ms: number): string {
  const units: readonly [string, number][] = [['y', 365 * 86_400_000], ['w', 7 * 86_400_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = Math.trunc(ms);
  if (!(rest > 0)) return '0s';
  let out = '';
  for (const [unit, size] of units) {
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text.split('\n').map((l) => (l === '' ? l : pad + l)).join('\n');
}

/** A number as PromQL reads it back bit for bit (shortest round-trip text). */
function num(x: number): string {
  return String(x);
}

/** `99.9` for 0.999 (no binary noise). */
function percent(ratio: number): number {
  return Number((ratio * 100).toPrecision(12));
}

// ---------------------------------------------------------------------------------------------
// SLI expressions

interface SliExpressions {
  /** The error ratio over window `w` (PromQL duration text) of `ms`; no series when the window has no events. */
  ratio(w: string, ms: number): string;
  /** The events over window `w`: requests (or observations), for the minimum-events condition. */
  events(w: string): string;
  /** Timeslices: the per-minute record the window ratios read (recorded first). */
  minute?: { record: string; expr: string };
}

/** Timeslices: 1 when the minute before the evaluation was bad, 0 when good, absent without observations. */
export const TIMESLICE_RECORD = 'slo:sli_timeslice_bad:bool1m';

/** `(total − good) / total` over `w`, both summed after `increase()`; no series without events. */
function fromGood(total: string, good: string): SliExpressions {
  return {
    ratio: (w) => `(\n  sum(increase(${total}[${w}]))\n  -\n  (sum(increase(${good}[${w}])) or vector(0))\n)\n/\n(sum(increase(${total}[${w}])) > 0)`,
    events: (w) => `sum(increase(${total}[${w}]))`,
  };
}

function sliExpressions(slo: ResolvedSlo): SliExpressions {
  const sli = slo.sli;
  switch (sli.kind) {
    case 'availability': {
      const name = counterNames(sli.metric).sample;
      const total = selector(name, sli.match);
      const bad = selector(name, [...sli.match, ...sli.bad]);
      return {
        ratio: (w) => `(sum(increase(${bad}[${w}])) or vector(0))\n/\n(sum(increase(${total}[${w}])) > 0)`,
        events: (w) => `sum(increase(${total}[${w}]))`,
      };
    }
    case 'events':
      return fromGood(selector(counterNames(sli.total.metric).sample, sli.total.match), selector(counterNames(sli.good.metric).sample, sli.good.match));
    case 'latency': {
      const total = selector(`${sli.metric}_count`, sli.match);
      const good = selector(`${sli.metric}_bucket`, sli.match, [`le=~${promString(leRegex(sli.threshold))}`]);
      const percentile = sli.percentile;
      if (slo.budgeting === 'timeslices' && percentile !== undefined) {
        // A minute is bad when fewer than `percentile`% of its observations are within the
        // threshold: recorded at each evaluation for the minute before it (absent without
        // observations), and a window's ratio is the mean of those records — bad minutes over
        // minutes with observations. The range is a second short of the window so that, with
        // one evaluation a minute, it holds window/1m records whether or not the range's start
        // is included (Prometheus 2 includes it, Prometheus 3 does not).
        const minuteGood = `(sum(increase(${good}[1m])) or vector(0))\n/\n(sum(increase(${total}[1m])) > 0)`;
        const filter = idFilter(slo);
        return {
          minute: { record: TIMESLICE_RECORD, expr: `(\n${indent(minuteGood, 2)}\n)\n< bool ${num(percentile / 100)}` },
          ratio: (_w, ms) => `avg_over_time(${TIMESLICE_RECORD}${filter}[${promDuration(ms - 1000)}])`,
          events: (w) => `sum(increase(${total}[${w}]))`,
        };
      }
      return fromGood(total, good);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rules

interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

interface AlertingRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleGroup {
  name: string;
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

function idLabels(slo: ResolvedSlo): Record<string, string> {
  return { sloth_id: slo.id, sloth_service: slo.service, sloth_slo: slo.name };
}

function idFilter(slo: ResolvedSlo): string {
  return `{sloth_id=${promString(slo.id)}, sloth_service=${promString(slo.service)}, sloth_slo=${promString(slo.name)}}`;
}

/** Go template text printing `text` literally (user text cannot inject template actions). */
function templateText(text: string): string {
  return `{{ ${JSON.stringify(text)} }}`;
}

/** The windows of every burn condition, in BURN_WINDOWS order. */
const CONDITION_WINDOWS: readonly BurnWindow[] = BURN_WINDOWS.filter((w) => BURN_CONDITIONS.some((c) => c.long === w || c.short === w));

function sliGroups(slo: ResolvedSlo, sli: SliExpressions, windowText: string): RuleGroup[] {
  const names = ruleGroupNames(slo.id);
  const short: RecordingRule[] = [];
  const long: RecordingRule[] = [];
  if (sli.minute !== undefined) short.push({ ...sli.minute, labels: idLabels(slo) });
  const windows: { text: string; ms: number }[] = BURN_WINDOWS.map((w) => ({ text: w, ms: WINDOW_MS[w] }));
  if (!(BURN_WINDOWS as readonly string[]).includes(windowText)) windows.push({ text: windowText, ms: slo.window.ms });
  for (const w of windows) {
    (w.ms < LONG_FROM_MS ? short : long).push({ record: ratioRecord(w.text), expr: sli.ratio(w.text, w.ms), labels: { ...idLabels(slo), sloth_window: w.text } });
  }
  for (const w of CONDITION_WINDOWS) {
    (WINDOW_MS[w] < LONG_FROM_MS ? short : long).push({ record: eventsRecord(w), expr: sli.events(w), labels: { ...idLabels(slo), sloth_window: w } });
  }
  return [
    { name: names.sli, rules: short },
    { name: names.sliLong, interval: LONG_WINDOW_INTERVAL, rules: long },
  ];
}

function metaGroup(slo: ResolvedSlo, windowText: string): RuleGroup {
  const labels = idLabels(slo);
  const f = idFilter(slo);
  const budget = num(slo.errorBudget);
  return {
    name: ruleGroupNames(slo.id).meta,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${num(slo.objective)})`, labels },
      { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels },
      { record: 'slo:time_period:days', expr: `vector(${num(slo.window.ms / 86_400_000)})`, labels },
      { record: 'slo:current_burn_rate:ratio', expr: `sum without (sloth_window) (${ratioRecord('5m')}${f})\n/\n${budget}`, labels },
      { record: 'slo:period_burn_rate:ratio', expr: `sum without (sloth_window) (${ratioRecord(windowText)}${f})\n/\n${budget}`, labels },
      { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${f}`, labels },
      {
        record: 'sloth_slo_info',
        expr: 'vector(1)',
        labels: {
          ...labels,
          sloth_mode: 'cli-gen-prom',
          sloth_objective: num(percent(slo.objective)),
          sloth_spec: 'sightline/v1',
          sloth_version: SIGHTLINE_VERSION,
        },
      },
    ],
  };
}

function alertGroup(slo: ResolvedSlo, windowText: string): RuleGroup {
  const f = idFilter(slo);
  const budget = num(slo.errorBudget);
  const target = `${num(percent(slo.objective))}% over ${windowText}`;
  const about = slo.description === undefined ? '' : ` ${templateText(slo.description)}`;
  const who = '{{ $labels.sloth_service }} {{ $labels.sloth_slo }}';
  const events = slo.minEvents > 0 ? ` (each with at least ${slo.minEvents} events)` : '';
  const rules: AlertingRule[] = [];

  for (const severity of ['page', 'ticket'] as const) {
    const conditions = BURN_CONDITIONS.filter((c) => c.severity === severity);
    const windowAbove = (w: BurnWindow, factor: string): string => {
      const ratio = `${ratioRecord(w)}${f} / ${budget} > ${factor}`;
      const body = slo.minEvents > 0 ? `${ratio}\nand\n${eventsRecord(w)}${f} >= ${slo.minEvents}` : ratio;
      return `max without (sloth_window) (\n${indent(body, 2)}\n)`;
    };
    const branches = conditions.map((c) => {
      const factor = num(burnFactor(c, slo.window.ms));
      return `(\n${indent(`${windowAbove(c.short, factor)}\nand\n${windowAbove(c.long, factor)}`, 2)}\n)`;
    });
    const rule = conditions.map((c) => `${c.short} and ${c.long} above ${num(burnFactor(c, slo.window.ms))}`).join(', or ');
    rules.push({
      alert: 'SLOErrorBudgetBurn',
      expr: branches.join('\nor\n'),
      labels: { ...idLabels(slo), sloth_severity: severity },
      annotations: {
        summary: `${who}: the error budget burns too fast (${severity})`,
        description: `The short window burns the error budget of ${target} {{ $value | humanize }} times as fast as it allows. ${severity === 'page' ? 'Page' : 'Ticket'}: ${rule}${events}.${about}`,
      },
    });
  }

  for (const t of BUDGET_CONSUMED) {
    const consumed = `slo:period_burn_rate:ratio${f}`;
    const held = num(t.consumed - BUDGET_HYSTERESIS);
    const firing = `ALERTS{alertname="SLOErrorBudgetConsumed", alertstate="firing", budget_consumed="${t.label}", sloth_id=${promString(slo.id)}}`;
    rules.push({
      alert: 'SLOErrorBudgetConsumed',
      expr: `${consumed} >= ${num(t.consumed)}\nor\n(\n  ${consumed} >= ${held}\n  and on (sloth_id, sloth_service, sloth_slo)\n  ${firing}\n)`,
      labels: { ...idLabels(slo), budget_consumed: t.label, severity: t.severity },
      annotations: {
        summary: `${who}: ${t.label}% of the error budget is consumed`,
        description: `{{ $value | humanizePercentage }} of the error budget of ${target} is consumed (${t.severity} from ${t.label}%, resolved below ${num(percent(Number(held)))}%).${about}`,
      },
    });
  }
  return { name: ruleGroupNames(slo.id).alerts, rules };
}

/** Comments written above an SLO's first group: what Prometheus evaluates differently. */
function notes(slo: ResolvedSlo, windowText: string): string[] {
  const out: string[] = [`SLO ${slo.id}: ${num(percent(slo.objective))}% over ${slo.window.kind === 'calendar' ? `the calendar ${slo.window.calendar}` : windowText}, ${slo.sli.kind} SLI, ${slo.budgeting} budgeting.`];
  if (slo.window.kind === 'calendar') {
    out.push(`A Prometheus range cannot start at a calendar boundary: the ${slo.window.calendar} (${slo.window.timeZone}) is evaluated as a rolling ${windowText} (its nominal length).`);
  }
  if (slo.sli.kind === 'latency' && slo.budgeting === 'timeslices' && slo.sli.percentile !== undefined) {
    out.push(`Timeslices: a minute is bad when under ${num(slo.sli.percentile)}% of its observations are within ${num(slo.sli.threshold)}; ratios are bad minutes over minutes with observations, from ${TIMESLICE_RECORD} (needs a scrape interval of 30s or less and works exactly with an evaluation interval of 1m).`);
  }
  return out;
}

/**
 * The Prometheus rule file (YAML) of resolved SLOs: per SLO four groups (short-window SLI records,
 * long-window SLI records evaluated every {@link LONG_WINDOW_INTERVAL}, Sloth's metadata records,
 * the alerts). Deterministic: the same SLOs give the same bytes. Throws
 * SL_ERR_SLO_RULES_DUPLICATE_ID when two SLOs share a `sloth_id`.
 * @example
 * const text = prometheusRulesFor(resolveSlos(file, { service: 'checkout' }));
 */
export function prometheusRulesFor(slos: readonly ResolvedSlo[]): string {
  const seen = new Map<string, number>();
  slos.forEach((slo, i) => {
    const first = seen.get(slo.id);
    if (first !== undefined) throw DuplicateSloId(`[${i}].name`, slo.id, first, i);
    seen.set(slo.id, i);
  });
  const groups: RuleGroup[] = [];
  const comments = new Map<number, string>();
  for (const slo of slos) {
    const windowText = promDuration(slo.window.ms);
    comments.set(groups.length, notes(slo, windowText).map((l) => ` ${l}`).join('\n'));
    groups.push(...sliGroups(slo, sliExpressions(slo), windowText), metaGroup(slo, windowText), alertGroup(slo, windowText));
  }
  // YAML 1.1 quoting, so that Prometheus' YAML reader takes every label value as the string it is.
  const doc = new Document({ groups }, { version: '1.1', aliasDuplicateObjects: false });
  const services = [...new Set(slos.map((s) => s.service))].sort();
  doc.commentBefore = [
    ` Prometheus rules for ${slos.length} SLO${slos.length === 1 ? '' : 's'}${services.length > 0 ? ` of ${services.join(', ')}` : ''}, generated by sightline ${SIGHTLINE_VERSION} (sightline rules).`,
    ' Do not edit: change the SLO definitions and generate the file again.',
    ` Load it with rule_files in prometheus.yml; groups reading a day or more evaluate every ${LONG_WINDOW_INTERVAL}.`,
  ].join('\n');
  const seq = doc.get('groups', true);
  if (seq !== undefined && seq !== null && typeof seq === 'object' && 'items' in seq) {
    const items = (seq as { items: unknown[] }).items;
    for (const [index, comment] of comments) {
      const node = items[index];
      if (isMap(node)) node.commentBefore = comment;
    }
  }
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

/**
 * The Prometheus rule file of SLO definitions — the text `sightline rules <slo.yaml>` prints:
 * the file shape `{ service, slos }` (as written or as `loadSloFile()` returns it), definitions
 * with the service given apart, or SLOs already resolved. Definitions are validated as at start.
 * @example
 * import { prometheusRules } from 'sightline/slo';
 * const text = prometheusRules({ service: 'checkout', slos: [{ name: 'availability', objective: 99.9, window: '30d',
 *   sli: { availability: { metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' } } } }] });
 */
export function prometheusRules(definitions: SloFile | readonly ResolvedSlo[] | readonly SloDefinition[], service?: string): string {
  if (Array.isArray(definitions) && definitions.every((d) => typeof d === 'object' && d !== null && 'errorBudget' in d)) {
    return prometheusRulesFor(definitions as readonly ResolvedSlo[]);
  }
  const file = definitions as SloFile | readonly SloDefinition[];
  return prometheusRulesFor(resolveSlos(file, { service: service ?? (Array.isArray(file) ? '' : (file as SloFile).service), field: Array.isArray(file) ? 'definitions' : '' }));
}
