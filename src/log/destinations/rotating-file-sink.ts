/**
 * The rotating file sink (runs in the log writer thread; see rotating-file.ts for the options and
 * the main-thread side).
 *
 * Rotation is decided per line, so every line lands in exactly one file:
 * - by time: a line goes to the file of the period its own `time` field names (the logger's clock,
 *   which tests can set with `mock.timers`); the first line of a new period rotates the file.
 *   A timer also rotates an idle file once the thread's clock passes the period's end;
 * - by size: a line that would take the live file over `maxSize` rotates it first (a line larger
 *   than `maxSize` gets a file of its own).
 *
 * Rotation renames the live file to its rotated name and opens a new live file, all synchronously
 * in this thread, so no line is written in between. Compression runs afterwards on libuv's thread
 * pool (async zlib + fs streams) while this thread keeps writing the new live file; it writes
 * `….gz.tmp`, syncs it, renames it to `….gz` and only then deletes the rotated file, so a crash at
 * any point leaves either the complete rotated file or the complete `.gz` (plus a partial `.tmp`
 * that the next start deletes before compressing again).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { writeAllSync } from './fd-sink.js';
import { lineTime, nextBoundary, periodStamp } from './rotating-file-period.js';
import type { Interval } from './rotating-file-period.js';
import { newestFirst, rotatedMatcher, rotatedName, splitName } from './rotating-file-names.js';
import type { NameParts, RotatedName } from './rotating-file-names.js';
import type { PartialWriteError, Sink, SinkEnv, TextSink } from './sink.js';

/** Structured-clonable options handed from the main thread. */
export interface RotatingFileSinkOptions {
  /** Absolute path of the live file. */
  path: string;
  maxSize: number | undefined;
  interval: Interval | undefined;
  utc: boolean;
  keep: number | undefined;
  maxAgeMs: number | undefined;
  compress: boolean;
}

// setTimeout's longest delay is ~24.8 days; re-check idle rotation at least hourly.
const MAX_TIMER_MS = 3_600_000;

class RotatingFileSink implements TextSink {
  readonly #o: RotatingFileSinkOptions;
  readonly #env: SinkEnv;
  readonly #parts: NameParts;
  readonly #match: (name: string) => RotatedName | undefined;
  /** Naming period: the interval, or daily stamps for size-only rotation. */
  readonly #nameInterval: Interval;
  #fd: number | undefined;
  #size = 0;
  #ino = 0;
  #dev = 0;
  /** Stamp of the period the live file's lines belong to; undefined while it is empty. */
  #stamp: string | undefined;
  /** First millisecond after that period. */
  #boundary = Infinity;
  readonly #seqs = new Map<string, number>();
  /** Rotated files being compressed (retention must not delete them meanwhile). */
  readonly #busy = new Set<string>();
  readonly #tasks = new Set<Promise<void>>();
  #rotateBlockedUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #warned = new Set<string>();

  constructor(o: RotatingFileSinkOptions, env: SinkEnv) {
    this.#o = o;
    this.#env = env;
    this.#parts = splitName(o.path);
    this.#match = rotatedMatcher(this.#parts);
    this.#nameInterval = o.interval ?? 'daily';
    this.#scanSeqs();
    try {
      this.#openLive();
    } catch {
      // reported by the first write, which retries the open
    }
    this.#track(this.#recover());
  }

  /** Counts every failure; prints the first of each kind (`key`) of this file. */
  #report(key: string, reason: 'rotation_failed' | 'compress_failed', message: string): void {
    this.#env.report(reason, `log destination file:${this.#o.path}: ${message}`, !this.#warned.has(key));
    this.#warned.add(key);
  }

  #track(p: Promise<void>): void {
    this.#tasks.add(p);
    void p.finally(() => this.#tasks.delete(p));
  }

  #scanSeqs(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.#parts.dir);
    } catch {
      return;
    }
    for (const n of names) {
      const r = this.#match(n);
      if (r !== undefined && r.seq > (this.#seqs.get(r.stamp) ?? 0)) this.#seqs.set(r.stamp, r.seq);
    }
  }

  /** Opens (creating the directory again if it was deleted) the live file for appending. */
  #openLive(): void {
    fs.mkdirSync(this.#parts.dir, { recursive: true });
    const fd = fs.openSync(this.#o.path, 'a');
    const st = fs.fstatSync(fd);
    this.#fd = fd;
    this.#size = st.size;
    this.#ino = st.ino;
    this.#dev = st.dev;
    if (st.size > 0) this.#setPeriod(st.mtimeMs);
    else {
      this.#stamp = undefined;
      this.#boundary = Infinity;
    }
  }

  #closeLive(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    try {
      fs.closeSync(fd);
    } catch {
      // already gone
    }
  }

  /**
   * Makes sure the descriptor still is the file at the live path: after the directory was deleted
   * or an external tool moved the file, writing on would go to an unreachable inode.
   */
  #checkLive(): void {
    if (this.#fd !== undefined) {
      const st = fs.statSync(this.#o.path, { throwIfNoEntry: false });
      if (st !== undefined && st.ino === this.#ino && st.dev === this.#dev) return;
      this.#closeLive();
    }
    this.#openLive();
  }

  #setPeriod(t: number): void {
    this.#stamp = periodStamp(t, this.#nameInterval, this.#o.utc);
    this.#boundary = this.#o.interval === undefined ? Infinity : nextBoundary(t, this.#o.interval, this.#o.utc);
    this.#armTimer();
  }

  #armTimer(): void {
    if (this.#o.interval === undefined || this.#closed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const delay = Math.max(0, Math.min(this.#boundary - Date.now(), MAX_TIMER_MS));
    this.#timer = setTimeout(this.#onTimer, delay);
    this.#timer.unref();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#closed || this.#stamp === undefined) return;
    if (Date.now() < this.#boundary) {
      this.#armTimer();
      return;
    }
    // An idle file whose period ended: rotate it so the rotated name holds that period.
    try {
      this.#checkLive();
      if (this.#size > 0 && this.#stamp !== undefined && Date.now() >= this.#boundary) this.#rotate();
    } catch (e) {
      this.#report('timer', 'rotation_failed', `time rotation failed (${String(e)})`);
    }
  };

  write(data: string): void {
    this.#checkLive();
    const interval = this.#o.interval;
    if (this.#stamp === undefined) this.#setPeriod(timeOf(data));
    const max = this.#o.maxSize;
    let bytes: Buffer | undefined;
    // Fast path: the whole batch fits the size limit and the live file's period.
    if (interval === undefined || timeOf(data.slice(data.lastIndexOf('\n', data.length - 2) + 1)) < this.#boundary) {
      if (max === undefined) {
        this.#append(Buffer.from(data), 0);
        return;
      }
      bytes = Buffer.from(data);
      if (this.#size + bytes.length <= max) {
        this.#append(bytes, 0);
        return;
      }
    }
    this.#writeSplit(data);
  }

  /** Line by line: rotates between lines wherever time or size says so. */
  #writeSplit(data: string): void {
    const max = this.#o.maxSize;
    const interval = this.#o.interval;
    let chunkStart = 0;
    let chunkBytes = 0;
    let pos = 0;
    const flushChunk = (): void => {
      if (pos > chunkStart) this.#append(Buffer.from(data.slice(chunkStart, pos)), chunkStart);
      chunkStart = pos;
      chunkBytes = 0;
    };
    while (pos < data.length) {
      let end = data.indexOf('\n', pos);
      end = end === -1 ? data.length : end + 1;
      const line = data.slice(pos, end);
      let t = NaN;
      if (interval !== undefined) {
        t = timeOf(line);
        if (this.#stamp === undefined) this.#setPeriod(t);
        else if (t >= this.#boundary) {
          flushChunk();
          this.#rotateAt(chunkStart);
          this.#setPeriod(t);
        }
      }
      if (max !== undefined) {
        const b = Buffer.byteLength(line);
        if (this.#size + chunkBytes + b > max && this.#size + chunkBytes > 0) {
          flushChunk();
          this.#rotateAt(chunkStart);
          this.#setPeriod(Number.isNaN(t) ? timeOf(line) : t);
        }
        chunkBytes += b;
      }
      pos = end;
    }
    flushChunk();
  }

  /** Appends bytes; on failure truncates back so no partial line stays behind, then rethrows. */
  #append(buf: Buffer, writtenChars: number): void {
    const fd = this.#fd;
    if (fd === undefined) throw partial(new Error('log file is not open'), writtenChars);
    const before = this.#size;
    try {
      writeAllSync(fd, buf);
      this.#size += buf.length;
    } catch (e) {
      try {
        fs.ftruncateSync(fd, before);
      } catch {
        // nothing more to undo
      }
      throw partial(e, writtenChars);
    }
  }

  #rotateAt(writtenChars: number): void {
    try {
      this.#rotate();
    } catch (e) {
      throw partial(e, writtenChars);
    }
  }

  /** Renames the live file to its rotated name and opens a new one. */
  #rotate(): void {
    if (this.#size === 0 || Date.now() < this.#rotateBlockedUntil) return;
    const stamp = this.#stamp ?? periodStamp(Date.now(), this.#nameInterval, this.#o.utc);
    let seq = (this.#seqs.get(stamp) ?? 0) + 1;
    let target = path.join(this.#parts.dir, rotatedName(this.#parts, stamp, seq));
    while (fs.existsSync(target) || fs.existsSync(`${target}.gz`)) {
      seq++;
      target = path.join(this.#parts.dir, rotatedName(this.#parts, stamp, seq));
    }
    try {
      fs.renameSync(this.#o.path, target);
    } catch (e) {
      // Keep writing the live file (over its limit) rather than lose lines; retry in a second.
      this.#rotateBlockedUntil = Date.now() + 1000;
      this.#env.count('rotateErrors');
      this.#report('rename', 'rotation_failed', `rotation failed (${String(e)}); writing on to the live file`);
      return;
    }
    this.#seqs.set(stamp, seq);
    this.#closeLive();
    this.#openLive();
    this.#env.count('rotations');
    if (this.#o.compress) this.#compress(target);
    this.#retain();
  }

  #compress(file: string): void {
    if (this.#busy.has(file)) return;
    this.#busy.add(file);
    this.#track(this.#gzip(file).finally(() => {
      this.#busy.delete(file);
      // Retention skipped it while it was being compressed.
      if (!this.#closed || this.#busy.size === 0) this.#retain();
    }));
  }

  async #gzip(file: string): Promise<void> {
    const tmp = `${file}.gz.tmp`;
    try {
      await pipeline(fs.createReadStream(file), createGzip(), fs.createWriteStream(tmp));
      const h = await fsp.open(tmp, 'r+');
      try {
        await h.datasync();
      } finally {
        await h.close();
      }
      await fsp.rename(tmp, `${file}.gz`);
      await fsp.unlink(file);
      this.#env.count('compressed');
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      this.#env.count('compressErrors');
      this.#report('gzip', 'compress_failed', `compressing ${path.basename(file)} failed (${String(e)}); it stays uncompressed`);
    }
  }

  /** Deletes rotated files beyond `keep` (newest first) or older than `maxAge` (by mtime). */
  #retain(): void {
    const { keep, maxAgeMs } = this.#o;
    if (keep === undefined && maxAgeMs === undefined) return;
    let names: string[];
    try {
      names = fs.readdirSync(this.#parts.dir);
    } catch {
      return;
    }
    const groups = new Map<string, { r: RotatedName; files: string[] }>();
    for (const n of names) {
      const r = this.#match(n);
      if (r === undefined || r.tmp) continue;
      const key = `${r.stamp}.${r.seq}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { r, files: [n] });
      else g.files.push(n);
    }
    const sorted = [...groups.values()].sort((a, b) => newestFirst(a.r, b.r));
    const now = Date.now();
    let removed = 0;
    sorted.forEach((g, i) => {
      let old = keep !== undefined && i >= keep;
      if (!old && maxAgeMs !== undefined) {
        const mtime = Math.max(...g.files.map((f) => fs.statSync(path.join(this.#parts.dir, f), { throwIfNoEntry: false })?.mtimeMs ?? now));
        old = now - mtime > maxAgeMs;
      }
      if (!old) return;
      const plain = path.join(this.#parts.dir, rotatedName(this.#parts, g.r.stamp, g.r.seq));
      // Being compressed: its turn comes at the next rotation.
      if (this.#busy.has(plain)) return;
      for (const f of g.files) {
        try {
          fs.unlinkSync(path.join(this.#parts.dir, f));
          removed++;
        } catch {
          // gone already
        }
      }
    });
    if (removed > 0) this.#env.count('removed', removed);
  }

  /**
   * At open: finishes what a crash interrupted. A `.gz.tmp` is partial: delete it. A rotated file
   * next to its complete `.gz` was already compressed: delete it. Other rotated files are
   * compressed (when `compress` is on). Then retention runs.
   */
  async #recover(): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(this.#parts.dir);
    } catch {
      return;
    }
    const set = new Set(names);
    const found = names.map((n) => this.#match(n)).filter((r) => r !== undefined);
    // Partial files first: a compression started below writes a new `.gz.tmp` of the same name.
    for (const r of found) {
      if (r.tmp) await fsp.rm(path.join(this.#parts.dir, r.name), { force: true }).catch(() => undefined);
    }
    for (const r of found) {
      if (r.tmp || r.gz || !this.#o.compress) continue;
      const full = path.join(this.#parts.dir, r.name);
      if (set.has(`${r.name}.gz`)) await fsp.rm(full, { force: true }).catch(() => undefined);
      else this.#compress(full);
    }
    this.#retain();
  }

  reopen(): void {
    this.#closeLive();
    this.#openLive();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
    this.#closeLive();
  }
}

function timeOf(line: string): number {
  const t = lineTime(line);
  return Number.isNaN(t) ? Date.now() : t;
}

function partial(e: unknown, writtenChars: number): PartialWriteError {
  const err = (e instanceof Error ? e : new Error(String(e))) as PartialWriteError;
  err.writtenChars = writtenChars;
  return err;
}

/** The writer thread's factory for kind `rotating-file`. */
export function createRotatingFileSink(o: RotatingFileSinkOptions, env: SinkEnv): Sink {
  return new RotatingFileSink(o, env);
}
