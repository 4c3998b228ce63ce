import fs from 'node:fs';
import path from 'node:path';
import { ThreadDestination } from './thread-destination.js';
import { BUFFER_OPTION_KEYS } from './thread-destination.js';
import type { BufferOptions } from './thread-destination.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { parseSize } from './size.js';
import { parseDuration } from './duration.js';
import { perProcessPath } from './rotating-file-names.js';
import type { RotatingFileSinkOptions } from './rotating-file-sink.js';
import { acquireFileLock } from './rotating-file-lock.js';
import type { FileLock } from './rotating-file-lock.js';
import { FileNotWritable, InvalidInterval, InvalidOption, UnknownOption } from '../errors.js';

/** Options of {@link rotatingFile}. */
export interface RotatingFileOptions extends BufferOptions {
  /** The live file, e.g. `/var/log/app/app.log`. It always keeps this name. */
  path: string;
  /** Rotate before the live file would exceed this size: bytes or `'50MB'`, `'512KB'` (K = 1024). */
  size?: number | string;
  /** Rotate when the hour or the day changes (by each line's `time`). */
  interval?: 'hourly' | 'daily';
  /** Periods and stamps in UTC instead of local time (default false: local midnight). */
  utc?: boolean;
  /** Keep at most this many rotated files (the live file not counted); older ones are deleted. */
  keep?: number;
  /** Delete rotated files whose last write is older than this: ms or `'7d'`, `'12h'`. */
  maxAge?: number | string;
  /** Gzip rotated files in the background (`app.2026-11-21.1.log.gz`). Default false. */
  compress?: boolean;
  /** Create the directory when missing (default false: a missing directory is an error). */
  mkdir?: boolean;
  /**
   * One file per process: `app.log` becomes `app-<pid>.log` (rotated `app-<pid>.<stamp>.<n>.log`).
   * The supported way for node:cluster workers to write files; see docs/log-destinations.md.
   */
  perProcess?: boolean;
  /** Re-open the live file on SIGHUP, for an external logrotate that moves it (default false). */
  reopenOnSighup?: boolean;
}

const ROTATING_FILE_OPTION_KEYS = optionKeys<RotatingFileOptions>()([
  ...BUFFER_OPTION_KEYS, 'path', 'size', 'interval', 'utc', 'keep', 'maxAge', 'compress', 'mkdir', 'perProcess', 'reopenOnSighup',
]);

/** A rotating file destination; see {@link rotatingFile}. */
export class RotatingFileDestination extends ThreadDestination {
  /** The live file's absolute path (with the pid suffix when `perProcess`). */
  readonly path: string;
  readonly #lock: FileLock;
  readonly #onHup: (() => void) | undefined;

  /** @internal use rotatingFile() */
  constructor(sink: RotatingFileSinkOptions, options: RotatingFileOptions, lock: FileLock) {
    super('rotating-file', `file:${sink.path}`, sink, options);
    this.path = sink.path;
    this.#lock = lock;
    if (options.reopenOnSighup === true) {
      this.#onHup = () => this.reopen();
      process.on('SIGHUP', this.#onHup);
    }
  }

  /** Flushes, waits for compressions in progress, closes the file and releases its lock. */
  override async close(): Promise<void> {
    if (this.#onHup !== undefined) process.removeListener('SIGHUP', this.#onHup);
    await super.close();
    this.#lock.release();
  }
}

/**
 * A log file that rotates by size and/or time, keeps the newest N files or those younger than
 * `maxAge`, and gzips rotated files in the background. `app.log` is always the live file;
 * rotated files are `app.<date>.<n>.log` (`app.<date>T<hour>.<n>.log` hourly), `.gz` when
 * compressed. All I/O runs in the log writer thread. Bad options throw a coded error here.
 * @example
 * import { createLogger, rotatingFile } from 'sightline/log';
 * const log = createLogger({
 *   service: 'checkout',
 *   destination: rotatingFile({ path: '/var/log/checkout/app.log', size: '50MB', interval: 'daily', keep: 14, compress: true }),
 * });
 */
export function rotatingFile(options: RotatingFileOptions): RotatingFileDestination {
  if (typeof options !== 'object' || options === null) throw InvalidOption('destination', 'rotatingFile() needs an options object with a path');
  const o = options;
  checkOptionKeys(o, ROTATING_FILE_OPTION_KEYS, UnknownOption, 'rotatingFile()', 'destination');
  if (typeof o.path !== 'string' || o.path === '') throw FileNotWritable('destination.path', String(o.path), 'path must be a non-empty string');
  const maxSize = o.size === undefined ? undefined : parseSize(o.size, 'destination.size');
  if (o.interval !== undefined && o.interval !== 'hourly' && o.interval !== 'daily') throw InvalidInterval('destination.interval', o.interval);
  if (maxSize === undefined && o.interval === undefined) {
    throw InvalidOption('destination.size', "a rotating file needs `size` (e.g. '50MB'), `interval` ('hourly' or 'daily') or both; use file() for a plain file");
  }
  if (o.keep !== undefined && !(Number.isInteger(o.keep) && o.keep >= 0)) throw InvalidOption('destination.keep', 'keep must be a non-negative integer (rotated files kept)');
  const maxAgeMs = o.maxAge === undefined ? undefined : parseDuration(o.maxAge, 'destination.maxAge');
  for (const k of ['utc', 'compress', 'mkdir', 'perProcess', 'reopenOnSighup'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw InvalidOption(`destination.${k}`, `${k} must be true or false`);
  }

  let abs = path.resolve(o.path);
  if (o.perProcess === true) abs = perProcessPath(abs, process.pid);
  const dir = path.dirname(abs);
  try {
    if (o.mkdir === true) fs.mkdirSync(dir, { recursive: true });
    // Rotation creates and renames files in the directory: it must be writable, not only the file.
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    fs.closeSync(fs.openSync(abs, 'a'));
  } catch (e) {
    throw FileNotWritable('destination.path', abs, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  const lock = acquireFileLock(abs, 'destination.path');
  const sink: RotatingFileSinkOptions = {
    path: abs,
    maxSize,
    interval: o.interval,
    utc: o.utc === true,
    keep: o.keep,
    maxAgeMs,
    compress: o.compress === true,
  };
  try {
    return new RotatingFileDestination(sink, o, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}
