/**
 * Per-SLO state in fixed-size rings indexed by minute (`Math.floor(epochMs / 60_000)`): bad and
 * total counts per minute over the retention, and for latency SLOs per-bucket histogram counts per
 * minute for the last hour and per hour over the retention. This process' own counts and the
 * fleet's other instances' counts are kept apart (the store persists only the own ones); sums and
 * statuses add them.
 *
 * Memory per SLO (R = retention minutes, B = histogram buckets including `+Inf`):
 * - own minutes: R × 20 bytes (bad and total as float64, the minute as int32);
 * - other instances' minutes (fleet stores only): another R × 20 bytes;
 * - latency SLOs: 61 × B × 8 + 61 × 4 bytes per minute-histogram ring (own, and others with a
 *   fleet store) and (⌈R / 60⌉ + 1) × (B × 8 + 4) bytes for the hourly ring.
 */
import type { MinuteCounts } from './types.js';

/** Minutes of per-minute histogram kept (the last hour, plus the minute being filled). */
export const HIST_MINUTES = 61;

/** Bad and total counts per minute in a ring of `size` minutes. */
export class MinuteRing {
  /** Bytes of state per minute of retention. */
  static readonly BYTES_PER_MINUTE = 20;
  readonly size: number;
  readonly #minute: Int32Array;
  readonly #bad: Float64Array;
  readonly #total: Float64Array;

  constructor(size: number) {
    this.size = size;
    this.#minute = new Int32Array(size).fill(-1);
    this.#bad = new Float64Array(size);
    this.#total = new Float64Array(size);
  }

  #slot(m: number): number {
    return ((m % this.size) + this.size) % this.size;
  }

  /** The slot holding minute `m`, claimed (and zeroed) if it held an older minute; -1 if it holds a newer one. */
  #claim(m: number): number {
    const s = this.#slot(m);
    const held = this.#minute[s]!;
    if (held === m) return s;
    if (held > m) return -1;
    this.#minute[s] = m;
    this.#bad[s] = 0;
    this.#total[s] = 0;
    return s;
  }

  /** Adds to minute `m`; false when `m` is older than the ring keeps. */
  add(m: number, bad: number, total: number): boolean {
    const s = this.#claim(m);
    if (s < 0) return false;
    this.#bad[s]! += bad;
    this.#total[s]! += total;
    return true;
  }

  /** Sets minute `m` to absolute counts; false when `m` is older than the ring keeps. */
  set(m: number, bad: number, total: number): boolean {
    const s = this.#claim(m);
    if (s < 0) return false;
    this.#bad[s] = bad;
    this.#total[s] = total;
    return true;
  }

  has(m: number): boolean {
    return this.#minute[this.#slot(m)] === m;
  }

  bad(m: number): number {
    const s = this.#slot(m);
    return this.#minute[s] === m ? this.#bad[s]! : 0;
  }

  total(m: number): number {
    const s = this.#slot(m);
    return this.#minute[s] === m ? this.#total[s]! : 0;
  }
}

/** Per-bucket histogram counts per key (a minute or an hour) in a ring of `slots` keys. */
export class HistRing {
  readonly slots: number;
  readonly width: number;
  readonly #key: Int32Array;
  readonly #data: Float64Array;

  constructor(slots: number, width: number) {
    this.slots = slots;
    this.width = width;
    this.#key = new Int32Array(slots).fill(-1);
    this.#data = new Float64Array(slots * width);
  }

  #claim(k: number): number {
    const s = ((k % this.slots) + this.slots) % this.slots;
    const held = this.#key[s]!;
    if (held === k) return s;
    if (held > k) return -1;
    this.#key[s] = k;
    this.#data.fill(0, s * this.width, (s + 1) * this.width);
    return s;
  }

  /** Adds `counts × scale` to key `k`; false when `k` is older than the ring keeps. */
  add(k: number, counts: ArrayLike<number>, scale = 1): boolean {
    const s = this.#claim(k);
    if (s < 0) return false;
    const base = s * this.width;
    const n = Math.min(this.width, counts.length);
    for (let i = 0; i < n; i++) this.#data[base + i]! += counts[i]! * scale;
    return true;
  }

  /** Sets key `k` to `counts`. */
  set(k: number, counts: ArrayLike<number>): boolean {
    const s = this.#claim(k);
    if (s < 0) return false;
    const base = s * this.width;
    for (let i = 0; i < this.width; i++) this.#data[base + i] = i < counts.length ? counts[i]! : 0;
    return true;
  }

  /** The counts of key `k` (a view into the ring), or undefined when not held. */
  get(k: number): Float64Array | undefined {
    const s = ((k % this.slots) + this.slots) % this.slots;
    return this.#key[s] === k ? this.#data.subarray(s * this.width, (s + 1) * this.width) : undefined;
  }

  /** Adds the counts of keys in `(fromExclusive, toInclusive]` into `out`. */
  sumInto(fromExclusive: number, toInclusive: number, out: Float64Array): void {
    const from = Math.max(fromExclusive + 1, toInclusive - this.slots + 1);
    for (let k = from; k <= toInclusive; k++) {
      const c = this.get(k);
      if (c === undefined) continue;
      for (let i = 0; i < this.width; i++) out[i]! += c[i]!;
    }
  }

  /** Bytes of state. */
  get bytes(): number {
    return this.slots * (this.width * 8 + 4);
  }
}

/** One window's sums: `bad`/`total` in the SLI's unit (events, or minutes with timeslices) and the events (observations) behind them. */
export interface WindowSum {
  bad: number;
  total: number;
  events: number;
}

/** How a minute counts in sums: each event (occurrences), or the minute as good or bad (timeslices). */
export type SumMode = { readonly kind: 'occurrences' } | { readonly kind: 'timeslices'; readonly goodPercent: number };

/** The rings of one SLO and the own minutes not yet saved. */
export class SloState {
  readonly retention: number;
  readonly own: MinuteRing;
  others: MinuteRing | undefined;
  /** Minutes whose own counts changed since the last successful save. */
  readonly dirty = new Set<number>();
  ownHist: HistRing | undefined;
  othersHist: HistRing | undefined;
  hourHist: HistRing | undefined;

  constructor(retentionMinutes: number) {
    this.retention = retentionMinutes;
    this.own = new MinuteRing(retentionMinutes);
  }

  /** Allocates (or, when the width changed, replaces) the histogram rings. */
  ensureHist(width: number): void {
    if (this.ownHist?.width === width) return;
    this.ownHist = new HistRing(HIST_MINUTES, width);
    this.othersHist = this.others === undefined ? undefined : new HistRing(HIST_MINUTES, width);
    this.hourHist = new HistRing(Math.ceil(this.retention / 60) + 1, width);
  }

  #ensureOthers(): MinuteRing {
    if (this.others === undefined) {
      this.others = new MinuteRing(this.retention);
      if (this.ownHist !== undefined) this.othersHist = new HistRing(HIST_MINUTES, this.ownHist.width);
    }
    return this.others;
  }

  /** Folds this process' deltas into minute `m`. */
  addOwn(m: number, bad: number, total: number, hist?: ArrayLike<number>): void {
    if (bad === 0 && total === 0 && hist === undefined) return;
    if (!this.own.add(m, bad, total)) return;
    if (hist !== undefined && this.ownHist !== undefined && this.hourHist !== undefined) {
      this.ownHist.add(m, hist);
      this.hourHist.add(Math.floor(m / 60), hist);
    }
    this.dirty.add(m);
  }

  /** Seeds an own minute loaded from the store (absolute counts). */
  loadOwn(c: MinuteCounts, nowMinute: number): void {
    if (c.minute <= nowMinute - this.retention) return;
    if (!this.own.set(c.minute, c.bad, c.total)) return;
    if (c.hist !== undefined && this.ownHist !== undefined && this.hourHist !== undefined && c.hist.length === this.ownHist.width) {
      if (c.minute > nowMinute - HIST_MINUTES) this.ownHist.set(c.minute, c.hist);
      this.hourHist.add(Math.floor(c.minute / 60), c.hist);
    }
  }

  /**
   * Sets the other instances' absolute sums of one minute (from the store's open or pull). The
   * hourly histogram moves by the difference to what was known of that minute: exactly within the
   * last hour (where the minute histogram is kept), in proportion to the change of its total for
   * older minutes.
   */
  setOthers(c: MinuteCounts, nowMinute: number): void {
    if (c.minute <= nowMinute - this.retention) return;
    const ring = this.#ensureOthers();
    const oldTotal = ring.total(c.minute);
    if (!ring.set(c.minute, c.bad, c.total)) return;
    const hist = c.hist;
    if (hist === undefined || this.othersHist === undefined || this.hourHist === undefined || hist.length !== this.othersHist.width) return;
    const hour = Math.floor(c.minute / 60);
    if (c.minute > nowMinute - HIST_MINUTES) {
      const old = this.othersHist.get(c.minute);
      const delta = new Float64Array(hist.length);
      for (let i = 0; i < hist.length; i++) delta[i] = hist[i]! - (old?.[i] ?? 0);
      this.othersHist.set(c.minute, hist);
      this.hourHist.add(hour, delta);
    } else if (oldTotal === 0) {
      this.hourHist.add(hour, hist);
    } else if (c.total > oldTotal) {
      this.hourHist.add(hour, hist, (c.total - oldTotal) / c.total);
    }
  }

  /** The absolute own counts of minute `m`, as saved to the store. */
  ownCounts(m: number, withHist: boolean): MinuteCounts {
    const hist = withHist ? this.ownHist?.get(m) : undefined;
    return hist === undefined
      ? { minute: m, bad: this.own.bad(m), total: this.own.total(m) }
      : { minute: m, bad: this.own.bad(m), total: this.own.total(m), hist: Array.from(hist) };
  }

  /** Drops unsaved minutes that fell out of the retention. */
  pruneDirty(nowMinute: number): void {
    for (const m of this.dirty) if (m <= nowMinute - this.retention) this.dirty.delete(m);
  }

  /**
   * Sums over `(now − span, now]` for each span (minutes), own and others added, in one pass from
   * `now` backwards. Timeslices: a minute with events is bad when fewer than `goodPercent`% of its
   * events are good; `total` counts minutes with events.
   */
  sums(now: number, spans: readonly number[], mode: SumMode): WindowSum[] {
    const out = spans.map((): WindowSum => ({ bad: 0, total: 0, events: 0 }));
    const order = spans.map((s, i) => [Math.min(Math.max(0, s), this.retention), i] as const).sort((a, b) => a[0] - b[0]);
    const own = this.own;
    const others = this.others;
    let bad = 0;
    let total = 0;
    let events = 0;
    let next = 0;
    while (next < order.length && order[next]![0] === 0) next++;
    for (let k = 0; next < order.length; k++) {
      const m = now - k;
      let b = own.bad(m);
      let t = own.total(m);
      if (others !== undefined) {
        b += others.bad(m);
        t += others.total(m);
      }
      if (t > 0 || b !== 0) {
        if (mode.kind === 'occurrences') {
          bad += b;
          total += t;
          events += t;
        } else if (t > 0) {
          total++;
          events += t;
          if ((t - b) * 100 < mode.goodPercent * t) bad++;
        }
      }
      while (next < order.length && order[next]![0] === k + 1) {
        const o = out[order[next]![1]]!;
        o.bad = bad;
        o.total = total;
        o.events = events;
        next++;
      }
    }
    return out;
  }

  /** Per-bucket counts of the minutes in `(from, to]` (at most the last hour kept), own and others. */
  minuteHist(fromExclusive: number, toInclusive: number): Float64Array | undefined {
    if (this.ownHist === undefined) return undefined;
    const out = new Float64Array(this.ownHist.width);
    this.ownHist.sumInto(fromExclusive, toInclusive, out);
    this.othersHist?.sumInto(fromExclusive, toInclusive, out);
    return out;
  }

  /** Per-bucket counts of the hours whose first minute lies in `(from, to]`, plus the current hour. */
  hourHistSum(fromExclusive: number, toInclusive: number): Float64Array | undefined {
    if (this.hourHist === undefined) return undefined;
    const out = new Float64Array(this.hourHist.width);
    const current = Math.floor(toInclusive / 60);
    const firstHour = Math.min(Math.floor(fromExclusive / 60) + 1, current);
    this.hourHist.sumInto(firstHour - 1, current, out);
    return out;
  }

  /** Bytes of state held by the rings. */
  get bytes(): number {
    let n = this.retention * MinuteRing.BYTES_PER_MINUTE;
    if (this.others !== undefined) n += this.retention * MinuteRing.BYTES_PER_MINUTE;
    n += (this.ownHist?.bytes ?? 0) + (this.othersHist?.bytes ?? 0) + (this.hourHist?.bytes ?? 0);
    return n;
  }
}
