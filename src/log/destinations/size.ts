import { InvalidSize } from '../errors.js';

// K, M and G are binary multiples, as in logrotate's `size 100k` and pino-roll's `'10m'`.
const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/**
 * Parses a size option: a positive number of bytes, or a string such as `'50MB'`, `'512k'`,
 * `'1.5 GiB'`. Throws SL_ERR_LOG_INVALID_SIZE naming `field` for 0, negatives, unknown units.
 * @example
 * parseSize('50MB', 'size'); // 52428800
 */
export function parseSize(v: unknown, field: string): number {
  let bytes: number;
  if (typeof v === 'number') {
    bytes = v;
  } else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v);
    if (m === null) throw InvalidSize(field, `${JSON.stringify(v)} is not a number with a unit`);
    const unit = UNITS[m[2]!.toLowerCase()];
    if (unit === undefined) throw InvalidSize(field, `unknown unit ${JSON.stringify(m[2])} in ${JSON.stringify(v)}`);
    bytes = Number(m[1]) * unit;
  } else {
    throw InvalidSize(field, `expected a number or a string, got ${typeof v}`);
  }
  bytes = Math.floor(bytes);
  if (!Number.isFinite(bytes) || bytes < 1) throw InvalidSize(field, `${JSON.stringify(v)} is not a positive size`);
  return bytes;
}
