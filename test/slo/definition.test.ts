// SLO definitions: validation in code and in files (codes, fields, line:column), the resolved
// form, Prometheus durations, and the checks against a real metrics Registry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { SightlineError } from 'sightline';
import { Registry } from 'sightline/metrics';
import { checkSlosAgainstRegistry, formatPromDuration, loadSloFile, missingMetrics, parseSloDuration, resolveSlos } from 'sightline/slo';
import type { SloDefinition, SloFile } from 'sightline/slo';
import { fieldSegments, sloKeys } from '../../src/slo/definition.js';

const dir = mkdtempSync(join(tmpdir(), 'sl-slo-def-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function writeFile(text: string, ext = 'yaml'): string {
  const p = join(dir, `slo-${files++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

const UNKNOWN = 'SL_ERR_SLO_UNKNOWN_OPTION';
const DEF = 'SL_ERR_SLO_INVALID_DEFINITION';
const OBJ = 'SL_ERR_SLO_INVALID_OBJECTIVE';
const WIN = 'SL_ERR_SLO_INVALID_WINDOW';

/** Asserts that `fn` throws `code` naming `field`, with a message matching `message` when given. */
function throwsCode(fn: () => unknown, code: string, field: string | undefined, message?: RegExp): SightlineError {
  let caught: SightlineError | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SightlineError, `not a SightlineError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.field, field, e.message);
    if (message !== undefined) assert.match(e.message, message);
    caught = e;
    return true;
  });
  return caught!;
}

const availability = (over: Record<string, unknown> = {}): SloDefinition => ({
  name: 'availability',
  objective: 99.9,
  window: '30d',
  sli: { availability: { metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' } } },
  ...over,
});

const latency = (over: Record<string, unknown> = {}, sli: Record<string, unknown> = {}): SloDefinition => ({
  name: 'latency',
  objective: 99,
  window: '30d',
  sli: { latency: { metric: 'http_server_request_duration_seconds', threshold: 0.25, ...sli } },
  ...over,
});

/** Resolves one definition given in code; errors name `slo.objectives[0]…`. */
const one = (def: unknown) => resolveSlos([def as SloDefinition], { service: 'checkout' })[0]!;

const ISSUE_YAML = `service: checkout
slos:
  - name: availability            # [a-z0-9_-]+, unique per service
    objective: 99.9               # percent
    window: 30d                   # rolling; also { calendar: month|week|quarter, timeZone: UTC }
    sli:
      availability:
        metric: http_server_requests_total          # any counter in the registry
        bad: { http_response_status_code: "5.." }  # label regexes, fully anchored as PromQL =~
        # match: { http_route: "/checkout" }       # optional filter applied to bad and total
  - name: latency
    objective: 99
    window: 30d
    sli:
      latency:
        metric: http_server_request_duration_seconds  # a histogram
        threshold: 0.25                             # must be one of its bucket bounds: checked at start
`;

test("the issue's YAML example loads and resolves", () => {
  const path = writeFile(ISSUE_YAML);
  const file = loadSloFile(path);
  assert.equal(file.path, path);
  assert.equal(file.service, 'checkout');
  assert.equal(file.slos.length, 2);
  const [a, l] = resolveSlos(file, { service: 'ignored' });
  assert.ok(a !== undefined && l !== undefined);
  assert.equal(a.service, 'checkout');
  assert.equal(a.id, 'checkout-availability');
  assert.equal(a.objective, 0.999);
  assert.equal(a.errorBudget, 0.001);
  assert.deepEqual(a.window, { kind: 'rolling', text: '30d', ms: 30 * 86_400_000 });
  assert.equal(a.budgeting, 'occurrences');
  assert.equal(a.minEvents, 10);
  assert.equal(a.description, undefined);
  assert.equal(a.sli.kind, 'availability');
  if (a.sli.kind !== 'availability') return;
  assert.equal(a.sli.metric, 'http_server_requests_total');
  assert.deepEqual(a.sli.bad.map((m) => [m.label, m.source, m.regex.source]), [['http_response_status_code', '5..', '^(?:5..)$']]);
  assert.deepEqual(a.sli.match, []);
  assert.equal(l.id, 'checkout-latency');
  assert.equal(l.objective, 0.99);
  assert.equal(l.errorBudget, 0.01);
  assert.deepEqual(l.sli, { kind: 'latency', metric: 'http_server_request_duration_seconds', threshold: 0.25, match: [], percentile: undefined });
});

test('objectives become exact ratios: 99.9 → 0.999 and budget 0.001', () => {
  const cases: [number, number, number][] = [
    [99.9, 0.999, 0.001], [99, 0.99, 0.01], [99.95, 0.9995, 0.0005], [99.99, 0.9999, 0.0001], [99.999, 0.99999, 0.00001],
    [95, 0.95, 0.05], [50, 0.5, 0.5], [0.1, 0.001, 0.999], [99.5, 0.995, 0.005], [90, 0.9, 0.1], [99.9999999999999, 0.999999999999999, 1e-15],
  ];
  // The naive arithmetic is off: the reason for the rounding.
  assert.notEqual(99.9 / 100, 0.999);
  assert.notEqual(1 - 0.999, 0.001);
  for (const [percent, objective, budget] of cases) {
    const s = one(availability({ objective: percent }));
    assert.equal(s.objective, objective, `${percent}`);
    assert.equal(s.errorBudget, budget, `${percent}`);
  }
});

test('objective outside (0, 100) or not a number: SL_ERR_SLO_INVALID_OBJECTIVE', () => {
  for (const bad of [0, 100, -1, 150, Number.NaN, Number.POSITIVE_INFINITY]) {
    throwsCode(() => one(availability({ objective: bad })), OBJ, 'slo.objectives[0].objective', /outside \(0, 100\)/);
  }
  throwsCode(() => one(availability({ objective: '99.9' })), OBJ, 'slo.objectives[0].objective', /"99.9": it is not a number/);
  throwsCode(() => one(availability({ objective: undefined })), OBJ, 'slo.objectives[0].objective', /required/);
  throwsCode(() => one(availability({ objective: 99.99999999999999 })), OBJ, 'slo.objectives[0].objective', /too close/);
  // The index names the right definition.
  throwsCode(() => resolveSlos([availability(), latency({ objective: 100 })], { service: 's' }), OBJ, 'slo.objectives[1].objective');
});

test('names: [a-z0-9_-]+, at most 128 characters, unique', () => {
  for (const bad of ['Availability', 'a b', '', 'a.b', 42, undefined, 'x'.repeat(129)]) {
    throwsCode(() => one(availability({ name: bad })), DEF, 'slo.objectives[0].name');
  }
  assert.equal(one(availability({ name: 'api_v2-availability' })).id, 'checkout-api_v2-availability');
  throwsCode(() => resolveSlos([availability(), latency(), availability()], { service: 's' }), DEF, 'slo.objectives[2].name',
    /duplicate SLO name "availability": slo.objectives\[0\] has it already/);
});

test('rolling windows: Prometheus durations from 1d to 400d in whole minutes, printed as Prometheus prints them', () => {
  const text = (w: string) => one(availability({ window: w })).window;
  assert.deepEqual(text('30d'), { kind: 'rolling', text: '30d', ms: 30 * 86_400_000 });
  assert.deepEqual(text('28d'), { kind: 'rolling', text: '4w', ms: 28 * 86_400_000 });
  assert.deepEqual(text('4w'), { kind: 'rolling', text: '4w', ms: 28 * 86_400_000 });
  assert.deepEqual(text('7d'), { kind: 'rolling', text: '1w', ms: 7 * 86_400_000 });
  assert.deepEqual(text('90d'), { kind: 'rolling', text: '90d', ms: 90 * 86_400_000 });
  assert.deepEqual(text('1d'), { kind: 'rolling', text: '1d', ms: 86_400_000 });
  assert.deepEqual(text('24h'), { kind: 'rolling', text: '1d', ms: 86_400_000 });
  assert.deepEqual(text('1d12h'), { kind: 'rolling', text: '1d12h', ms: 36 * 3_600_000 });
  assert.deepEqual(text('400d'), { kind: 'rolling', text: '400d', ms: 400 * 86_400_000 });
  const f = 'slo.objectives[0].window';
  throwsCode(() => text('1h'), WIN, f, /outside 1d to 400d/);
  throwsCode(() => text('401d'), WIN, f, /outside 1d to 400d/);
  throwsCode(() => text('2y'), WIN, f, /outside 1d to 400d/);
  throwsCode(() => text('1d30s'), WIN, f, /whole number of minutes/);
  throwsCode(() => text('30x'), WIN, f, /not a duration/);
  throwsCode(() => text('1.5d'), WIN, f, /integers/);
  throwsCode(() => text('30D'), WIN, f, /lower case/);
  throwsCode(() => text('30'), WIN, f, /no unit/);
  throwsCode(() => text('d30'), WIN, f);
  throwsCode(() => text('5m1h'), WIN, f); // largest unit first, as Prometheus requires
  throwsCode(() => text(''), WIN, f, /empty/);
  throwsCode(() => one(availability({ window: 30 })), WIN, f, /neither a rolling duration/);
  throwsCode(() => one(availability({ window: ['30d'] })), WIN, f);
  throwsCode(() => one(availability({ window: undefined })), WIN, f, /required/);
});

test('calendar windows: month, week, quarter with nominal lengths; time zones checked with Intl', () => {
  const w = (window: unknown) => one(availability({ window })).window;
  assert.deepEqual(w({ calendar: 'month' }), { kind: 'calendar', text: 'month', calendar: 'month', timeZone: 'UTC', ms: 30 * 86_400_000 });
  assert.deepEqual(w({ calendar: 'week', timeZone: 'UTC' }), { kind: 'calendar', text: 'week', calendar: 'week', timeZone: 'UTC', ms: 7 * 86_400_000 });
  assert.deepEqual(w({ calendar: 'quarter', timeZone: 'Europe/Berlin' }),
    { kind: 'calendar', text: 'quarter', calendar: 'quarter', timeZone: 'Europe/Berlin', ms: 90 * 86_400_000 });
  // Case-insensitive names come back in their canonical spelling.
  assert.equal((w({ calendar: 'month', timeZone: 'america/new_york' }) as { timeZone: string }).timeZone, 'America/New_York');
  const f = 'slo.objectives[0].window';
  throwsCode(() => w({ calendar: 'Mars/Olympus' }), WIN, `${f}.calendar`, /not month, week or quarter/);
  throwsCode(() => w({ calendar: 'year' }), WIN, `${f}.calendar`);
  throwsCode(() => w({}), WIN, `${f}.calendar`);
  throwsCode(() => w({ calendar: 'month', timeZone: 'Mars/Olympus' }), WIN, `${f}.timeZone`, /unknown time zone "Mars\/Olympus"/);
  throwsCode(() => w({ calendar: 'month', timeZone: '' }), WIN, `${f}.timeZone`);
  throwsCode(() => w({ calendar: 'month', timeZone: 1 }), WIN, `${f}.timeZone`);
  throwsCode(() => w({ calendar: 'month', timezone: 'UTC' }), UNKNOWN, `${f}.timezone`, /did you mean "timeZone"\?/);
});

test('sli: exactly one kind, objects all the way down', () => {
  const f = 'slo.objectives[0].sli';
  throwsCode(() => one(availability({ sli: {} })), DEF, f, /exactly one of availability, latency or events/);
  throwsCode(() => one(availability({ sli: undefined })), DEF, f, /required/);
  throwsCode(() => one(availability({ sli: 'availability' })), DEF, f, /must be an object/);
  throwsCode(() => one(availability({
    sli: { availability: { metric: 'a_total', bad: { code: '5..' } }, latency: { metric: 'h', threshold: 1 } },
  })), DEF, f, /sli has availability and latency/);
  throwsCode(() => one(availability({ sli: { availability: null } })), DEF, `${f}.availability`, /must be an object, not null/);
  throwsCode(() => one(availability({ sli: { availability: 'x' } })), DEF, `${f}.availability`, /must be an object/);
  throwsCode(() => one(availability({ sli: { events: { good: { metric: 'g_total' } } } })), DEF, `${f}.events.total`, /must be an object/);
  throwsCode(() => one('x'), DEF, 'slo.objectives[0]', /must be an object/);
  throwsCode(() => one(null), DEF, 'slo.objectives[0]');
});

test('availability: metric name, required non-empty bad, optional match', () => {
  const f = 'slo.objectives[0].sli.availability';
  const av = (a: Record<string, unknown>) => one(availability({ sli: { availability: a } }));
  const s = av({ metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' }, match: { http_route: '/checkout', http_request_method: 'GET|POST' } });
  assert.equal(s.sli.kind, 'availability');
  if (s.sli.kind !== 'availability') return;
  assert.deepEqual(s.sli.match.map((m) => m.label), ['http_route', 'http_request_method']);
  const method = s.sli.match[1]!.regex;
  assert.ok(method.test('GET') && method.test('POST'));
  assert.ok(!method.test('GETX') && !method.test('XPOST'), 'anchored around the whole alternation');
  const bad = s.sli.bad[0]!.regex;
  assert.ok(bad.test('503') && !bad.test('5030') && !bad.test('200'));
  throwsCode(() => av({ metric: 'http requests', bad: { a: 'b' } }), DEF, `${f}.metric`, /not a metric name/);
  throwsCode(() => av({ bad: { a: 'b' } }), DEF, `${f}.metric`);
  throwsCode(() => av({ metric: 'x_total' }), DEF, `${f}.bad`, /needs bad/);
  throwsCode(() => av({ metric: 'x_total', bad: {} }), DEF, `${f}.bad`, /at least one/);
  throwsCode(() => av({ metric: 'x_total', bad: 'code=5..' }), DEF, `${f}.bad`, /must be an object/);
  throwsCode(() => av({ metric: 'x_total', bad: { code: '5..' }, match: ['x'] }), DEF, `${f}.match`);
});

test('label regexes: valid label names, strings, compiling, nothing RE2 lacks', () => {
  const f = 'slo.objectives[0].sli.availability.bad';
  const bad = (b: Record<string, unknown>) => one(availability({ sli: { availability: { metric: 'x_total', bad: b } } }));
  throwsCode(() => bad({ '1code': '5..' }), DEF, `${f}["1code"]`, /not a label name/);
  throwsCode(() => bad({ 'http.status': '5..' }), DEF, `${f}["http.status"]`, /not a label name/);
  throwsCode(() => bad({ __name__: 'x' }), DEF, `${f}.__name__`, /not starting with __/);
  throwsCode(() => bad({ code: 500 }), DEF, `${f}.code`, /must be a string, not 500 \(quote it/);
  throwsCode(() => bad({ code: '5(' }), DEF, `${f}.code`, /does not compile/);
  throwsCode(() => bad({ code: '[5' }), DEF, `${f}.code`, /does not compile/);
  throwsCode(() => bad({ route: '(?!/health).*' }), DEF, `${f}.route`, /lookaheads .* \(Prometheus matches with RE2\)/);
  throwsCode(() => bad({ route: '(?=a)a' }), DEF, `${f}.route`, /lookaheads/);
  throwsCode(() => bad({ route: '.*(?<!x)' }), DEF, `${f}.route`, /lookbehinds/);
  throwsCode(() => bad({ route: '(?<=a)b' }), DEF, `${f}.route`, /lookbehinds/);
  throwsCode(() => bad({ route: '(a)\\1' }), DEF, `${f}.route`, /backreferences/);
  throwsCode(() => bad({ route: '(?<x>a)\\k<x>' }), DEF, `${f}.route`, /named backreferences/);
  throwsCode(() => bad({ route: '[]a]' }), DEF, `${f}.route`, /escape it/);
  // Escaped or in a class, the same characters are fine.
  for (const ok of ['\\(?=', '[(?=]', '\\\\1?', '5..|4..', '', '/api/v[0-9]+/.*', '[\\]a]', '(?:a|b)', '(?i)x'.slice(4)]) {
    assert.doesNotThrow(() => bad({ route: ok }), ok);
  }
});

test('latency: threshold, match, percentile only with timeslices', () => {
  const f = 'slo.objectives[0].sli.latency';
  throwsCode(() => one(latency({}, { threshold: '250ms' })), DEF, `${f}.threshold`, /finite number/);
  throwsCode(() => one(latency({}, { threshold: undefined })), DEF, `${f}.threshold`);
  throwsCode(() => one(latency({}, { threshold: Number.POSITIVE_INFINITY })), DEF, `${f}.threshold`);
  throwsCode(() => one(latency({}, { percentile: 95 })), DEF, `${f}.percentile`, /only allowed with budgeting: timeslices/);
  throwsCode(() => one(latency({ budgeting: 'timeslices' })), DEF, `${f}.percentile`, /needs percentile/);
  for (const p of [0, 100, -5, '95', Number.NaN]) {
    throwsCode(() => one(latency({ budgeting: 'timeslices' }, { percentile: p })), DEF, `${f}.percentile`, /strictly between 0 and 100/);
  }
  const s = one(latency({ budgeting: 'timeslices', objective: 99 }, { percentile: 95, threshold: 0.2, match: { http_route: '/checkout' } }));
  assert.equal(s.budgeting, 'timeslices');
  assert.deepEqual({ ...s.sli, match: undefined }, { kind: 'latency', metric: 'http_server_request_duration_seconds', threshold: 0.2, match: undefined, percentile: 95 });
  throwsCode(() => one(availability({ budgeting: 'timeslices' })), DEF, 'slo.objectives[0].budgeting', /needs a latency SLI with a percentile, not availability/);
  throwsCode(() => one(availability({ budgeting: 'minutes' })), DEF, 'slo.objectives[0].budgeting', /not occurrences or timeslices/);
});

test('events: a good and a total counter selector', () => {
  const s = one({
    name: 'jobs', objective: 99.5, window: '7d',
    sli: { events: { good: { metric: 'jobs_succeeded_total', match: { queue: 'mail' } }, total: { metric: 'jobs_total' } } },
  });
  assert.equal(s.sli.kind, 'events');
  if (s.sli.kind !== 'events') return;
  assert.equal(s.sli.good.metric, 'jobs_succeeded_total');
  assert.deepEqual(s.sli.good.match.map((m) => m.source), ['mail']);
  assert.equal(s.sli.total.metric, 'jobs_total');
  assert.deepEqual(s.sli.total.match, []);
  const f = 'slo.objectives[0].sli.events';
  const ev = (e: Record<string, unknown>) => one({ name: 'jobs', objective: 99, window: '7d', sli: { events: e } });
  throwsCode(() => ev({ total: { metric: 'jobs_total' } }), DEF, `${f}.good`, /must be an object/);
  throwsCode(() => ev({ good: { metric: 'a b' }, total: { metric: 'jobs_total' } }), DEF, `${f}.good.metric`);
  throwsCode(() => ev({ good: { metric: 'g_total', match: { 'x-y': 'a' } }, total: { metric: 'jobs_total' } }), DEF, `${f}.good.match["x-y"]`);
});

test('budgeting, description and minEvents', () => {
  const s = one(availability({ budgeting: 'occurrences', description: 'Checkout API uptime', minEvents: 0 }));
  assert.equal(s.budgeting, 'occurrences');
  assert.equal(s.description, 'Checkout API uptime');
  assert.equal(s.minEvents, 0);
  assert.equal(one(availability({ minEvents: 250 })).minEvents, 250);
  for (const bad of [-1, 1.5, '10', Number.NaN, null]) {
    throwsCode(() => one(availability({ minEvents: bad })), DEF, 'slo.objectives[0].minEvents', /non-negative integer/);
  }
  throwsCode(() => one(availability({ description: 42 })), DEF, 'slo.objectives[0].description');
});

test('unknown keys at every level: SL_ERR_SLO_UNKNOWN_OPTION with the path and the nearest key', () => {
  const f = 'slo.objectives[0]';
  throwsCode(() => one(availability({ objectiv: 99 })), UNKNOWN, `${f}.objectiv`, /unknown option "objectiv" in an SLO definition: did you mean "objective"\?/);
  throwsCode(() => one(availability({ window: { calender: 'month' } })), UNKNOWN, `${f}.window.calender`, /did you mean "calendar"/);
  throwsCode(() => one(availability({ sli: { availabilty: {} } })), UNKNOWN, `${f}.sli.availabilty`, /did you mean "availability"/);
  throwsCode(() => one(availability({ sli: { availability: { metric: 'x_total', bad: { a: 'b' }, matches: {} } } })), UNKNOWN,
    `${f}.sli.availability.matches`, /did you mean "match"/);
  throwsCode(() => one(latency({}, { treshold: 0.25 })), UNKNOWN, `${f}.sli.latency.treshold`, /did you mean "threshold"/);
  throwsCode(() => one({ name: 'e', objective: 99, window: '7d', sli: { events: { good: { metric: 'g_total' }, all: { metric: 't_total' } } } }), UNKNOWN,
    `${f}.sli.events.all`);
  throwsCode(() => one({ name: 'e', objective: 99, window: '7d', sli: { events: { good: { metric: 'g_total', label: {} }, total: { metric: 't_total' } } } }), UNKNOWN,
    `${f}.sli.events.good.label`);
  throwsCode(() => resolveSlos({ service: 's', slos: [], servise: 'x' } as never, { service: 'x' }), UNKNOWN, 'slo.objectives.servise', /an SLO file: did you mean "service"/);
});

test('the file shape in code: its service wins, fields name slos[i]', () => {
  const file: SloFile = { service: 'payments', slos: [availability(), latency()] };
  const slos = resolveSlos(file, { service: 'checkout' });
  assert.deepEqual(slos.map((s) => s.id), ['payments-availability', 'payments-latency']);
  throwsCode(() => resolveSlos({ service: 'p', slos: [availability({ objective: 0 })] }, { service: 'c' }), OBJ, 'slo.objectives.slos[0].objective');
  throwsCode(() => resolveSlos({ service: 'p', slos: 'x' } as never, { service: 'c' }), DEF, 'slo.objectives.slos', /must be an array/);
  // Without its own service the option's is used.
  assert.equal(resolveSlos({ slos: [availability()] } as never, { service: 'c' })[0]!.id, 'c-availability');
  throwsCode(() => resolveSlos({ service: '', slos: [] }, { service: 'c' }), DEF, 'slo.objectives.service');
  throwsCode(() => resolveSlos([availability()], { service: ' ' }), DEF, 'service', /non-empty/);
  throwsCode(() => resolveSlos('./slo.yaml' as never, { service: 'c' }), DEF, 'slo.objectives', /array of definitions or \{ service, slos \}/);
  // Another field prefix.
  throwsCode(() => resolveSlos([availability({ objective: 0 })], { service: 'c', field: 'objectives' }), OBJ, 'objectives[0].objective');
  assert.deepEqual(resolveSlos([], { service: 'c' }), []);
});

test('resolved SLOs are frozen, matchers included', () => {
  const s = one(availability({ sli: { availability: { metric: 'x_total', bad: { code: '5..' }, match: { route: '/a' } } } }));
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.window) && Object.isFrozen(s.sli));
  if (s.sli.kind !== 'availability') return;
  assert.ok(Object.isFrozen(s.sli.bad) && Object.isFrozen(s.sli.bad[0]) && Object.isFrozen(s.sli.match));
});

test('parseSloDuration and formatPromDuration: Prometheus duration text', () => {
  const cases: [string, number][] = [
    ['10s', 10_000], ['5m', 300_000], ['1h30m', 5_400_000], ['30d', 2_592_000_000], ['4w', 2_419_200_000], ['1y', 31_536_000_000],
    ['250ms', 250], ['1m30s', 90_000], ['1d2h3m4s5ms', 93_784_005], ['90m', 5_400_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseSloDuration(text, 'slo.interval'), ms, text);
  assert.equal(parseSloDuration(1500, 'slo.interval'), 1500);
  for (const bad of ['', '0s', '0', '10', '1.5h', '5m1h', '10S', 'ms', '1h 30m', '-5m', '99999999999999y']) {
    throwsCode(() => parseSloDuration(bad, 'slo.interval'), 'SL_ERR_SLO_INVALID_DURATION', 'slo.interval', /Prometheus duration text/);
  }
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, {}]) {
    throwsCode(() => parseSloDuration(bad, 'slo.interval'), 'SL_ERR_SLO_INVALID_DURATION', 'slo.interval');
  }
  const printed: [number, string][] = [
    [30 * 86_400_000, '30d'], [300_000, '5m'], [5_400_000, '1h30m'], [28 * 86_400_000, '4w'], [7 * 86_400_000, '1w'], [90 * 86_400_000, '90d'],
    [365 * 86_400_000, '1y'], [730 * 86_400_000, '2y'], [366 * 86_400_000, '366d'], [3_600_000, '1h'], [86_400_000, '1d'], [1500, '1s500ms'], [0, '0s'],
  ];
  for (const [ms, text] of printed) assert.equal(formatPromDuration(ms), text, text);
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e13 }), (ms) => parseSloDuration(formatPromDuration(ms), 'x') === ms));
});

test('loadSloFile: syntax errors with line:column', () => {
  const path = writeFile('service: checkout\nslos:\n  - name: [availability\n    objective: 99.9\n');
  const e = throwsCode(() => loadSloFile(path), 'SL_ERR_SLO_FILE', undefined, /not valid YAML: .*\(.*slo-\d+\.yaml:\d+:\d+\)$/);
  assert.ok(e.message.includes(path));
  const dup = writeFile('service: checkout\nservice: again\nslos: []\n');
  throwsCode(() => loadSloFile(dup), 'SL_ERR_SLO_FILE', undefined, /unique.*:2:1\)$/);
  const tab = writeFile('service: checkout\nslos:\n\t- name: x\n');
  throwsCode(() => loadSloFile(tab), 'SL_ERR_SLO_FILE', undefined, /:3:1\)$/);
  throwsCode(() => loadSloFile(join(dir, 'absent.yaml')), 'SL_ERR_SLO_FILE', undefined, /absent\.yaml": no such file/);
  throwsCode(() => loadSloFile(dir), 'SL_ERR_SLO_FILE', undefined, /EISDIR/);
  throwsCode(() => loadSloFile(writeFile('')), 'SL_ERR_SLO_FILE', undefined, /must be a mapping with service and slos, not empty/);
  throwsCode(() => loadSloFile(writeFile('- name: x\n')), 'SL_ERR_SLO_FILE', undefined, /must be a mapping .*\(an array\) \(.*:1:1\)$/);
  // The loaded file outlives the error: an under() prefix keeps code and field under the option.
  assert.equal(e.under('slo.objectives').field, 'slo.objectives');
});

test('loadSloFile: definition errors name the field in the file and end with its line:column', () => {
  const path = writeFile(ISSUE_YAML.replace('objective: 99\n', 'objective: 150\n').replace('threshold: 0.25', 'threshold: 0.25\n        treshold: 1'));
  // objective of slos[1] is line 12 ("    objective: 150"), its value at column 16.
  const e = throwsCode(() => loadSloFile(path), OBJ, 'slos[1].objective');
  assert.ok(e.message.endsWith(`(at \`slos[1].objective\`) (${path}:12:16)`), e.message);
  assert.ok(e.cause instanceof SightlineError);

  const unknown = writeFile(ISSUE_YAML.replace('threshold: 0.25', 'threshold: 0.25\n        treshold: 1'));
  // Unknown keys point at the key itself.
  const u = throwsCode(() => loadSloFile(unknown), UNKNOWN, 'slos[1].sli.latency.treshold', /did you mean "threshold"/);
  assert.ok(u.message.endsWith(`(${unknown}:18:9)`), u.message);

  const regex = writeFile(ISSUE_YAML.replace('"5.."', '"5(("'));
  const r = throwsCode(() => loadSloFile(regex), DEF, 'slos[0].sli.availability.bad.http_response_status_code', /does not compile/);
  assert.ok(r.message.endsWith(`(${regex}:9:43)`), r.message);

  const badLabel = writeFile(ISSUE_YAML.replace('{ http_response_status_code: "5.." }', '{ "http.code": "5.." }'));
  const b = throwsCode(() => loadSloFile(badLabel), DEF, 'slos[0].sli.availability.bad["http.code"]');
  assert.ok(b.message.endsWith(`(${badLabel}:9:16)`), b.message);

  // A missing key points at the object that lacks it.
  const missing = writeFile(ISSUE_YAML.replace('    objective: 99.9               # percent\n', ''));
  const m = throwsCode(() => loadSloFile(missing), OBJ, 'slos[0].objective', /required/);
  assert.ok(m.message.endsWith(`(${missing}:3:5)`), m.message);

  const dupName = writeFile(ISSUE_YAML.replace('name: latency', 'name: availability'));
  const d = throwsCode(() => loadSloFile(dupName), DEF, 'slos[1].name', /duplicate SLO name "availability": slos\[0\] has it already/);
  assert.ok(d.message.endsWith(`(${dupName}:11:11)`), d.message);

  const noService = writeFile(ISSUE_YAML.replace('service: checkout\n', ''));
  const s = throwsCode(() => loadSloFile(noService), DEF, 'service', /must be a non-empty string/);
  assert.ok(s.message.endsWith(`(${noService}:1:1)`), s.message);

  const topUnknown = writeFile(`${ISSUE_YAML}owner: team-a\n`);
  const t = throwsCode(() => loadSloFile(topUnknown), UNKNOWN, 'owner', /in an SLO file/);
  assert.ok(t.message.endsWith(`(${topUnknown}:18:1)`), t.message);

  const tz = writeFile(ISSUE_YAML.replace('window: 30d                   #', 'window: { calendar: month, timeZone: Mars/Olympus } #'));
  const z = throwsCode(() => loadSloFile(tz), WIN, 'slos[0].window.timeZone');
  assert.ok(z.message.endsWith(`(${tz}:5:42)`), z.message);
});

test('loadSloFile reads JSON too', () => {
  const file = { service: 'checkout', slos: [availability(), latency({ window: { calendar: 'week', timeZone: 'UTC' } })] };
  const path = writeFile(JSON.stringify(file, null, 2), 'json');
  assert.deepEqual(loadSloFile(path), { ...file, path });
  const bad = writeFile(JSON.stringify({ service: 'checkout', slos: [availability({ minEvents: -1 })] }, null, 2), 'json');
  const e = throwsCode(() => loadSloFile(bad), DEF, 'slos[0].minEvents');
  assert.match(e.message, /:\d+:\d+\)$/);
});

test('fieldSegments inverts the field paths errors use', () => {
  assert.deepEqual(fieldSegments('slos[1].sli.latency.threshold'), ['slos', 1, 'sli', 'latency', 'threshold']);
  assert.deepEqual(fieldSegments('slos[0].sli.availability.bad["http.code"]'), ['slos', 0, 'sli', 'availability', 'bad', 'http.code']);
  assert.deepEqual(fieldSegments('owner'), ['owner']);
});

function registry(): Registry {
  const r = new Registry();
  r.counter({ name: 'http_server_requests_total', help: 'Requests', labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] });
  r.histogram({ name: 'http_server_request_duration_seconds', help: 'Durations', labelNames: ['http_request_method', 'http_route', 'http_response_status_code'], buckets: [0.05, 0.1, 0.25, 0.5, 1] });
  r.counter({ name: 'jobs', help: 'Jobs (registered without _total)', labelNames: ['queue'] });
  r.gauge({ name: 'queue_depth', help: 'Depth' });
  return r;
}

test('registry: thresholds that are bucket bounds pass, others list the bounds', () => {
  const r = registry();
  const ok = resolveSlos([availability(), latency()], { service: 'checkout' });
  checkSlosAgainstRegistry(ok, r);
  assert.deepEqual(missingMetrics(ok, r), []);
  const bad = resolveSlos([availability(), latency({}, { threshold: 0.2 })], { service: 'checkout' });
  throwsCode(() => checkSlosAgainstRegistry(bad, r), 'SL_ERR_SLO_NOT_A_BUCKET_BOUND', 'slo.objectives[1].sli.latency.threshold',
    /latency threshold 0\.2 is not a bucket bound of histogram http_server_request_duration_seconds: use one of 0\.05, 0\.1, 0\.25, 0\.5, 1/);
  // Exactly: 0.7 - 0.2 is not 0.5.
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([latency({}, { threshold: 0.7 - 0.2 })], { service: 'c' }), r, 'objectives'),
    'SL_ERR_SLO_NOT_A_BUCKET_BOUND', 'objectives[0].sli.latency.threshold');
  // Default buckets of a histogram without explicit ones.
  const d = new Registry();
  d.histogram({ name: 'job_duration_seconds', help: 'Job durations' });
  checkSlosAgainstRegistry(resolveSlos([latency({}, { metric: 'job_duration_seconds', threshold: 0.25 })], { service: 'c' }), d);
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([latency({}, { metric: 'job_duration_seconds', threshold: 0.2 })], { service: 'c' }), d),
    'SL_ERR_SLO_NOT_A_BUCKET_BOUND', 'slo.objectives[0].sli.latency.threshold');
});

test('registry: availability and events need counters, latency a histogram', () => {
  const r = registry();
  const WRONG = 'SL_ERR_SLO_WRONG_METRIC_TYPE';
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([availability({
    sli: { availability: { metric: 'http_server_request_duration_seconds', bad: { http_response_status_code: '5..' } } },
  })], { service: 'c' }), r), WRONG, 'slo.objectives[0].sli.availability.metric',
  /metric http_server_request_duration_seconds is a histogram, but a availability SLI needs a counter/);
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([latency({}, { metric: 'http_server_requests_total' })], { service: 'c' }), r), WRONG,
    'slo.objectives[0].sli.latency.metric', /is a counter, but a latency SLI needs a histogram/);
  const events = (good: string, total: string) => resolveSlos([{ name: 'jobs', objective: 99, window: '7d', sli: { events: { good: { metric: good }, total: { metric: total } } } }], { service: 'c' });
  throwsCode(() => checkSlosAgainstRegistry(events('jobs_total', 'queue_depth'), r), WRONG, 'slo.objectives[0].sli.events.total.metric', /is a gauge/);
  // A counter registered as `jobs` is read as `jobs_total`, and `http_server_requests` as its `_total` name.
  checkSlosAgainstRegistry(events('jobs_total', 'http_server_requests'), r);
  checkSlosAgainstRegistry(events('jobs', 'http_server_requests_total'), r);
  assert.deepEqual(missingMetrics(events('jobs_total', 'http_server_requests'), r), []);
  // A histogram's sample names are not the histogram.
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([latency({}, { metric: 'http_server_request_duration_seconds_bucket' })], { service: 'c' }), r), DEF,
    'slo.objectives[0].sli.latency.metric', /name the histogram itself \(http_server_request_duration_seconds\)/);
});

test('registry: matched labels must be the metric\'s', () => {
  const r = registry();
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([availability({
    sli: { availability: { metric: 'http_server_requests_total', bad: { status: '5..' } } },
  })], { service: 'c' }), r), DEF, 'slo.objectives[0].sli.availability.bad.status',
  /metric http_server_requests_total has no label status \(it has labels http_request_method, http_route, http_response_status_code\)/);
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([availability({
    sli: { availability: { metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' }, match: { route: '/a' } } },
  })], { service: 'c' }), r), DEF, 'slo.objectives[0].sli.availability.match.route');
  throwsCode(() => checkSlosAgainstRegistry(resolveSlos([latency({}, { match: { le: '0.25' } })], { service: 'c' }), r), DEF,
    'slo.objectives[0].sli.latency.match.le', /has no label le/);
});

test('registry: metrics not registered yet are skipped and listed by missingMetrics', () => {
  const r = registry();
  const slos = resolveSlos([
    { name: 'q', objective: 99, window: '7d', sli: { events: { good: { metric: 'jobs', match: { queue: 'mail' } }, total: { metric: 'jobs_started_total', match: { x: 'y' } } } } },
    latency({}, { metric: 'rpc_duration_seconds', threshold: 0.3 }),
    availability({ name: 'again', sli: { availability: { metric: 'jobs_started_total', bad: { x: 'y' } } } }),
  ], { service: 'c' });
  checkSlosAgainstRegistry(slos, r);
  assert.deepEqual(missingMetrics(slos, r), ['jobs_started_total', 'rpc_duration_seconds']);
  // Once registered, the same SLOs are checked.
  r.histogram({ name: 'rpc_duration_seconds', help: 'RPC', buckets: [0.1, 0.3] });
  r.counter({ name: 'jobs_started', help: 'Started', labelNames: ['x'] });
  assert.deepEqual(missingMetrics(slos, r), []);
  checkSlosAgainstRegistry(slos, r);
});

test('sloKeys lists every key of the definition types', () => {
  assert.deepEqual([...sloKeys.definition].sort(), ['budgeting', 'description', 'minEvents', 'name', 'objective', 'sli', 'window']);
  assert.deepEqual([...sloKeys.sli], ['availability', 'latency', 'events']);
});

const labelName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/).filter((l) => !l.startsWith('__'));
const regexSource = fc.oneof(
  fc.constantFrom('5..', '4..|5..', '/checkout', '.*', 'GET|POST', '[a-z]+', '', '/api/v[0-9]+/.+', '\\d{3}', 'a\\.b'),
  fc.stringMatching(/^[a-z0-9/_]{0,10}$/),
);
const matchers = (min: number) => fc.dictionary(labelName, regexSource, { minKeys: min, maxKeys: 3 });
const metricName = fc.stringMatching(/^[a-z_:][a-z0-9_:]{0,20}$/);
const windowArb = fc.oneof(
  fc.integer({ min: 1, max: 400 }).map((d) => `${d}d`),
  fc.integer({ min: 1, max: 57 }).map((w) => `${w}w`),
  fc.integer({ min: 24, max: 9600 }).map((h) => `${h}h`),
  fc.record({ calendar: fc.constantFrom('month', 'week', 'quarter') }),
  fc.record({ calendar: fc.constantFrom('month', 'week', 'quarter'), timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata') }),
);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((x) => (Object.is(x, -0) ? 0 : x));
const percent = fc.double({ noNaN: true, min: 1e-6, max: 99.999, maxExcluded: false });
const selector = fc.record({ metric: metricName, match: matchers(0) }, { requiredKeys: ['metric'] });
const optional = { budgeting: fc.constant('occurrences'), description: fc.string({ maxLength: 40 }), minEvents: fc.nat() };
const definitionArb = fc.oneof(
  fc.record({
    name: fc.constant(''), objective: percent, window: windowArb,
    sli: fc.record({ availability: fc.record({ metric: metricName, bad: matchers(1), match: matchers(0) }, { requiredKeys: ['metric', 'bad'] }) }),
    ...optional,
  }, { requiredKeys: ['name', 'objective', 'window', 'sli'] }),
  fc.record({
    name: fc.constant(''), objective: percent, window: windowArb,
    sli: fc.record({ latency: fc.record({ metric: metricName, threshold: finite, match: matchers(0) }, { requiredKeys: ['metric', 'threshold'] }) }),
    ...optional,
  }, { requiredKeys: ['name', 'objective', 'window', 'sli'] }),
  fc.record({
    name: fc.constant(''), objective: percent, window: windowArb, budgeting: fc.constant('timeslices'),
    sli: fc.record({ latency: fc.record({ metric: metricName, threshold: finite, match: matchers(0), percentile: percent }, { requiredKeys: ['metric', 'threshold', 'percentile'] }) }),
    description: optional.description, minEvents: optional.minEvents,
  }, { requiredKeys: ['name', 'objective', 'window', 'sli', 'budgeting'] }),
  fc.record({
    name: fc.constant(''), objective: percent, window: windowArb,
    sli: fc.record({ events: fc.record({ good: selector, total: selector }) }),
    ...optional,
  }, { requiredKeys: ['name', 'objective', 'window', 'sli'] }),
);
const fileArb = fc.record({
  service: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
  slos: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z0-9_-]{1,20}$/), definitionArb), { maxLength: 4, selector: ([n]) => n })
    .map((list) => list.map(([name, def]) => ({ ...def, name }))),
}) as fc.Arbitrary<SloFile>;

test('property: valid definitions printed as YAML or JSON load back unchanged and resolve the same', () => {
  fc.assert(fc.property(fileArb, fc.boolean(), (file, json) => {
    file = JSON.parse(JSON.stringify(file)) as SloFile; // plain prototypes, as a parser makes them
    const path = writeFile(json ? JSON.stringify(file) : stringify(file), json ? 'json' : 'yaml');
    const loaded = loadSloFile(path);
    assert.deepEqual(loaded, { ...file, path });
    const a = resolveSlos(file, { service: 'x' });
    const b = resolveSlos(loaded, { service: 'y' });
    assert.deepEqual(b, a);
    for (const [i, s] of a.entries()) {
      const def = file.slos[i]!;
      assert.equal(s.id, `${file.service}-${def.name}`);
      assert.equal(s.objective, Number((def.objective / 100).toPrecision(15)));
      assert.ok(s.objective > 0 && s.objective < 1 && s.errorBudget > 0 && s.errorBudget < 1);
      assert.ok(Math.abs(s.objective + s.errorBudget - 1) < 1e-15, `${s.objective} + ${s.errorBudget}`);
      // The window's text reads back as the same length.
      if (s.window.kind === 'rolling') assert.equal(parseSloDuration(s.window.text, 'w'), s.window.ms);
    }
  }), { numRuns: 150 });
});
