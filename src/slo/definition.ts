/**
 * SLO definitions: validation of the definition shape (the same in code and in a YAML or JSON
 * file) into the resolved form the engine and the rule generator read, the file loader (errors
 * point at the file's line and column), and the checks of resolved SLOs against a metrics registry
 * (metric types, label names, latency thresholds that are bucket bounds).
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { checkOptionKeys, optionKeys, SightlineError } from '../errors.js';
import { counterNames } from '../metrics/exposition.js';
import type { AnyMetric } from '../metrics/exposition.js';
import type { Registry } from '../metrics/registry.js';
import { formatPromDuration, promDurationMs } from './duration.js';
import { describe, InvalidDefinition, InvalidObjective, InvalidWindow, NotABucketBound, SloFileError, UnknownSloOption, WrongMetricType } from './errors.js';
import type {
  AvailabilitySli, CalendarWindow, CounterSelector, EventsSli, LatencySli, ResolvedMatcher, ResolvedSli, ResolvedSlo, ResolvedWindow,
  SliDefinition, SloDefinition, SloFile,
} from './types.js';
import { DEFAULT_MIN_EVENTS } from './windows.js';

/** Every key of every member of a union (the SLI kinds). */
type AllKeys<T> = T extends unknown ? keyof T : never;

/** The keys of each object of a definition, kept in sync with types.ts by the compiler. */
export const sloKeys = {
  file: optionKeys<SloFile>()(['service', 'slos']),
  definition: optionKeys<SloDefinition>()(['name', 'objective', 'window', 'sli', 'budgeting', 'description', 'minEvents']),
  calendarWindow: optionKeys<CalendarWindow>()(['calendar', 'timeZone']),
  sli: optionKeys<Record<AllKeys<SliDefinition>, unknown>>()(['availability', 'latency', 'events']),
  availability: optionKeys<AvailabilitySli>()(['metric', 'bad', 'match']),
  latency: optionKeys<LatencySli>()(['metric', 'threshold', 'match', 'percentile']),
  events: optionKeys<EventsSli>()(['good', 'total']),
  counterSelector: optionKeys<CounterSelector>()(['metric', 'match']),
} as const;

/** SLO names: `[a-z0-9_-]+`, at most this long. */
export const MAX_NAME_LENGTH = 128;
/** Shortest and longest rolling window. */
export const MIN_WINDOW_MS = 86_400_000;
export const MAX_WINDOW_MS = 400 * 86_400_000;
/** Nominal lengths of calendar windows (rule factors, Prometheus ranges). */
export const CALENDAR_MS: Readonly<Record<CalendarWindow['calendar'], number>> = {
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  quarter: 90 * 86_400_000,
};

const NAME = /^[a-z0-9_-]+$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const KINDS = sloKeys.sli;
const FILE_KEYS_WITH_PATH: readonly string[] = [...sloKeys.file, 'path'];

// ---------------------------------------------------------------------------------------------
// Field paths

/** `base.key`, or `key` at the top (empty base); keys that are not identifiers as `base["a.b"]`. */
function child(base: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** The segments of a field path made by {@link child} and `[i]`: `slos[1].sli["a.b"]` → ['slos', 1, 'sli', 'a.b']. */
export function fieldSegments(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < field.length && (m = re.exec(field)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

/** Errors about a key itself (not its value): a file's location then points at the key. */
const keyErrors = new WeakSet<SightlineError>();
function aboutKey(e: SightlineError): SightlineError {
  keyErrors.add(e);
  return e;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireObject(v: unknown, field: string, what: string): Record<string, unknown> {
  if (!isObject(v)) throw InvalidDefinition(field, `${what} must be an object, not ${describe(v)}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Resolution

/** A ratio rounded to 15 significant digits, so that 99.9 / 100 is exactly 0.999. */
function ratio(x: number): number {
  return Number(x.toPrecision(15));
}

/** Decimal places of `x`'s shortest text (`0.999` → 3, `1e-12` → 12). */
function decimals(x: number): number {
  const [mantissa = '', exp = '0'] = String(x).split('e');
  return Math.max(0, (mantissa.split('.')[1] ?? '').length - Number(exp));
}

/** `1 − objective` with no binary noise: 0.999 → 0.001 (not 0.0010000000000000009). */
function budgetOf(objective: number): number {
  return Number((1 - objective).toFixed(Math.min(100, decimals(objective))));
}

function resolveObjective(v: unknown, field: string): { objective: number; errorBudget: number } {
  if (typeof v !== 'number') throw InvalidObjective(field, v, 'it is not a number');
  if (!Number.isFinite(v) || v <= 0 || v >= 100) throw InvalidObjective(field, v, 'it is outside (0, 100)');
  const objective = ratio(v / 100);
  if (objective <= 0 || objective >= 1) throw InvalidObjective(field, v, 'it is too close to 0 or 100 to hold as a ratio (at most 13 decimals)');
  return { objective, errorBudget: budgetOf(objective) };
}

function resolveTimeZone(v: unknown, field: string): string {
  if (v === undefined) return 'UTC';
  if (typeof v !== 'string' || v === '') throw InvalidWindow(field, `timeZone ${describe(v)} is not an IANA time zone name such as 'UTC' or 'Europe/Berlin'`);
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    throw InvalidWindow(field, `unknown time zone ${JSON.stringify(v)}: use an IANA name such as 'UTC' or 'Europe/Berlin'`);
  }
}

function resolveWindow(v: unknown, field: string): ResolvedWindow {
  if (typeof v === 'string') {
    const r = promDurationMs(v);
    if ('why' in r) throw InvalidWindow(field, `${JSON.stringify(v)} is not a duration (${r.why}): use Prometheus duration text such as '30d', '28d' or '4w'`);
    if (r.ms % 60_000 !== 0) throw InvalidWindow(field, `${JSON.stringify(v)} is not a whole number of minutes`);
    if (r.ms < MIN_WINDOW_MS || r.ms > MAX_WINDOW_MS) throw InvalidWindow(field, `${JSON.stringify(v)} is outside 1d to 400d`);
    return Object.freeze({ kind: 'rolling', text: formatPromDuration(r.ms), ms: r.ms });
  }
  if (!isObject(v)) {
    throw InvalidWindow(field, `${describe(v)} is neither a rolling duration ('30d') nor a calendar window ({ calendar: month|week|quarter, timeZone })`);
  }
  checkOptionKeys(v, sloKeys.calendarWindow, UnknownSloOption, 'an SLO calendar window', field);
  const calendar = v['calendar'];
  if (calendar !== 'month' && calendar !== 'week' && calendar !== 'quarter') {
    throw InvalidWindow(child(field, 'calendar'), `calendar ${describe(calendar)} is not month, week or quarter`);
  }
  const timeZone = resolveTimeZone(v['timeZone'], child(field, 'timeZone'));
  return Object.freeze({ kind: 'calendar', text: calendar, calendar, timeZone, ms: CALENDAR_MS[calendar] });
}

/** Escapes RE2 rejects or reads differently (backreferences), and JS-only group syntax (lookarounds). */
function re2Problem(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      if (/[1-9]/.test(n)) return `backreferences (\\${n}) are not supported`;
      if (n === 'k' && source[i + 2] === '<') return 'named backreferences (\\k<…>) are not supported';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      // A `]` first in the class (after an optional `^`) is RE2's literal but an empty class in JS.
      const next = source[i + 1] === '^' ? source[i + 2] : source[i + 1];
      if (next === ']') return 'a class starting with "]" means different things in RE2 and JavaScript: escape it as \\]';
    } else if (c === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) return 'lookaheads (?= and (?! are not supported';
      if (rest === '<=' || rest === '<!') return 'lookbehinds (?<= and (?<! are not supported';
    }
  }
  return undefined;
}

function resolveMatchers(v: unknown, field: string, required: boolean): readonly ResolvedMatcher[] {
  if (v === undefined && !required) return Object.freeze([]);
  if (!isObject(v)) throw InvalidDefinition(field, `label matchers must be an object of label name → regex, not ${describe(v)}`);
  const entries = Object.entries(v);
  if (required && entries.length === 0) throw InvalidDefinition(field, 'give at least one label matcher, e.g. { http_response_status_code: "5.." }');
  return Object.freeze(entries.map(([label, source]) => {
    const f = child(field, label);
    if (!LABEL_NAME.test(label) || label.startsWith('__')) {
      throw aboutKey(InvalidDefinition(f, `${JSON.stringify(label)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`));
    }
    if (typeof source !== 'string') throw InvalidDefinition(f, `the regex for label ${label} must be a string, not ${describe(source)} (quote it in YAML: "500")`);
    const problem = re2Problem(source);
    if (problem !== undefined) throw InvalidDefinition(f, `regex ${JSON.stringify(source)}: ${problem} (Prometheus matches with RE2)`);
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${source})$`);
    } catch (e) {
      throw InvalidDefinition(f, `regex ${JSON.stringify(source)} does not compile: ${(e as Error).message}`);
    }
    return Object.freeze({ label, source, regex });
  }));
}

function resolveMetric(v: unknown, field: string): string {
  if (typeof v !== 'string' || !METRIC_NAME.test(v)) throw InvalidDefinition(field, `metric ${describe(v)} is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`);
  return v;
}

function percentNumber(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 100;
}

function resolveSli(v: unknown, field: string, budgeting: 'occurrences' | 'timeslices', budgetingField: string): ResolvedSli {
  const sli = requireObject(v, field, 'sli');
  checkOptionKeys(sli, KINDS, UnknownSloOption, 'an SLO sli', field);
  const kinds = KINDS.filter((k) => sli[k] !== undefined);
  if (kinds.length !== 1) {
    throw InvalidDefinition(field, kinds.length === 0
      ? 'sli needs exactly one of availability, latency or events'
      : `sli has ${kinds.join(' and ')}: give exactly one kind per SLO`);
  }
  const kind = kinds[0] as (typeof KINDS)[number];
  const f = child(field, kind);
  const body = requireObject(sli[kind], f, `sli.${kind}`);
  if (kind !== 'latency' && budgeting === 'timeslices') {
    throw InvalidDefinition(budgetingField, `budgeting: timeslices needs a latency SLI with a percentile, not ${kind}`);
  }
  switch (kind) {
    case 'availability': {
      checkOptionKeys(body, sloKeys.availability, UnknownSloOption, 'an availability SLI', f);
      const metric = resolveMetric(body['metric'], child(f, 'metric'));
      if (body['bad'] === undefined) throw InvalidDefinition(child(f, 'bad'), 'an availability SLI needs bad: the label regexes of bad events');
      const bad = resolveMatchers(body['bad'], child(f, 'bad'), true);
      const match = resolveMatchers(body['match'], child(f, 'match'), false);
      return Object.freeze({ kind, metric, bad, match });
    }
    case 'latency': {
      checkOptionKeys(body, sloKeys.latency, UnknownSloOption, 'a latency SLI', f);
      const metric = resolveMetric(body['metric'], child(f, 'metric'));
      const threshold = body['threshold'];
      if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
        throw InvalidDefinition(child(f, 'threshold'), `threshold ${describe(threshold)} must be a finite number in the histogram's unit (seconds), one of its bucket bounds`);
      }
      const match = resolveMatchers(body['match'], child(f, 'match'), false);
      const p = body['percentile'];
      const pf = child(f, 'percentile');
      if (budgeting === 'timeslices') {
        if (p === undefined) throw InvalidDefinition(pf, 'budgeting: timeslices needs percentile (e.g. 95 for "P95 within the threshold in 99% of minutes")');
        if (!percentNumber(p)) throw InvalidDefinition(pf, `percentile ${describe(p)} must be a number strictly between 0 and 100`);
      } else if (p !== undefined) {
        throw InvalidDefinition(pf, 'percentile is only allowed with budgeting: timeslices (with occurrences, the objective already is the share of requests within the threshold)');
      }
      return Object.freeze({ kind, metric, threshold, match, percentile: p as number | undefined });
    }
    case 'events': {
      checkOptionKeys(body, sloKeys.events, UnknownSloOption, 'an events SLI', f);
      const selector = (key: 'good' | 'total') => {
        const sf = child(f, key);
        const s = requireObject(body[key], sf, `sli.events.${key}`);
        checkOptionKeys(s, sloKeys.counterSelector, UnknownSloOption, `an events SLI's ${key} counter`, sf);
        return Object.freeze({ metric: resolveMetric(s['metric'], child(sf, 'metric')), match: resolveMatchers(s['match'], child(sf, 'match'), false) });
      };
      const good = selector('good');
      const total = selector('total');
      return Object.freeze({ kind, good, total });
    }
  }
}

function resolveOne(v: unknown, field: string, service: string): ResolvedSlo {
  const def = requireObject(v, field, 'an SLO definition');
  checkOptionKeys(def, sloKeys.definition, UnknownSloOption, 'an SLO definition', field);
  const name = def['name'];
  if (typeof name !== 'string' || !NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw InvalidDefinition(child(field, 'name'), `name ${describe(name)} must be ${MAX_NAME_LENGTH} characters at most of a-z, 0-9, _ and -`);
  }
  if (def['objective'] === undefined) throw InvalidObjective(child(field, 'objective'), undefined, 'it is required');
  const { objective, errorBudget } = resolveObjective(def['objective'], child(field, 'objective'));
  if (def['window'] === undefined) throw InvalidWindow(child(field, 'window'), "window is required: a rolling duration ('30d') or { calendar: month|week|quarter }");
  const window = resolveWindow(def['window'], child(field, 'window'));
  const b = def['budgeting'];
  if (b !== undefined && b !== 'occurrences' && b !== 'timeslices') {
    throw InvalidDefinition(child(field, 'budgeting'), `budgeting ${describe(b)} is not occurrences or timeslices`);
  }
  const budgeting = b ?? 'occurrences';
  const description = def['description'];
  if (description !== undefined && typeof description !== 'string') throw InvalidDefinition(child(field, 'description'), `description must be a string, not ${describe(description)}`);
  const minEvents = def['minEvents'] === undefined ? DEFAULT_MIN_EVENTS : def['minEvents'];
  if (typeof minEvents !== 'number' || !Number.isSafeInteger(minEvents) || minEvents < 0) {
    throw InvalidDefinition(child(field, 'minEvents'), `minEvents ${describe(minEvents)} must be a non-negative integer`);
  }
  if (def['sli'] === undefined) throw InvalidDefinition(child(field, 'sli'), 'sli is required: one of availability, latency or events');
  const sli = resolveSli(def['sli'], child(field, 'sli'), budgeting, child(field, 'budgeting'));
  return Object.freeze({ service, name, id: `${service}-${name}`, objective, errorBudget, window, budgeting, description, minEvents, sli });
}

function checkService(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw InvalidDefinition(field, `service ${describe(v)} must be a non-empty string`);
  return v;
}

/**
 * Validates SLO definitions into their resolved form. `input` is an array of definitions (the
 * service is `options.service`) or the file shape `{ service, slos }` (its `service` wins). Every
 * key of every object is checked; errors are coded (SL_ERR_SLO_*) and name the field under
 * `options.field` (default `slo.objectives`): `slo.objectives[1].sli.latency.threshold`, or
 * `slo.objectives.slos[1].objective` for the file shape.
 * @example
 * const [slo] = resolveSlos([{ name: 'availability', objective: 99.9, window: '30d',
 *   sli: { availability: { metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' } } } }],
 *   { service: 'checkout' });
 * slo.objective; // 0.999
 */
export function resolveSlos(input: SloFile | readonly SloDefinition[], options: { service: string; field?: string }): ResolvedSlo[] {
  const base = options.field ?? 'slo.objectives';
  let service: unknown = options.service;
  let list: unknown;
  let listField: string;
  if (Array.isArray(input)) {
    list = input;
    listField = base;
    service = checkService(service, 'service');
  } else if (isObject(input)) {
    // `path` is what loadSloFile() adds to the file it returns.
    checkOptionKeys(input, FILE_KEYS_WITH_PATH, UnknownSloOption, 'an SLO file', base === '' ? undefined : base);
    service = checkService(input['service'] === undefined ? service : input['service'], child(base, 'service'));
    list = input['slos'];
    listField = child(base, 'slos');
    if (!Array.isArray(list)) throw InvalidDefinition(listField, `slos must be an array of SLO definitions, not ${describe(list)}`);
  } else {
    throw InvalidDefinition(base === '' ? undefined : base, `SLOs must be an array of definitions or { service, slos }, not ${describe(input)}`);
  }
  const seen = new Map<string, number>();
  return (list as unknown[]).map((def, i) => {
    const f = `${listField}[${i}]`;
    const slo = resolveOne(def, f, service as string);
    const first = seen.get(slo.name);
    if (first !== undefined) throw InvalidDefinition(child(f, 'name'), `duplicate SLO name ${JSON.stringify(slo.name)}: ${listField}[${first}] has it already (names are unique per service)`);
    seen.set(slo.name, i);
    return slo;
  });
}

// ---------------------------------------------------------------------------------------------
// Files

/** The `[start, end)` offsets of the node a field path names (the key for an unknown key), else the nearest ancestor's. */
function locate(root: YamlNode | null, segments: readonly (string | number)[], preferKey: boolean): number | undefined {
  let node: unknown = root;
  let at: number | undefined = root?.range?.[0];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (pair === undefined) return at;
      const key = pair.key as YamlNode | null;
      const value = pair.value as YamlNode | null;
      if (last && preferKey && key?.range != null) return key.range[0];
      at = value?.range?.[0] ?? key?.range?.[0] ?? at;
      node = value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | null | undefined;
      if (item === undefined || item === null) return at;
      at = item.range?.[0] ?? at;
      node = item;
    } else {
      return at;
    }
  }
  return at;
}

/** The message of `e` without the ` (at \`field\`)` the error class appends. */
function ownText(e: SightlineError): string {
  const suffix = e.field === undefined ? '' : ` (at \`${e.field}\`)`;
  return suffix !== '' && e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
}

/**
 * Reads an SLO file (YAML, or JSON, which YAML includes) of the shape `{ service, slos }` and
 * validates it as {@link resolveSlos} does. A file that cannot be read or parsed throws
 * SL_ERR_SLO_FILE with the line and column of the syntax error; a definition error keeps its code,
 * names the field inside the file (`slos[1].objective`) and its message ends with the location of
 * that node, `(slo.yaml:12:7)`. Returns the definitions as written (validated) and the path.
 * @example
 * const file = loadSloFile('./slo.yaml');
 * const slos = resolveSlos(file, { service: 'ignored-when-the-file-names-one' });
 */
export function loadSloFile(path: string): SloFile & { path: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw SloFileError(undefined, path, err.code === 'ENOENT' ? 'no such file' : err.message);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const where = (offset: number | undefined): string => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `${path}:${line}:${col}`;
  };
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = syntax.linePos?.[0];
    const loc = pos !== undefined ? `${path}:${pos.line}:${pos.col}` : where(syntax.pos[0]);
    const reason = syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? syntax.code;
    throw SloFileError(undefined, path, `not valid YAML: ${reason} (${loc})`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw SloFileError(undefined, path, `${(e as Error).message} (${where(0)})`);
  }
  if (!isObject(data)) {
    throw SloFileError(undefined, path, `the file must be a mapping with service and slos, not ${data === null ? 'empty' : describe(data)} (${where(doc.contents?.range?.[0])})`);
  }
  try {
    checkOptionKeys(data, sloKeys.file, UnknownSloOption, 'an SLO file');
    resolveSlos(data as unknown as SloFile, { service: '', field: '' });
  } catch (e) {
    if (!(e instanceof SightlineError)) throw e;
    const offset = e.field === undefined ? doc.contents?.range?.[0] : locate(doc.contents, fieldSegments(e.field), e.code === UnknownSloOption.code || keyErrors.has(e));
    const out = new SightlineError(e.code, ownText(e), e.field, { cause: e });
    out.message = `${out.message} (${where(offset)})`;
    throw out;
  }
  return { ...(data as unknown as SloFile), path };
}

// ---------------------------------------------------------------------------------------------
// Registry checks

/** The registered metric an SLO's metric name means: the name itself, or a counter registered with or without `_total`. */
function lookup(registry: Registry, name: string): AnyMetric | undefined {
  const m = registry.get(name);
  if (m !== undefined) return m;
  const { family, sample } = counterNames(name);
  const other = registry.get(name === sample ? family : sample);
  return other?.type === 'counter' ? other : undefined;
}

/** Each metric an SLO reads, with the field naming it, what it must be and the label matchers applied to it. */
function metricUses(slo: ResolvedSlo, field: string): { metric: string; field: string; type: 'counter' | 'histogram'; matchers: { field: string; list: readonly ResolvedMatcher[] }[] }[] {
  const sli = slo.sli;
  const f = `${field}.sli.${sli.kind}`;
  switch (sli.kind) {
    case 'availability':
      return [{ metric: sli.metric, field: `${f}.metric`, type: 'counter', matchers: [{ field: `${f}.bad`, list: sli.bad }, { field: `${f}.match`, list: sli.match }] }];
    case 'latency':
      return [{ metric: sli.metric, field: `${f}.metric`, type: 'histogram', matchers: [{ field: `${f}.match`, list: sli.match }] }];
    case 'events':
      return (['good', 'total'] as const).map((k) => ({
        metric: sli[k].metric, field: `${f}.${k}.metric`, type: 'counter' as const, matchers: [{ field: `${f}.${k}.match`, list: sli[k].match }],
      }));
  }
}

/**
 * Checks resolved SLOs against the metrics a registry holds: availability and events SLIs read
 * counters (registered as `foo` or `foo_total`), latency SLIs a histogram whose bucket bounds
 * include the threshold exactly, and every matched label is one of the metric's label names.
 * Metrics not registered (yet) are skipped: see {@link missingMetrics}. Errors name
 * `${field}[i]…` (default field `slo.objectives`), `i` being the SLO's index in `slos`.
 */
export function checkSlosAgainstRegistry(slos: readonly ResolvedSlo[], registry: Registry, field = 'slo.objectives'): void {
  slos.forEach((slo, i) => {
    for (const use of metricUses(slo, `${field}[${i}]`)) {
      const m = lookup(registry, use.metric);
      if (m === undefined) {
        const base = /^(.*)_(?:bucket|count|sum)$/.exec(use.metric)?.[1];
        const h = base === undefined ? undefined : registry.get(base);
        if (h?.type === 'histogram' && use.type === 'histogram') {
          throw InvalidDefinition(use.field, `metric ${use.metric} is a sample of histogram ${h.name}: name the histogram itself (${h.name})`);
        }
        continue;
      }
      if (m.type !== use.type) throw WrongMetricType(use.field, use.metric, m.type, use.type, slo.sli.kind);
      for (const { field: mf, list } of use.matchers) {
        for (const matcher of list) {
          if (!m.labelNames.includes(matcher.label)) {
            const has = m.labelNames.length === 0 ? 'no labels' : `labels ${m.labelNames.join(', ')}`;
            throw InvalidDefinition(child(mf, matcher.label), `metric ${use.metric} has no label ${matcher.label} (it has ${has})`);
          }
        }
      }
      if (slo.sli.kind === 'latency' && m.type === 'histogram' && !m.buckets.includes(slo.sli.threshold)) {
        throw NotABucketBound(`${field}[${i}].sli.latency.threshold`, use.metric, slo.sli.threshold, m.buckets);
      }
    }
  });
}

/** The metric names the SLOs read that the registry does not hold (yet), each once, in order. */
export function missingMetrics(slos: readonly ResolvedSlo[], registry: Registry): string[] {
  const out = new Set<string>();
  for (const slo of slos) {
    for (const use of metricUses(slo, '')) if (lookup(registry, use.metric) === undefined) out.add(use.metric);
  }
  return [...out];
}
