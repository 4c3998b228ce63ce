import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { currentContext } from '../context/index.js';
import { HTTP_ERROR_CHANNEL, LOG_ERROR_CHANNEL } from '../diagnostics/channels.js';
import { InvalidOption, UnknownOption } from './errors.js';
import { checkOptionKeys, optionKeys } from '../errors.js';
import { applicationFrames, fingerprint, normalizeMessage } from './fingerprint.js';
import { scrubSecrets } from './scrub.js';

/** Where an error was seen. */
export type ErrorSource = 'log' | 'http' | 'uncaughtException' | 'unhandledRejection' | 'manual';

/** One group of similar errors. */
export interface ErrorGroup {
  /** 16 hex digits: sha1 of type, normalised message and top application frames. */
  fingerprint: string;
  type: string;
  /** The normalised message shared by the group. */
  message: string;
  /** The first message seen, verbatim (credentials scrubbed). */
  sampleMessage: string;
  /** The first stack seen (credentials scrubbed, at most 4 KiB). */
  sampleStack: string | undefined;
  /** The application frames the fingerprint used. */
  frames: string[];
  count: number;
  /** ms since the epoch. */
  firstSeen: number;
  lastSeen: number;
  lastTraceId: string | undefined;
  lastSource: ErrorSource;
}

/** Options of {@link ErrorGroups}. */
export interface ErrorGroupsOptions {
  /** Groups kept; the least recently seen is evicted beyond it (default 500). */
  maxGroups?: number;
  /** Application frames in a fingerprint (default 3). */
  frames?: number;
}

export { LOG_ERROR_CHANNEL, HTTP_ERROR_CHANNEL };

const ERROR_GROUPS_OPTION_KEYS = optionKeys<ErrorGroupsOptions>()(['maxGroups', 'frames']);

const MAX_STACK = 4096;

/**
 * A bounded table of error groups (an LRU map: a hit moves its group to the young end; beyond
 * `maxGroups` the least recently seen group is evicted and counted in `evicted`). The same Error
 * object is counted once however many times it is recorded (logged, then rethrown, then uncaught).
 * @example
 * const groups = new ErrorGroups();
 * const stop = groups.capture();           // errors logged with log.error(msg, err) and HTTP handler errors
 * groups.list()[0]; // { fingerprint, type, message, count, firstSeen, lastSeen, sampleStack, lastTraceId, … }
 */
export class ErrorGroups {
  readonly maxGroups: number;
  readonly #frames: number;
  readonly #groups = new Map<string, ErrorGroup>();
  readonly #seen = new WeakSet<object>();
  /** Groups evicted to keep the table bounded. */
  evicted = 0;
  /** Errors recorded (after de-duplication of the same object). */
  recorded = 0;

  constructor(options: ErrorGroupsOptions = {}) {
    checkOptionKeys(options, ERROR_GROUPS_OPTION_KEYS, UnknownOption, 'new ErrorGroups()');
    const max = options.maxGroups ?? 500;
    if (!Number.isInteger(max) || max < 1) throw InvalidOption('maxGroups', 'maxGroups must be an integer ≥ 1');
    const frames = options.frames ?? 3;
    if (!Number.isInteger(frames) || frames < 0) throw InvalidOption('frames', 'frames must be an integer ≥ 0');
    this.maxGroups = max;
    this.#frames = frames;
  }

  /**
   * Records one error (any thrown value) seen at `now` (ms) in trace `traceId` (default: the active
   * span's). Returns its group's fingerprint, or undefined when this very object was already
   * recorded. Never throws.
   */
  record(error: unknown, source: ErrorSource = 'manual', now = Date.now(), traceId = currentContext().traceIds?.traceId): string | undefined {
    try {
      if (typeof error === 'object' && error !== null) {
        if (this.#seen.has(error)) return undefined;
        this.#seen.add(error);
      }
      let type: string;
      let message: string;
      let stack: string | undefined;
      if (error instanceof Error) {
        type = typeof error.name === 'string' && error.name !== '' ? error.name : (error.constructor?.name ?? 'Error');
        message = String(error.message);
        stack = typeof error.stack === 'string' ? error.stack : undefined;
      } else {
        type = error === null ? 'null' : typeof error;
        message = String(error);
      }
      const norm = scrubSecrets(normalizeMessage(message));
      const frames = applicationFrames(stack, this.#frames);
      const fp = fingerprint(type, norm, frames);
      this.recorded++;
      const g = this.#groups.get(fp);
      if (g !== undefined) {
        g.count++;
        g.lastSeen = now;
        g.lastSource = source;
        if (traceId !== undefined) g.lastTraceId = traceId;
        this.#groups.delete(fp);
        this.#groups.set(fp, g);
        return fp;
      }
      this.#groups.set(fp, {
        fingerprint: fp,
        type,
        message: norm,
        sampleMessage: scrubSecrets(message.slice(0, 1000)),
        sampleStack: stack === undefined ? undefined : scrubSecrets(stack.slice(0, MAX_STACK)),
        frames,
        count: 1,
        firstSeen: now,
        lastSeen: now,
        lastTraceId: traceId,
        lastSource: source,
      });
      if (this.#groups.size > this.maxGroups) {
        const oldest = this.#groups.keys().next().value;
        if (oldest !== undefined) this.#groups.delete(oldest);
        this.evicted++;
      }
      return fp;
    } catch {
      return undefined;
    }
  }

  /** Copies of the groups, most recently seen first. */
  list(): ErrorGroup[] {
    return [...this.#groups.values()].reverse().map((g) => ({ ...g, frames: [...g.frames] }));
  }

  /** One group by fingerprint. */
  get(fp: string): ErrorGroup | undefined {
    const g = this.#groups.get(fp);
    return g === undefined ? undefined : { ...g, frames: [...g.frames] };
  }

  get size(): number {
    return this.#groups.size;
  }

  clear(): void {
    this.#groups.clear();
  }

  /**
   * Subscribes to the logger's error channel (`log.error(msg, err)`, `log.error(msg, { err })`)
   * and the HTTP instrumentation's handler-error channel. Returns the unsubscribe function.
   */
  capture(): () => void {
    const onLog = (m: unknown): void => {
      this.record((m as { error?: unknown } | undefined)?.error, 'log');
    };
    const onHttp = (m: unknown): void => {
      const msg = m as { error?: unknown; traceId?: unknown } | undefined;
      this.record(msg?.error, 'http', Date.now(), typeof msg?.traceId === 'string' ? msg.traceId : currentContext().traceIds?.traceId);
    };
    subscribe(LOG_ERROR_CHANNEL, onLog);
    subscribe(HTTP_ERROR_CHANNEL, onHttp);
    return () => {
      unsubscribe(LOG_ERROR_CHANNEL, onLog);
      unsubscribe(HTTP_ERROR_CHANNEL, onHttp);
    };
  }
}
