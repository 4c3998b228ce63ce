import fs from 'node:fs';
import path from 'node:path';
import { ThreadDestination } from './thread-destination.js';
import { BUFFER_OPTION_KEYS } from './thread-destination.js';
import type { BufferOptions } from './thread-destination.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { FileNotWritable, UnknownOption, requireObject } from '../errors.js';

/**
 * Standard output (the default destination): JSON lines for containers and log collectors.
 * @example
 * createLogger({ destination: stdout({ level: 'info' }) });
 */
export function stdout(options: BufferOptions = {}): ThreadDestination {
  requireObject(options, 'destination');
  checkOptionKeys(options, BUFFER_OPTION_KEYS, UnknownOption, 'stdout()', 'destination');
  return new ThreadDestination('fd', 'stdout', { fd: 1 }, options, 1);
}

/** Standard error. */
export function stderr(options: BufferOptions = {}): ThreadDestination {
  requireObject(options, 'destination');
  checkOptionKeys(options, BUFFER_OPTION_KEYS, UnknownOption, 'stderr()', 'destination');
  return new ThreadDestination('fd', 'stderr', { fd: 2 }, options, 2);
}

/** Options of {@link file}. */
export interface FileOptions extends BufferOptions {
  /** Create missing parent directories (default false). */
  mkdir?: boolean;
  /** Re-open the file on SIGHUP, for an external logrotate that moves it (default false). */
  reopenOnSighup?: boolean;
}

const FILE_OPTION_KEYS = optionKeys<FileOptions>()([...BUFFER_OPTION_KEYS, 'mkdir', 'reopenOnSighup']);

/**
 * Appends to a file. The file is opened at creation (a bad path throws SL_ERR_LOG_FILE_NOT_WRITABLE);
 * writes happen in the log writer thread.
 * @example
 * createLogger({ destination: file('/var/log/app.log', { level: 'debug' }) });
 */
export function file(filePath: string, options: FileOptions = {}): ThreadDestination {
  if (typeof filePath !== 'string' || filePath === '') throw FileNotWritable('destination.path', String(filePath), 'path must be a non-empty string');
  requireObject(options, 'destination');
  checkOptionKeys(options, FILE_OPTION_KEYS, UnknownOption, 'file()', 'destination');
  const abs = path.resolve(filePath);
  let fd: number;
  try {
    if (options.mkdir === true) fs.mkdirSync(path.dirname(abs), { recursive: true });
    fd = fs.openSync(abs, 'a');
  } catch (e) {
    throw FileNotWritable('destination.path', abs, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  let dest: ThreadDestination;
  try {
    dest = new ThreadDestination('fd', `file:${abs}`, { fd, path: abs, own: true }, options, fd);
  } catch (e) {
    fs.closeSync(fd); // a bad option: do not leak the descriptor
    throw e;
  }
  if (options.reopenOnSighup === true) process.on('SIGHUP', () => dest.reopen());
  return dest;
}

/**
 * Writes to an already open descriptor (the caller keeps ownership).
 */
export function fdDestination(fd: number, options: BufferOptions = {}): ThreadDestination {
  requireObject(options, 'destination');
  checkOptionKeys(options, BUFFER_OPTION_KEYS, UnknownOption, 'fdDestination()', 'destination');
  return new ThreadDestination('fd', `fd:${fd}`, { fd }, options, fd);
}
