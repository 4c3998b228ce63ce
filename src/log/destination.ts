/**
 * The destination interface: where serialized log lines go.
 *
 * A destination receives finished JSON lines (each ending in "\n") with their numeric level. It
 * must never throw from `write`, must never block the caller on I/O, must bound its memory, and
 * must be able to put everything it accepted somewhere durable from `flushSync()`, which the
 * logger calls on `process.exit()`, crashes and signals, when the event loop no longer runs.
 */
export interface Destination {
  /** Accepts one line. Returns false when the line was dropped (and counted). Never throws. */
  write(line: string, level: number): boolean;
  /** Resolves when every line accepted so far has been written. */
  flush(): Promise<void>;
  /** Writes everything accepted so far before returning (process exit, crash, signals). */
  flushSync(): void;
  /** Flushes, then releases resources. Later writes are dropped and counted. */
  close(): Promise<void>;
  /** Counters for self-metrics. */
  stats(): DestinationStats;
  /** Optional minimum level of this destination (name); lines below it are not passed to it. */
  readonly level?: LevelName | undefined;
  /** A short name for warnings, e.g. `file:/var/log/app.log`. */
  readonly name?: string;
}

/** Counters every destination keeps. */
export interface DestinationStats {
  /** Lines accepted. */
  written: number;
  /** Lines dropped because the buffer was full (`onFull: 'drop'`) or the destination was closed. */
  dropped: number;
  /** Lines that went to stderr because the destination failed. */
  fallback: number;
  /** Write failures seen. */
  errors: number;
}

/** The six levels a line is written with (its `level` field). */
export type CanonicalLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * A level name, as accepted wherever a level is named (options, `LOG_LEVEL`, `log.level`): the
 * six canonical names plus two aliases, `warning` (= `warn`, 40) and `critical` (= `fatal`, 60).
 * Case does not matter at run time (`LOG_LEVEL=WARNING`); lines always carry the canonical name.
 */
export type LevelName = CanonicalLevelName | 'warning' | 'critical';

/** Numeric levels (pino-compatible numbers), aliases included. `silent` is Infinity. */
export const LEVELS: Readonly<Record<LevelName | 'silent', number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  warning: 40,
  error: 50,
  fatal: 60,
  critical: 60,
  silent: Infinity,
});

/** The canonical level names, lowest first (aliases are not listed). */
export const LEVEL_NAMES: readonly CanonicalLevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Canonical name of a numeric level (the nearest defined level at or below it). */
export function levelName(level: number): CanonicalLevelName {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return 'trace';
}
