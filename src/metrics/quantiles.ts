/**
 * Streaming quantiles: the CKMS "targeted quantiles" algorithm (Cormode, Korn, Muthukrishnan,
 * Srivastava, "Effective Computation of Biased Quantiles over Data Streams", ICDE 2005, §3–4).
 *
 * The stream keeps tuples (v, g, Δ): v a value seen, g the rank gap to the previous tuple, Δ the
 * uncertainty of its rank. The invariant f(r, n) bounds g + Δ so that every target quantile φ with
 * error ε is answered with a value whose rank is within ε·n of φ·n. Observations are buffered and
 * merged in sorted batches (a linear merge, then one compress pass), which is what makes the
 * per-observation cost a buffer push.
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

/** One CKMS stream. */
export class CkmsStream {
  readonly #targets: readonly QuantileTarget[];
  #v: number[] = [];
  #g: number[] = [];
  #d: number[] = [];
  #n = 0;

  constructor(targets: readonly QuantileTarget[]) {
    this.#targets = targets;
  }

  /** Observations merged so far. */
  get count(): number {
    return this.#n;
  }

  /** Tuples kept (memory use is proportional). */
  get size(): number {
    return this.#v.length;
  }

  /** CKMS §4 targeted invariant: f(r, n) = min over targets of 2εr/φ (r ≥ φn) or 2ε(n−r)/(1−φ). */
  #f(r: number): number {
    let m = Infinity;
    const n = this.#n;
    for (const t of this.#targets) {
      const f = t.q * n <= r ? (2 * t.epsilon * r) / t.q : (2 * t.epsilon * (n - r)) / (1 - t.q);
      if (f < m) m = f;
    }
    return m;
  }

  /** Merges `sorted` (ascending) into the stream, then compresses. */
  insertSorted(sorted: ArrayLike<number>, len: number): void {
    if (len === 0) return;
    const v0 = this.#v, g0 = this.#g, d0 = this.#d;
    const v: number[] = [], g: number[] = [], d: number[] = [];
    let i = 0;
    let r = 0;
    for (let k = 0; k < len; k++) {
      const x = sorted[k]!;
      while (i < v0.length && v0[i]! <= x) {
        v.push(v0[i]!); g.push(g0[i]!); d.push(d0[i]!);
        r += g0[i]!;
        i++;
      }
      this.#n++;
      // §3: a new minimum or maximum has an exact rank (Δ = 0); otherwise Δ = ⌊f(r, n)⌋ − 1.
      const delta = v.length === 0 || i === v0.length ? 0 : Math.max(0, Math.floor(this.#f(r)) - 1);
      v.push(x); g.push(1); d.push(delta);
      r += 1;
    }
    for (; i < v0.length; i++) {
      v.push(v0[i]!); g.push(g0[i]!); d.push(d0[i]!);
    }
    this.#v = v; this.#g = g; this.#d = d;
    this.#compress();
  }

  /** §3 COMPRESS: merge a tuple into its right neighbour while g + g' + Δ' ≤ f(r, n). */
  #compress(): void {
    const v = this.#v, g = this.#g, d = this.#d;
    const len = v.length;
    if (len < 3) return;
    // Walk right to left, writing kept tuples from the end of the same arrays.
    let w = len - 1;
    let r = this.#n - g[len - 1]!;
    for (let i = len - 2; i >= 1; i--) { // keep the minimum (index 0) exact
      r -= g[i]!;
      if (g[i]! + g[w]! + d[w]! <= this.#f(r)) {
        g[w]! += g[i]!;
      } else {
        w--;
        v[w] = v[i]!; g[w] = g[i]!; d[w] = d[i]!;
      }
    }
    w--;
    v[w] = v[0]!; g[w] = g[0]!; d[w] = d[0]!;
    if (w > 0) {
      v.splice(0, w); g.splice(0, w); d.splice(0, w);
    }
  }

  /** The value at quantile `q` (NaN when empty). */
  query(q: number): number {
    const v = this.#v, g = this.#g, d = this.#d;
    if (v.length === 0) return NaN;
    // §3 OUTPUT: the first tuple i whose successor's r_max exceeds φn + f(φn)/2 answers φ.
    const target = q * this.#n;
    const t = target + this.#f(target) / 2;
    let r = 0;
    for (let i = 1; i < v.length; i++) {
      r += g[i - 1]!;
      if (r + g[i]! + d[i]! > t) return v[i - 1]!;
    }
    return v[v.length - 1]!;
  }

  reset(): void {
    this.#v = []; this.#g = []; this.#d = [];
    this.#n = 0;
  }
}

const BUFFER_SIZE = 500;

/**
 * A sliding window of quantiles over `maxAgeMs`, made of `ageBuckets` CKMS streams that each see
 * every observation and are reset in turn every `maxAgeMs / ageBuckets` (the scheme of the Go
 * client). The oldest stream answers: it covers between (ageBuckets−1)/ageBuckets and all of the
 * window. Each series owns its own streams, so series never share a digest.
 */
export class QuantileWindow {
  readonly #streams: CkmsStream[];
  readonly #streamMs: number;
  readonly #buf = new Float64Array(BUFFER_SIZE);
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
    this.#buf[this.#bufLen++] = x;
    if (this.#bufLen === BUFFER_SIZE) this.#flush(now);
  }

  /** Flushes the buffer into every stream, then rotates the streams whose period ended. */
  #flush(now: number): void {
    if (this.#bufLen > 0) {
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
