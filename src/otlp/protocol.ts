import type { SpanRecord } from '../trace/index.js';
import type { LogRecordData } from './log-record.js';
import { encodeLogs, encodeTraces } from './json.js';
import { encodeLogsProtobuf, encodeTracesProtobuf } from './protobuf.js';

/**
 * The OTLP/HTTP protocols offered (OTEL_EXPORTER_OTLP_PROTOCOL values): `http/protobuf`, the
 * spec's default, and `http/json`. gRPC is not offered.
 */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

/** The request Content-Type of a protocol (OTLP/HTTP §Binary Protobuf Encoding, §JSON Protobuf Encoding). */
export function contentTypeOf(protocol: OtlpProtocol): string {
  return protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
}

/** The request body for a batch of spans. */
export function tracesBody(protocol: OtlpProtocol, spans: readonly SpanRecord[]): string | Buffer {
  return protocol === 'http/json' ? JSON.stringify(encodeTraces(spans)) : encodeTracesProtobuf(spans);
}

/** The request body for a batch of log records. */
export function logsBody(protocol: OtlpProtocol, records: readonly LogRecordData[]): string | Buffer {
  return protocol === 'http/json' ? JSON.stringify(encodeLogs(records)) : encodeLogsProtobuf(records);
}
