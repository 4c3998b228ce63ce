/**
 * `sightline/metrics`: a Prometheus registry — counters, gauges, histograms and summaries with
 * bounded cardinality, exemplars from the request context, and an exposition in text 0.0.4 and
 * OpenMetrics 1.0 checked by promtool and a real Prometheus.
 * @example
 * import { Registry, metricsHandler } from 'sightline/metrics';
 * const registry = new Registry();
 * const requests = registry.counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['route', 'status'] });
 * requests.labels({ route: '/orders', status: '200' }).inc();
 * http.createServer(metricsHandler(registry)).listen(9464, '127.0.0.1');
 */
export { Registry } from './registry.js';
export type { RegistryOptions, CollectorOptions, Renderable } from './registry.js';
export type { Counter, CounterChild } from './counter.js';
export type { CounterDefinition } from './counter.js';
export type { Gauge, GaugeChild } from './gauge.js';
export type { GaugeDefinition } from './gauge.js';
export type { Histogram, HistogramChild } from './histogram.js';
export type { HistogramDefinition } from './histogram.js';
export { DEFAULT_PERCENTILES } from './summary.js';
export type { Summary, SummaryChild } from './summary.js';
export type { SummaryDefinition } from './summary.js';
export { DEFAULT_BUCKETS, linearBuckets, exponentialBuckets } from './buckets.js';
export type { Labels, MetricDefinition, CollectOptions, AggregationRule } from './metric.js';
export { TEXT_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './exposition.js';
export type { ExpositionFormat, AnyMetric } from './exposition.js';
export { metricsHandler } from './handler.js';
export type { MetricsHandlerOptions } from './handler.js';
export { negotiateFormat, acceptsGzip } from './negotiate.js';
export { ClusterAggregator, serveClusterWorker } from './cluster.js';
export type { ClusterAggregatorOptions } from './cluster.js';
export { collectDefaultMetrics } from './runtime/defaults.js';
export type { DefaultMetricsOptions, DefaultMetricsHandle } from './runtime/defaults.js';
export { collectSystemMetrics } from './system/collect.js';
export type { SystemMetricsOptions, SystemMetricsHandle } from './system/collect.js';
export { Pushgateway } from './push.js';
export type { PushgatewayOptions, PushResult } from './push.js';
