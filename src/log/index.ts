/**
 * `sightline/log`: a structured JSON logger that reads the request context.
 * @example
 * import { createLogger } from 'sightline/log';
 * const log = createLogger({ service: 'checkout' });
 * log.info('order placed', { orderId: 42 });
 */
export { createLogger, RATE_KEY } from './logger.js';
export type { Logger } from './logger.js';
export type { LoggerOptions, LoggerStats, LogFn, LogMessage, LogFields, DestinationEntry } from './logger.js';
export { stdout, stderr, file, fdDestination } from './destinations/fd.js';
export type { FileOptions } from './destinations/fd.js';
export { rotatingFile, RotatingFileDestination } from './destinations/rotating-file.js';
export type { RotatingFileOptions } from './destinations/rotating-file.js';
export { syslog } from './destinations/syslog.js';
export type { SyslogOptions } from './destinations/syslog.js';
export { ThreadDestination } from './destinations/thread-destination.js';
export { writable, WritableDestination } from './destinations/writable.js';
export type { WritableLike, WritableOptions } from './destinations/writable.js';
export type { BufferOptions } from './destinations/thread-destination.js';
export { flushAllSync } from './exit.js';
export { LEVELS, LEVEL_NAMES, levelName } from './destination.js';
export type { CanonicalLevelName, Destination, DestinationStats, LevelName } from './destination.js';
export { resolveLevel } from './levels.js';
export type { LevelOption } from './levels.js';
export type { BuiltInPatterns, RedactOptions } from './redact.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { SerializeLimits } from './serialize.js';
