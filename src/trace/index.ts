/**
 * `sightline/trace`: an OpenTelemetry-compatible tracer on the shared request context.
 */
export { ExportResultCode } from './exporter.js';
export type { ExportResult, SpanExporter } from './exporter.js';
export type { SpanProcessor } from './processor.js';
export type { SpanRecord, ResourceData, ScopeData, SpanEventData, SpanLinkData, Attributes, AttributeValue } from '../otlp/model.js';
