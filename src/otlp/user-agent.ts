import { SIGHTLINE_VERSION } from '../version.js';

/** `User-Agent` of every OTLP request (OTLP exporter spec: exporters SHOULD identify themselves). */
export const USER_AGENT = `sightline/${SIGHTLINE_VERSION}`;
