import { createError } from '../errors.js';

export const InvalidLevel = createError('SL_ERR_LOG_INVALID_LEVEL',
  (value: unknown) => `unknown log level ${JSON.stringify(String(value))}: use trace, debug, info, warn, error, fatal or silent`);

export const InvalidDestination = createError('SL_ERR_LOG_INVALID_DESTINATION',
  (why: string) => `not a log destination (${why}): pass stdout(), file(path), memory() or an object with write/flush/flushSync/close/stats`);

export const InvalidOption = createError('SL_ERR_LOG_INVALID_OPTION',
  (why: string) => `invalid logger option: ${why}`);

export const InvalidRedactPath = createError('SL_ERR_LOG_INVALID_REDACT_PATH',
  (path: string, why: string) => `invalid redaction path ${JSON.stringify(path)}: ${why}; use dot-separated keys with * (one level) or ** (any depth)`);

export const FileNotWritable = createError('SL_ERR_LOG_FILE_NOT_WRITABLE',
  (path: string, why: string) => `cannot open log file ${JSON.stringify(path)} for appending (${why}): create the directory or fix its permissions`);
