// Shared benchmark harness: interleaved rounds, medians, ratios against the peer measured in the
// same run. Prints one table per suite: case, ours (ns/op), peer (ns/op), ratio, target, verdict.
import os from 'node:os';

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** ns per call of `fn` over `iterations` calls (one timing). */
export function timeOnce(fn, iterations) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / iterations;
}

/** Async variant: awaits `fn` each call. */
export async function timeOnceAsync(fn, iterations) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / iterations;
}

/**
 * Measures several contenders interleaved (A B C, A B C, …) so drift on a noisy machine hits all
 * alike; returns the median ns/op of each. `contenders` maps a name to a function; `after` (optional)
 * maps a name to a function called after each round (e.g. to flush a destination, counted in time).
 */
export async function compare(contenders, { iterations = 100_000, rounds = 9, warmup = 2, after = {} } = {}) {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds + warmup; r++) {
    for (const n of names) {
      const t0 = process.hrtime.bigint();
      const fn = contenders[n];
      for (let i = 0; i < iterations; i++) fn(i);
      if (after[n]) await after[n]();
      const ns = Number(process.hrtime.bigint() - t0) / iterations;
      if (r >= warmup) samples[n].push(ns);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/** Formats ns. */
export function fmt(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

/**
 * Prints a table. rows: { case, ours, peer, peerName, target } where ours/peer are ns/op and target
 * is the maximum allowed ratio ours/peer (or undefined). Returns the rows with ratio and ok.
 */
export function printTable(title, rows) {
  const out = rows.map((r) => {
    const ratio = r.ours / r.peer;
    const ok = r.target === undefined ? undefined : ratio <= r.target;
    return { ...r, ratio, ok };
  });
  console.log(`\n## ${title}\n`);
  console.log('| case | sightline | peer | peer ns/op | ratio | target | verdict |');
  console.log('|---|---:|---|---:|---:|---:|---|');
  for (const r of out) {
    const verdict = r.ok === undefined ? '' : r.ok ? 'met' : 'MISSED';
    console.log(`| ${r.case} | ${fmt(r.ours)} | ${r.peerName} | ${fmt(r.peer)} | ${r.ratio.toFixed(3)}x | ${r.target === undefined ? '' : `≤ ${r.target}x`} | ${verdict} |`);
  }
  return out;
}

/** One line describing the machine, printed with every run (and recorded in docs/benchmarks.md). */
export function machine() {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}
