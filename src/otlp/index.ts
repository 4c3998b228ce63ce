/**
 * `sightline/otlp`: OTLP/HTTP export of spans and logs (protobuf by default, or JSON), with a
 * retrying, bounded sender.
 * @example
 * import { OtlpSpanExporter, OtlpLogDestination } from 'sightline/otlp';
 * const spans = new OtlpSpanExporter();            // OTEL_EXPORTER_OTLP_* or http://localhost:4318
 * const logs = new OtlpLogDestination({ resource: { attributes: { 'service.name': 'checkout' } } });
 */
export { OtlpSpanExporter } from './span-exporter.js';
export { OtlpLogDestination } from './log-destination.js';
export type { OtlpLogDestinationOptions, OtlpLogDestinationStats } from './log-destination.js';
export type { OtlpExporterOptions, OtlpSignal } from './config.js';
export type { OtlpProtocol } from './protocol.js';
export type { OtlpExportStats } from './stats.js';
export { encodeTraces, encodeLogs, toUnixNano, toAnyValue } from './json.js';
export type { AnyValueJson, KeyValueJson } from './json.js';
export { encodeTracesProtobuf, encodeLogsProtobuf } from './protobuf.js';
export { lineToLogRecord, severityOf } from './log-record.js';
export type { LogRecordData } from './log-record.js';
export { parseRetryAfter } from './sender.js';
// The span data model is the tracer's; exporters and encoders here consume it.
export type { SpanRecord, ResourceData, ScopeData, SpanEventData, SpanLinkData, Attributes, AttributeValue } from '../trace/index.js';
