/**
 * The render loop: walks every family and series into a {@link ChunkWriter}, in slices bounded by
 * time rather than by series count, yielding to the event loop between slices. Two outputs share
 * it: the whole exposition as one string (`registry.render`) and a stream of Buffer chunks (what
 * the /metrics handler sends, so a large scrape is never held as one string at all).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AnyMetric, FamilyRenderer } from './exposition.js';
import { familyRenderer } from './exposition.js';
import type { SeriesBase } from './metric.js';
import { ChunkWriter } from './writer.js';

/**
 * Longest stretch of synchronous rendering before yielding, in wall time (`performance.now()`), so
 * a slow or busy machine yields after less work instead of blocking longer. 3 ms leaves room under
 * a 10 ms budget for a scavenge landing inside a slice (1–5 ms measured on the benchmark machine).
 */
export const RENDER_SLICE_MS = 3;
/** Series rendered between two clock reads (one histogram series is ~1 µs of work). */
const SERIES_PER_CLOCK_READ = 8;
/**
 * Chunk size when building a string. When pieces are decoded (non-ASCII output), this keeps them
 * above V8's regular-object limit (128 KiB), in large-object space, never copied by scavenges.
 */
const STRING_CHUNK = 256 * 1024;
/** Chunk size when streaming to a socket (large enough to amortize each write). */
export const STREAM_CHUNK = 64 * 1024;

/** Resumable walk over the families and their series. */
class RenderWalk {
  readonly #metrics: readonly AnyMetric[];
  readonly #om: boolean;
  readonly #w: ChunkWriter;
  #next = 0;
  #family: FamilyRenderer | undefined;
  #series: Iterator<SeriesBase> | undefined;

  constructor(metrics: readonly AnyMetric[], om: boolean, w: ChunkWriter) {
    this.#metrics = metrics;
    this.#om = om;
    this.#w = w;
  }

  /** Renders for about `budgetMs`; true once everything is written and flushed. */
  step(budgetMs: number): boolean {
    const w = this.#w;
    const start = performance.now();
    let n = 0;
    for (;;) {
      if (this.#series === undefined || this.#family === undefined) {
        const m = this.#metrics[this.#next++];
        if (m === undefined) {
          if (this.#om) w.ascii('# EOF\n');
          w.flush();
          return true;
        }
        this.#family = familyRenderer(m, this.#om);
        this.#family.header(w);
        this.#series = (m.series() as Iterator<SeriesBase>);
      }
      const r = this.#series.next();
      if (r.done === true) {
        this.#series = undefined;
        continue;
      }
      this.#family.series(w, r.value as Parameters<FamilyRenderer['series']>[1]);
      if (++n % SERIES_PER_CLOCK_READ === 0 && performance.now() - start > budgetMs) return false;
    }
  }
}

/**
 * Size of the last string render, used to size the next one's buffer up front: untouched pages cost
 * nothing until written, so the page faults spread over the slices instead of piling into a
 * doubling copy. Shared by all registries; only a hint.
 */
let sizeHint = 1 << 20;

/**
 * Collects the chunks of a string render. While everything is ASCII (the usual case) the bytes go
 * into one off-heap buffer, decoded once at the end: Node makes a string of more than ~1 MB from
 * latin1 bytes as an external string, so a whole render allocates almost nothing on the V8 heap
 * and drives no GC marking of its own. From the first non-ASCII chunk on, chunks are decoded as
 * they come (a chunk never cuts a UTF-8 sequence) and the pieces joined at the end.
 */
class StringCollector {
  #buf: Buffer;
  #len = 0;
  #parts: string[] | undefined;

  constructor(capacity: number) {
    this.#buf = Buffer.allocUnsafeSlow(capacity);
  }

  add(chunk: Buffer, ascii: boolean): void {
    if (ascii && this.#parts === undefined) {
      if (this.#len + chunk.length > this.#buf.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(this.#buf.length * 2, this.#len + chunk.length));
        this.#buf.copy(grown, 0, 0, this.#len);
        this.#buf = grown;
      }
      this.#len += chunk.copy(this.#buf, this.#len);
      return;
    }
    if (this.#parts === undefined) {
      this.#parts = this.#len > 0 ? [this.#buf.toString('latin1', 0, this.#len)] : [];
      this.#len = 0;
    }
    this.#parts.push(chunk.toString(ascii ? 'latin1' : 'utf8'));
  }

  /** Bytes collected (or decoded pieces' length), for the next render's size hint. */
  get size(): number {
    return this.#parts === undefined ? this.#len : this.#parts.reduce((n, p) => n + p.length, 0);
  }

  result(): string {
    return this.#parts === undefined ? this.#buf.toString('latin1', 0, this.#len) : this.#parts.join('');
  }
}

/** Renders the exposition as one string, yielding every {@link RENDER_SLICE_MS}. @internal */
export async function renderToString(metrics: readonly AnyMetric[], om: boolean): Promise<string> {
  const out = new StringCollector(sizeHint + (sizeHint >> 3));
  // One chunk buffer serves the whole render: each full chunk is copied out at once.
  const w = new ChunkWriter(STRING_CHUNK, true, (b, ascii) => out.add(b, ascii));
  const walk = new RenderWalk(metrics, om, w);
  while (!walk.step(RENDER_SLICE_MS)) await yieldToLoop();
  sizeHint = Math.max(1 << 16, out.size);
  if (out.size < STRING_CHUNK) return out.result();
  // The final decode or join (one copy of the whole body) gets a turn of its own rather than
  // extending the last slice.
  await yieldToLoop();
  return out.result();
}

/**
 * Renders the exposition as Buffer chunks of about `chunkSize` bytes; the concatenation of the
 * chunks is the UTF-8 encoding of {@link renderToString}'s result. Rendering advances only as the
 * consumer pulls, so a slow client applies back-pressure instead of growing memory. @internal
 */
export async function* renderChunks(metrics: readonly AnyMetric[], om: boolean, chunkSize = STREAM_CHUNK): AsyncGenerator<Buffer, void, undefined> {
  const ready: Buffer[] = [];
  const w = new ChunkWriter(chunkSize, false, (b) => {
    ready.push(b);
  });
  const walk = new RenderWalk(metrics, om, w);
  for (;;) {
    const done = walk.step(RENDER_SLICE_MS);
    for (let i = 0; i < ready.length; i++) yield ready[i]!;
    ready.length = 0;
    if (done) return;
    await yieldToLoop();
  }
}
