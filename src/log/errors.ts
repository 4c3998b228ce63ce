import { createError, createUnknownOptionError } from '../errors.js';

/** An option key that no log option has (a typo, or an option of another pillar). */
export const UnknownOption = createUnknownOptionError('SL_ERR_LOG_UNKNOWN_OPTION');

export const InvalidLevel = createError('SL_ERR_LOG_INVALID_LEVEL',
  (value: unknown) => `unknown log level ${JSON.stringify(String(value))}: use trace, debug, info, warn (or warning), error, fatal (or critical) or silent, in any case`);

export const InvalidDestination = createError('SL_ERR_LOG_INVALID_DESTINATION',
  (why: string) => `not a log destination (${why}): pass stdout(), file(path), memory() or an object with write/flush/flushSync/close/stats`);

export const InvalidOption = createError('SL_ERR_LOG_INVALID_OPTION',
  (why: string) => `invalid logger option: ${why}`);

/** `options` is an object, else SL_ERR_LOG_INVALID_OPTION naming `field` (before its keys are checked). */
export function requireObject(options: unknown, field: string): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw InvalidOption(field, `${field} options must be an object`);
}

export const InvalidRedactPath = createError('SL_ERR_LOG_INVALID_REDACT_PATH',
  (path: string, why: string) => `invalid redaction path ${JSON.stringify(path)}: ${why}; use dot-separated keys with * (one level) or ** (any depth)`);

export const FileNotWritable = createError('SL_ERR_LOG_FILE_NOT_WRITABLE',
  (path: string, why: string) => `cannot open log file ${JSON.stringify(path)} for appending (${why}): create the directory or fix its permissions`);

export const InvalidSize = createError('SL_ERR_LOG_INVALID_SIZE',
  (why: string) => `invalid size (${why}): use a positive number of bytes or a string like '50MB' (units B, KB, MB, GB; K = 1024)`);

export const InvalidDuration = createError('SL_ERR_LOG_INVALID_DURATION',
  (why: string) => `invalid duration (${why}): use a positive number of milliseconds or a string like '7d' (units ms, s, m, h, d, w)`);

export const InvalidInterval = createError('SL_ERR_LOG_INVALID_INTERVAL',
  (value: unknown) => `unknown rotation interval ${JSON.stringify(String(value))}: use 'hourly' or 'daily'`);

export const FileInUse = createError('SL_ERR_LOG_FILE_IN_USE',
  (path: string, pid: number) => `another live process (pid ${pid}) writes the rotating log file ${JSON.stringify(path)}: give each process its own file (\`perProcess: true\`) or log from one process`);

export const InvalidSyslogOption = createError('SL_ERR_LOG_INVALID_SYSLOG_OPTION',
  (why: string) => `invalid syslog option: ${why}`);
