import type { Destination, DestinationStats, LevelName } from '../destination.js';
import { checkOptionKeys, optionKeys } from '../../errors.js';
import { UnknownOption, requireObject } from '../errors.js';

const MEMORY_OPTION_KEYS = optionKeys<{ level?: LevelName; max?: number }>()(['level', 'max']);

/**
 * An in-memory destination for tests: keeps every line (bounded by `max`, oldest dropped).
 * @example
 * const mem = memory();
 * const log = createLogger({ destination: mem });
 * log.info('hi');
 * mem.records()[0].msg; // 'hi'
 */
export class MemoryDestination implements Destination {
  readonly name = 'memory';
  readonly level: LevelName | undefined;
  readonly #max: number;
  #lines: string[] = [];
  readonly #stats: DestinationStats = { written: 0, dropped: 0, fallback: 0, errors: 0 };

  constructor(options: { level?: LevelName; max?: number } = {}) {
    this.level = options.level;
    this.#max = options.max ?? 100_000;
  }

  write(line: string): boolean {
    this.#lines.push(line);
    this.#stats.written++;
    if (this.#lines.length > this.#max) {
      this.#lines.shift();
      this.#stats.dropped++;
    }
    return true;
  }

  /** The raw lines, each ending in "\n". */
  lines(): string[] {
    return [...this.#lines];
  }

  /** The lines parsed as JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test helper: lines read as loosely as JSON
  records<T = Record<string, any>>(): T[] {
    return this.#lines.map((l) => JSON.parse(l) as T);
  }

  clear(): void {
    this.#lines = [];
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  flushSync(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }

  stats(): DestinationStats {
    return { ...this.#stats };
  }
}

export function memory(options: { level?: LevelName; max?: number } = {}): MemoryDestination {
  requireObject(options, 'destination');
  checkOptionKeys(options, MEMORY_OPTION_KEYS, UnknownOption, 'memory()', 'destination');
  return new MemoryDestination(options);
}
