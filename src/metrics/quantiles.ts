/**
 * Streaming quantiles: the CKMS "targeted quantiles" algorithm (Cormode, Korn, Muthukrishnan,
 * Srivastava, "Effective Computation of Biased Quantiles over Data Streams", ICDE 2005, §3–4).
 *
 * The stream keeps tuples (v, g, Δ): v a value seen, g the rank gap to the previous tuple, Δ the
 * uncertainty of its rank. The invariant f(r, n) bounds g + Δ so that every target quantile φ with
 * error ε is answered with a value whose rank is within ε·n of φ·n. Observations are buffered in a
 * Float64Array and merged in sorted batches (a linear merge that folds runs as it goes, then one
 * compress pass), lazily: when the buffer fills, when its time period ends, or at a scrape. The
 * per-observation cost is a buffer store plus its share of one sort.
 */

/** A target: quantile `q` in [0, 1] answered within rank error `epsilon · n`. */
export interface QuantileTarget {
  q: number;
  epsilon: number;
}

/**
 * The rank error used for a percentile when none is given: 1% of n at the median, tightening
 * towards the tails (0.1% for p1/p99, 0.01% for p99.9) where a fixed ε would swallow the tail.
 */
export function defaultEpsilon(q: number): number {
  return Math.min(0.01, q / 10, (1 - q) / 10) || 0.0001;
}

/**
 * The merge output, shared by every stream: merges are synchronous, so one scratch set serves the
 * process, and each stream keeps only arrays sized to its own tuples.
 */
let scratchV = new Float64Array(0);
let scratchG = new Float64Array(0);
let scratchD = new Float64Array(0);

/** One CKMS stream. Tuples live in three parallel Float64Arrays sized to fit. */
export class CkmsStream {
  // Per target: φ, 2ε/φ and 2ε/(1−φ), so f needs no division.
  readonly #q: Float64Array;
  readonly #a: Float64Array;
  readonly #b: Float64Array;
  #v = new Float64Array(0);
  #g = new Float64Array(0);
  #d = new Float64Array(0);
  #len = 0;
  #n = 0;
  /** Tuples after the last COMPRESS: the next one runs once the stream has doubled. */
  #compressedLen = 0;

  constructor(targets: readonly QuantileTarget[]) {
    this.#q = Float64Array.from(targets, (t) => t.q);
    this.#a = Float64Array.from(targets, (t) => (2 * t.epsilon) / t.q);
    this.#b = Float64Array.from(targets, (t) => (2 * t.epsilon) / (1 - t.q));
  }

  /** Observations merged so far. */
  get count(): number {
    return this.#n;
  }

  /** Tuples kept (memory use is proportional). */
  get size(): number {
    return this.#len;
  }

  /** CKMS §4 targeted invariant: f(r, n) = min over targets of 2εr/φ (r ≥ φn) or 2ε(n−r)/(1−φ). */
  #f(r: number): number {
    let m = Infinity;
    const n = this.#n;
    const q = this.#q, a = this.#a, b = this.#b;
    for (let t = 0; t < q.length; t++) {
      const f = q[t]! * n <= r ? a[t]! * r : b[t]! * (n - r);
      if (f < m) m = f;
    }
    return m;
  }

  /**
   * A lower bound of f over the ranks [lo, hi] at the current n. Each target's f is V-shaped in r
   * (falling to 2εn at r = φn, rising after), so its minimum on an interval is at the vertex when
   * the vertex is inside, else at an end.
   */
  #fLow(lo: number, hi: number): number {
    let m = Infinity;
    const n = this.#n;
    const q = this.#q, a = this.#a, b = this.#b;
    for (let t = 0; t < q.length; t++) {
      const vertex = q[t]! * n;
      let f: number;
      if (vertex >= lo && vertex <= hi) {
        f = a[t]! * vertex;
      } else {
        const fl = vertex <= lo ? a[t]! * lo : b[t]! * (n - lo);
        const fh = vertex <= hi ? a[t]! * hi : b[t]! * (n - hi);
        f = fl < fh ? fl : fh;
      }
      if (f < m) m = f;
    }
    return m;
  }

  /**
   * Merges `sorted` (ascending) into the stream, then compresses when the stream has doubled.
   *
   * §3 INSERT adds each value as a tuple (v, 1, Δ) and COMPRESS then folds most of them into their
   * right neighbour. Here a run of new values landing in the same gap of the stream is folded while
   * inserting: the run is cut into groups of m values, each kept as one tuple (last value, m, Δ),
   * where Δ = g + Δ − 1 of the stream tuple right of the gap (the exact rank uncertainty of a value
   * in that gap, never more than the paper's ⌊f⌋ − 1) and m + Δ ≤ f over the run's ranks, so every
   * tuple satisfies the invariant g + Δ ≤ f(r, n) exactly as if COMPRESS had merged it. n is taken
   * before the batch: f only grows with n, so the bound stays valid. The cost per value is then one
   * comparison, not a tuple and two evaluations of f. COMPRESS itself is deferred until the stream
   * doubles (the paper leaves its frequency free; the invariant holds either way).
   */
  insertSorted(sorted: ArrayLike<number>, len: number): void {
    if (len === 0) return;
    const v0 = this.#v, g0 = this.#g, d0 = this.#d;
    const n0 = this.#len;
    const need = n0 + len;
    if (scratchV.length < need) {
      const cap = Math.max(need, scratchV.length * 2, 2048);
      scratchV = new Float64Array(cap);
      scratchG = new Float64Array(cap);
      scratchD = new Float64Array(cap);
    }
    const v = scratchV, g = scratchG, d = scratchD;
    let o = 0;
    let i = 0;
    let r = 0;
    let k = 0;
    while (k < len) {
      const x = sorted[k]!;
      while (i < n0 && v0[i]! <= x) {
        v[o] = v0[i]!; g[o] = g0[i]!; d[o] = d0[i]!;
        o++;
        r += g0[i]!;
        i++;
      }
      if (o === 0) {
        // §3: a new minimum has an exact rank (Δ = 0) and stays a tuple of its own.
        v[o] = x; g[o] = 1; d[o] = 0;
        o++;
        r += 1;
        k++;
        continue;
      }
      // The run: values before the next stream tuple (all the rest past the stream's maximum).
      let end = k + 1;
      if (i < n0) {
        const bound = v0[i]!;
        while (end < len && sorted[end]! < bound) end++;
      } else {
        end = len;
      }
      // Past the maximum ranks are exact (Δ = 0, §3); inside, the gap's uncertainty.
      const delta = i < n0 ? g0[i]! + d0[i]! - 1 : 0;
      const room = Math.floor(this.#fLow(r, r + (end - k) + delta + (i < n0 ? g0[i]! : 0))) - delta;
      const m = room > 1 ? room : 1;
      while (k < end) {
        const size = end - k < m ? end - k : m;
        k += size;
        v[o] = sorted[k - 1]!; g[o] = size; d[o] = delta;
        o++;
        r += size;
      }
    }
    for (; i < n0; i++) {
      v[o] = v0[i]!; g[o] = g0[i]!; d[o] = d0[i]!;
      o++;
    }
    this.#n += len;
    let kept = o;
    if (o > 2 * this.#compressedLen) {
      kept = this.#compress(v, g, d, o);
      this.#compressedLen = kept;
    }
    // Keep the tuples in arrays of the stream's own, reallocated only to grow or to shrink by half.
    if (v0.length < kept || v0.length > 2 * kept + 64) {
      const cap = kept + (kept >> 2) + 16;
      this.#v = new Float64Array(cap);
      this.#g = new Float64Array(cap);
      this.#d = new Float64Array(cap);
    }
    this.#v.set(v.subarray(0, kept));
    this.#g.set(g.subarray(0, kept));
    this.#d.set(d.subarray(0, kept));
    this.#len = kept;
  }

  /**
   * §3 COMPRESS: merge a tuple into its right neighbour while g + g' + Δ' ≤ f(r, n). f is taken as
   * its minimum over the ranks the merged tuple spans, not at its start only: f is V-shaped around
   * each target rank φn (2εn at the vertex, more on both sides), and a tuple starting just below φn
   * could otherwise span more than 2εn across it, putting the answer for φ more than εn away (seen
   * with sorted input and the paper's rule as is).
   */
  #compress(v: Float64Array, g: Float64Array, d: Float64Array, len: number): number {
    if (len < 3) return len;
    // Walk right to left, writing kept tuples from the end of the same arrays.
    let w = len - 1;
    let r = this.#n - g[len - 1]!;
    for (let i = len - 2; i >= 1; i--) { // keep the minimum (index 0) exact
      r -= g[i]!;
      const span = g[i]! + g[w]! + d[w]!;
      if (span <= this.#fLow(r, r + span)) {
        g[w]! += g[i]!;
      } else {
        w--;
        v[w] = v[i]!; g[w] = g[i]!; d[w] = d[i]!;
      }
    }
    w--;
    v[w] = v[0]!; g[w] = g[0]!; d[w] = d[0]!;
    if (w > 0) {
      v.copyWithin(0, w, len); g.copyWithin(0, w, len); d.copyWithin(0, w, len);
    }
    return len - w;
  }

  /** The value at quantile `q` (NaN when empty). */
  query(q: number): number {
    const v = this.#v, g = this.#g, d = this.#d;
    const len = this.#len;
    if (len === 0) return NaN;
    // §3 OUTPUT: the first tuple i whose successor's r_max exceeds φn + f(φn)/2 answers φ.
    const target = q * this.#n;
    const t = target + this.#f(target) / 2;
    let r = 0;
    for (let i = 1; i < len; i++) {
      r += g[i - 1]!;
      if (r + g[i]! + d[i]! > t) return v[i - 1]!;
    }
    return v[len - 1]!;
  }

  reset(): void {
    // Keep the arrays: a window's streams are reset on every rotation and refill at once.
    this.#len = 0;
    this.#n = 0;
    this.#compressedLen = 0;
  }
}

/** Observations buffered per series before a merge (8 KiB, allocated at the first observation). */
const BUFFER_SIZE = 1024;

/**
 * A sliding window of quantiles over `maxAgeMs`, made of `ageBuckets` CKMS streams that each see
 * every observation and are reset in turn every `maxAgeMs / ageBuckets` (the scheme of the Go
 * client). The oldest stream answers: it covers between (ageBuckets−1)/ageBuckets and all of the
 * window. Each series owns its own streams, so series never share a digest.
 */
export class QuantileWindow {
  readonly #streams: CkmsStream[];
  readonly #streamMs: number;
  #buf: Float64Array | undefined = undefined;
  #bufLen = 0;
  #head = 0;
  #headExpires: number;
  #bufExpires: number;
  readonly #now: () => number;

  constructor(targets: readonly QuantileTarget[], maxAgeMs: number, ageBuckets: number, now: () => number = Date.now) {
    this.#streams = Array.from({ length: ageBuckets }, () => new CkmsStream(targets));
    this.#streamMs = maxAgeMs / ageBuckets;
    this.#now = now;
    this.#headExpires = now() + this.#streamMs;
    this.#bufExpires = this.#headExpires;
  }

  observe(x: number): void {
    const now = this.#now();
    if (now > this.#bufExpires) this.#flush(now);
    const buf = (this.#buf ??= new Float64Array(BUFFER_SIZE));
    buf[this.#bufLen++] = x;
    if (this.#bufLen === BUFFER_SIZE) this.#flush(now);
  }

  /** Flushes the buffer into every stream, then rotates the streams whose period ended. */
  #flush(now: number): void {
    if (this.#bufLen > 0 && this.#buf !== undefined) {
      const sorted = this.#buf.subarray(0, this.#bufLen).sort();
      for (const s of this.#streams) s.insertSorted(sorted, this.#bufLen);
      this.#bufLen = 0;
    }
    // The buffer's observations belong to the period ending at #bufExpires; later ones start anew.
    while (now > this.#bufExpires) this.#bufExpires += this.#streamMs;
    this.#rotate();
  }

  #rotate(): void {
    const n = this.#streams.length;
    let turns = 0;
    while (this.#headExpires < this.#bufExpires) {
      if (turns++ < n) this.#streams[this.#head]!.reset();
      this.#head = (this.#head + 1) % n;
      this.#headExpires += this.#streamMs;
    }
  }

  /** Current value of each quantile (NaN when the window is empty). */
  query(qs: readonly number[]): number[] {
    this.#flush(this.#now());
    const head = this.#streams[this.#head]!;
    return qs.map((q) => head.query(q));
  }

  reset(): void {
    for (const s of this.#streams) s.reset();
    this.#bufLen = 0;
  }
}
