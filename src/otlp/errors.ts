import { createError, createUnknownOptionError } from '../errors.js';

/** An option key that no OTLP exporter option has (a typo, or another pillar's option). */
export const UnknownOption = createUnknownOptionError('SL_ERR_OTLP_UNKNOWN_OPTION');

/** An endpoint option that is not an absolute http(s) URL. */
export const InvalidEndpoint = createError(
  'SL_ERR_OTLP_INVALID_ENDPOINT',
  (value: string) => `invalid OTLP endpoint "${value}": use an absolute http:// or https:// URL, e.g. http://localhost:4318/v1/traces`,
);

/** A numeric option out of range (timeout, queue sizes, delays). */
export const InvalidOption = createError(
  'SL_ERR_OTLP_INVALID_OPTION',
  (value: unknown, expected: string) => `invalid value ${JSON.stringify(value)}: expected ${expected}`,
);

/** An OTLP protocol (option or OTEL_EXPORTER_OTLP_*PROTOCOL) that is not offered, e.g. `grpc`. */
export const UnsupportedProtocol = createError(
  'SL_ERR_OTLP_UNSUPPORTED_PROTOCOL',
  (value: string) => `OTLP protocol "${value}" is not supported: use "http/protobuf" (the default) or "http/json"${value.toLowerCase() === 'grpc' ? '; gRPC is not built in, send to the collector\'s OTLP/HTTP port (4318) instead' : ''}`,
);
