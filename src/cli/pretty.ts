import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { envPresent, envString } from '../env.js';
import type { Env } from '../env.js';
import type { Destination, DestinationStats, LevelName } from '../log/index.js';

/**
 * `sightline pretty`: JSON log lines in, aligned human lines out. Lines that are not JSON objects
 * pass through untouched.
 */

const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35;1m',
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Keys shown in fixed places (default and ECS profiles), not repeated among the fields. */
const TIME_KEYS = ['time', '@timestamp'];
const LEVEL_KEYS = ['level', 'log.level'];
const MSG_KEYS = ['msg', 'message'];
const TRACE_KEYS = ['trace_id', 'trace.id'];
const HIDDEN = new Set(['span_id', 'span.id', 'ecs.version']);

export interface PrettyOptions {
  color: boolean;
}

function pick(o: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (k in o) return o[k];
  return undefined;
}

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** Formats one line. Returns the input unchanged when it is not a JSON object. */
export function prettyLine(line: string, o: PrettyOptions): string {
  const t = line.trim();
  if (!t.startsWith('{')) return line;
  let rec: unknown;
  try {
    rec = JSON.parse(t);
  } catch {
    return line;
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return line;
  const r = rec as Record<string, unknown>;
  const time = pick(r, TIME_KEYS);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a line's fields are any JSON, printed as String() prints them
  const level = String(pick(r, LEVEL_KEYS) ?? '').toLowerCase();
  const msg = pick(r, MSG_KEYS);
  const trace = pick(r, TRACE_KEYS);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- as above
  const timeText = typeof time === 'string' && time.length >= 23 ? time.slice(11, 23) : String(time ?? '').padEnd(12);
  const levelText = (level || '-').toUpperCase().padEnd(5);
  const c = o.color ? COLORS[level] ?? '' : '';
  const parts: string[] = [];
  if (typeof trace === 'string') parts.push(`trace=${trace.slice(0, 8)}`);
  let errText = '';
  for (const [k, v] of Object.entries(r)) {
    if (TIME_KEYS.includes(k) || LEVEL_KEYS.includes(k) || MSG_KEYS.includes(k) || TRACE_KEYS.includes(k) || HIDDEN.has(k)) continue;
    if ((k === 'err' || k === 'error') && typeof v === 'object' && v !== null) {
      const e = v as Record<string, unknown>;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- as above
      errText = `\n    ${String(e['stack'] ?? e['stack_trace'] ?? `${String(e['type'])}: ${String(e['message'])}`).replace(/\n/g, '\n    ')}`;
      continue;
    }
    parts.push(`${k}=${fieldText(v)}`);
  }
  const fields = parts.length > 0 ? `  ${o.color ? DIM : ''}${parts.join(' ')}${o.color ? RESET : ''}` : '';
  const msgText = typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg);
  return `${o.color ? DIM : ''}${timeText}${o.color ? RESET : ''} ${c}${levelText}${o.color ? RESET : ''} ${msgText}${fields}${errText}`;
}

/** Streams `input` to `output`, formatting each line. */
export async function pretty(input: Readable, output: Writable, o: PrettyOptions): Promise<void> {
  // A reader that went away (`| head`) ends the program quietly, like other filters.
  output.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!output.write(prettyLine(line, o) + '\n')) await new Promise((r) => output.once('drain', r));
  }
}

/**
 * Colour by default on a TTY; NO_COLOR turns it off, FORCE_COLOR on (even empty, as in Node;
 * `FORCE_COLOR=0` does not).
 */
export function wantColor(stream: { isTTY?: boolean }, env: Env = process.env): boolean {
  if (envString(env, 'NO_COLOR') !== undefined) return false;
  if (envPresent(env, 'FORCE_COLOR') && envString(env, 'FORCE_COLOR') !== '0') return true;
  return stream.isTTY === true;
}

/**
 * A log destination that formats each line with {@link prettyLine} and hands it to another
 * destination (the demo wraps `stdout()`, so writing stays off the event loop and lines survive
 * `process.exit()` like any other logger output).
 * @example
 * createLogger({ destination: new PrettyDestination(stdout(), { color: wantColor(process.stdout) }) });
 */
export class PrettyDestination implements Destination {
  readonly name: string;
  readonly #inner: Destination;
  readonly #options: PrettyOptions;

  constructor(inner: Destination, options: PrettyOptions) {
    this.#inner = inner;
    this.#options = options;
    this.name = `pretty:${inner.name ?? 'destination'}`;
  }

  get level(): LevelName | undefined {
    return this.#inner.level;
  }

  write(line: string, level: number): boolean {
    return this.#inner.write(prettyLine(line.endsWith('\n') ? line.slice(0, -1) : line, this.#options) + '\n', level);
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  flushSync(): void {
    this.#inner.flushSync();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  stats(): DestinationStats {
    return this.#inner.stats();
  }
}
