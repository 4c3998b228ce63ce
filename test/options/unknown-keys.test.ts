// Every public constructor that takes options rejects a key it does not know, with its pillar's
// SL_ERR_<PILLAR>_UNKNOWN_OPTION code, the key's path in `field` and a did-you-mean suggestion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SightlineError } from 'sightline';
import { closestKey } from '../../src/errors.js';
import { createLogger, file, rotatingFile, stdout, stderr, fdDestination, syslog, writable } from 'sightline/log';
import { memory } from 'sightline/testing';
import {
  AlwaysOnSampler, B3Propagator, BatchSpanProcessor, createResource, InMemorySpanExporter, ParentBasedSampler, RecentTraces, SimpleSpanProcessor,
  TailSamplingProcessor, TracerProvider,
} from 'sightline/trace';
import { OtlpLogDestination, OtlpSpanExporter } from 'sightline/otlp';
import {
  createHealth, createShutdown, customCheck, diskSpaceCheck, ErrorGroups, eventLoopDelayCheck, heapCheck, httpCheck, installCrashCapture,
} from 'sightline/health';
import { createHttpInstrumentation, HttpClientInstrumentation } from 'sightline/http';
import { ClusterAggregator, collectDefaultMetrics, collectSystemMetrics, metricsHandler, Pushgateway, Registry } from 'sightline/metrics';

/** Asserts that `fn` throws `code` with `field`, and that the message names `key` (and `near`, when given). */
export function assertUnknown(fn: () => unknown, code: string, field: string, near?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SightlineError, `not a SightlineError: ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.field, field);
    const key = field.slice(field.lastIndexOf('.') + 1);
    assert.ok(e.message.includes(`unknown option "${key}"`), e.message);
    if (near !== undefined) assert.ok(e.message.includes(`did you mean "${near}"?`), e.message);
    return true;
  });
}

const LOG = 'SL_ERR_LOG_UNKNOWN_OPTION';

test('log: createLogger and its nested options reject unknown keys', () => {
  const destination = memory();
  assertUnknown(() => createLogger({ destination, levle: 'info' } as never), LOG, 'levle', 'level');
  assertUnknown(() => createLogger({ destination, redact: { patern: true } } as never), LOG, 'redact.patern', 'patterns');
  assertUnknown(() => createLogger({ destination, redact: { patterns: { card: true } } } as never), LOG, 'redact.patterns.card', 'cards');
  assertUnknown(() => createLogger({ destination, rateLimit: { max: 1, window: 5 } } as never), LOG, 'rateLimit.window', 'windowMs');
  assertUnknown(() => createLogger({ destination, limits: { maxDepht: 3 } } as never), LOG, 'limits.maxDepht', 'maxDepth');
  assertUnknown(() => createLogger({ destination: [{ destination, levl: 'warn' }] } as never), LOG, 'destination[0].levl', 'level');
  // Far from every key: no suggestion, the known keys are listed instead.
  assert.throws(() => createLogger({ destination, colour: true } as never), /unknown option "colour" in createLogger\(\): use one of service, level, /);
});

test('log: destinations reject unknown keys', () => {
  const dir = tmpdir();
  assertUnknown(() => memory({ maxx: 3 } as never), LOG, 'destination.maxx', 'max');
  assertUnknown(() => stdout({ maxBufer: 1 } as never), LOG, 'destination.maxBufer', 'maxBuffer');
  assertUnknown(() => stderr({ onfull: 'drop' } as never), LOG, 'destination.onfull', 'onFull');
  assertUnknown(() => fdDestination(1, { batchsize: 1 } as never), LOG, 'destination.batchsize', 'batchSize');
  assertUnknown(() => file(join(dir, 'x.log'), { mkdirs: true } as never), LOG, 'destination.mkdirs', 'mkdir');
  assertUnknown(() => rotatingFile({ path: join(dir, 'r.log'), size: '1MB', keeep: 2 } as never), LOG, 'destination.keeep', 'keep');
  assertUnknown(() => syslog({ host: '127.0.0.1', facilty: 'local0' } as never), LOG, 'destination.facilty', 'facility');
  assertUnknown(() => syslog({ host: '127.0.0.1', reconnect: { maxDelay: 1 } } as never), LOG, 'destination.reconnect.maxDelay', 'maxDelayMs');
  assertUnknown(() => syslog({ host: '127.0.0.1', protocol: 'tls', tls: { certs: 'x' } } as never), LOG, 'destination.tls.certs', 'cert');
  assertUnknown(() => writable(new PassThrough(), { maxBufer: 1 } as never), LOG, 'destination.maxBufer', 'maxBuffer');
});

const METRICS = 'SL_ERR_METRICS_UNKNOWN_OPTION';

test('metrics: the registry, metric definitions, collectors, handler, cluster, push and collectors reject unknown keys', () => {
  assertUnknown(() => new Registry({ maxSeris: 10 } as never), METRICS, 'maxSeris', 'maxSeries');
  const r = new Registry({ onWarning: () => undefined });
  assertUnknown(() => r.counter({ name: 'a_total', help: 'a', labelName: ['x'] } as never), METRICS, 'labelName', 'labelNames');
  assertUnknown(() => r.gauge({ name: 'g', help: 'g', exemplars: true } as never), METRICS, 'exemplars');
  assertUnknown(() => r.histogram({ name: 'h', help: 'h', bucket: [1] } as never), METRICS, 'bucket', 'buckets');
  assertUnknown(() => r.summary({ name: 's', help: 's', percentile: [0.5] } as never), METRICS, 'percentile', 'percentiles');
  assert.equal(r.getMetricsAsArray().length, 0, 'nothing was defined');
  assertUnknown(() => r.registerCollector(() => undefined, { timeout: 5 } as never), METRICS, 'timeout', 'timeoutMs');
  assertUnknown(() => metricsHandler(r, { gzipLvl: 1 } as never), METRICS, 'gzipLvl', 'gzipLevel');
  assertUnknown(() => new ClusterAggregator({ rule: {} } as never), METRICS, 'rule', 'rules');
  assertUnknown(() => new Pushgateway({ url: 'http://127.0.0.1:9091', job: 'j', grouping: {} } as never), METRICS, 'grouping');
  assertUnknown(() => collectDefaultMetrics(r, { prefx: 'x_' } as never), METRICS, 'prefx', 'prefix');
  assertUnknown(() => collectSystemMetrics(r, { netDevicesExcluded: /lo/ } as never), METRICS, 'netDevicesExcluded', 'netDevicesExclude');
});

test('suggestions: Levenshtein distance ≤ 2 (case-insensitive), else the longest shared beginning (≥ 4 and half the key)', () => {
  assert.equal(closestKey('servce', ['service', 'serviceVersion']), 'service');
  assert.equal(closestKey('SERVICE', ['service']), 'service');
  assert.equal(closestKey('levle', ['level', 'label']), 'level');
  assert.equal(closestKey('colour', ['service', 'level']), undefined);
  assert.equal(closestKey('flush', ['flushIntervalMs', 'batchSize']), 'flushIntervalMs');
  assert.equal(closestKey('ab', ['abcdef']), undefined, 'too short for a prefix match');
  assert.equal(closestKey('timeoutMs', ['timeout', 'timeoutMillis']), 'timeout', 'the edit distance first');
  assert.equal(closestKey('maxQueue', ['maxQueueSize', 'maxBatchSize']), 'maxQueueSize');
  assert.equal(closestKey('readiness', ['live', 'ready', 'startup']), undefined, '"read" is under half of the key');
  assert.equal(closestKey('serviceNameSpace', ['service', 'serviceVersion']), undefined, 'a shared beginning shorter than half the key');
});

const TRACE = 'SL_ERR_TRACE_UNKNOWN_OPTION';

test('trace: the provider and its nested options, processors, samplers and propagators reject unknown keys', () => {
  const env = {};
  assertUnknown(() => new TracerProvider({ env, sampeler: 'always_on' } as never), TRACE, 'sampeler', 'sampler');
  assertUnknown(() => new TracerProvider({ env, limits: { attributeCountLimt: 1 } } as never), TRACE, 'limits.attributeCountLimt', 'attributeCountLimit');
  assertUnknown(() => new TracerProvider({ env, recentTraces: { latests: 5 } } as never), TRACE, 'recentTraces.latests', 'latest');
  assertUnknown(() => new TracerProvider({ env, tail: { ratios: 0.5 } } as never), TRACE, 'tail.ratios', 'ratio');
  const exporter = new InMemorySpanExporter();
  assertUnknown(() => new TracerProvider({ env, exporters: [exporter], batch: { maxQueueSise: 5 } } as never), TRACE, 'batch.maxQueueSise', 'maxQueueSize');
  assertUnknown(() => new BatchSpanProcessor(exporter, { scheduleDelay: 5 } as never, env), TRACE, 'batch.scheduleDelay', 'scheduleDelayMs');
  assertUnknown(() => new SimpleSpanProcessor(exporter, { exportTimeout: 5 } as never), TRACE, 'exportTimeout', 'exportTimeoutMs');
  assertUnknown(() => new TailSamplingProcessor([], { maxTrace: 5 } as never), TRACE, 'tail.maxTrace', 'maxTraces');
  assertUnknown(() => new RecentTraces({ slowest: 1, erored: 2 } as never), TRACE, 'recentTraces.erored', 'errored');
  assertUnknown(() => new ParentBasedSampler({ root: new AlwaysOnSampler(), remoteParentSample: new AlwaysOnSampler() } as never), TRACE, 'sampler.remoteParentSample', 'remoteParentSampled');
  assertUnknown(() => new B3Propagator({ encoding: 'multi' } as never), TRACE, 'encoding');
  assertUnknown(() => createResource({ servce: 'x' } as never, env), TRACE, 'servce', 'service');
  const provider = new TracerProvider({ env });
  assertUnknown(() => provider.register({ propagater: null } as never), TRACE, 'propagater', 'propagator');
  void provider.shutdown();
});

const OTLP = 'SL_ERR_OTLP_UNKNOWN_OPTION';

test('otlp: the span exporter and the log destination reject unknown keys', () => {
  const env = {};
  assertUnknown(() => new OtlpSpanExporter({ env, timeoutMs: 5 } as never), OTLP, 'timeoutMs', 'timeoutMillis');
  assertUnknown(() => new OtlpSpanExporter({ env, endpoint: 'http://127.0.0.1:4318' } as never), OTLP, 'endpoint');
  assertUnknown(() => new OtlpLogDestination({ env, maxQueuedBatches: 2 } as never), OTLP, 'maxQueuedBatches', 'maxQueueSize');
  assertUnknown(() => new OtlpLogDestination({ env, levle: 'info' } as never), OTLP, 'levle', 'level');
});

const HEALTH = 'SL_ERR_HEALTH_UNKNOWN_OPTION';

test('health: probes, checks, shutdown, crash capture and error groups reject unknown keys', () => {
  assertUnknown(() => createHealth({ timeout: 5 } as never), HEALTH, 'timeout', 'timeoutMs');
  assertUnknown(() => createHealth({ paths: { readiness: '/r' } } as never), HEALTH, 'paths.readiness');
  const health = createHealth({ started: true });
  assertUnknown(() => health.register({ name: 'db', check: () => Promise.resolve({ status: 'pass' as const }), critcal: false } as never), HEALTH, 'critcal', 'critical');
  health.close();
  assertUnknown(() => httpCheck('http://127.0.0.1:1/', { expectStatus: 200 } as never), HEALTH, 'expectStatus', 'expectedStatus');
  assertUnknown(() => diskSpaceCheck({ warnBelow: 1 } as never), HEALTH, 'warnBelow', 'warnBelowBytes');
  assertUnknown(() => eventLoopDelayCheck({ failMS: 1 } as never), HEALTH, 'failMS', 'failMs');
  assertUnknown(() => heapCheck({ warnPct: 1 } as never), HEALTH, 'warnPct');
  assertUnknown(() => customCheck(() => Promise.resolve({ status: 'pass' as const }), { measurment: 'x' } as never), HEALTH, 'measurment', 'measurement');
  assertUnknown(() => createShutdown({ signals: false, exit: false, gracePeriod: 1 } as never), HEALTH, 'gracePeriod', 'gracePeriodMs');
  assertUnknown(() => installCrashCapture({ exit: false, flushTimeout: 5 } as never), HEALTH, 'flushTimeout', 'flushTimeoutMs');
  assertUnknown(() => new ErrorGroups({ maxGroup: 5 } as never), HEALTH, 'maxGroup', 'maxGroups');
});

const HTTP = 'SL_ERR_HTTP_UNKNOWN_OPTION';

test('http: server and client instrumentation reject unknown keys', () => {
  const provider = new TracerProvider({ env: {} });
  const deps = { tracer: provider.getTracer('t'), logger: createLogger({ destination: memory() }), registry: new Registry() };
  assertUnknown(() => createHttpInstrumentation({ ...deps, excludes: ['/x'] } as never), HTTP, 'http.excludes', 'exclude');
  assertUnknown(() => createHttpInstrumentation({ ...deps, requestIDHeader: 'x-id' } as never), HTTP, 'http.requestIDHeader', 'requestIdHeader');
  assertUnknown(() => new HttpClientInstrumentation({ ...deps, propagator: new B3Propagator() }, { fetches: true } as never), HTTP, 'client.fetches', 'fetch');
  void provider.shutdown();
});

test('log destinations given options that are not an object throw SL_ERR_LOG_INVALID_OPTION, not a TypeError', () => {
  for (const make of [() => stdout(null as never), () => stderr('info' as never), () => memory(null as never), () => file(join(tmpdir(), 'x.log'), null as never), () => fdDestination(1, [] as never)]) {
    assert.throws(make, (e: unknown) => e instanceof SightlineError && e.code === 'SL_ERR_LOG_INVALID_OPTION' && e.field === 'destination');
  }
});
