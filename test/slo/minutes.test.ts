// Minute rings, window sums (a property test against a naive recomputation), calendar periods in
// time zones, and histogram_quantile's interpolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Registry } from 'sightline/metrics';
import { SloEngine } from 'sightline/slo';
import { calendarPeriod, histogramQuantile, localMidnight, retentionMinutes, windowRange, zoneOffsetMs } from '../../src/slo/math.js';
import { HistRing, MinuteRing, SloState } from '../../src/slo/minutes.js';
import { availability, calendar, clock, DAY, MINUTE, rolling } from './fixtures.js';

const M0 = Date.UTC(2024, 2, 10) / MINUTE;

test('MinuteRing: a slot is reused by a newer minute, an older minute is refused', () => {
  const r = new MinuteRing(10);
  assert.equal(r.add(M0, 1, 2), true);
  assert.equal(r.add(M0 + 10, 3, 4), true); // same slot, newer: replaces
  assert.equal(r.total(M0), 0);
  assert.equal(r.total(M0 + 10), 4);
  assert.equal(r.add(M0, 1, 1), false);
  assert.equal(r.set(M0 + 10, 0, 9), true);
  assert.equal(r.bad(M0 + 10), 0);
  assert.equal(r.has(M0 + 10), true);
  const h = new HistRing(3, 2);
  h.add(5, [1, 2]);
  h.add(5, [1, 1], 0.5);
  assert.deepEqual([...h.get(5)!], [1.5, 2.5]);
  assert.equal(h.set(2, [9, 9]), false);
  assert.equal(h.get(6), undefined);
});

test('property: window sums equal a naive sum over the minutes in (now − span, now]', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ at: fc.integer({ min: 0, max: 5000 }), bad: fc.integer({ min: 0, max: 5 }), good: fc.integer({ min: 0, max: 50 }) }), { maxLength: 80 }),
    fc.array(fc.integer({ min: 0, max: 4400 }), { minLength: 1, maxLength: 6 }),
    fc.integer({ min: 0, max: 200 }),
    (events, spans, after) => {
      const state = new SloState(4321);
      const sorted = [...events].sort((a, b) => a.at - b.at);
      for (const e of sorted) state.addOwn(M0 + e.at, e.bad, e.bad + e.good);
      const now = M0 + (sorted.at(-1)?.at ?? 0) + after;
      const got = state.sums(now, spans, { kind: 'occurrences' });
      spans.forEach((span, i) => {
        let bad = 0;
        let total = 0;
        for (const e of sorted) {
          const m = M0 + e.at;
          if (m > now - Math.min(span, 4321) && m <= now) {
            bad += e.bad;
            total += e.bad + e.good;
          }
        }
        assert.deepEqual(got[i], { bad, total, events: total });
      });
    },
  ), { numRuns: 300 });
});

test('property: the engine over random ticks and increments agrees with a naive recomputation of each window', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ gap: fc.integer({ min: 1, max: 40 * 60_000 }), ok: fc.nat(20), fail: fc.nat(3), reset: fc.boolean() }), { minLength: 1, maxLength: 40 }),
    async (steps) => {
      const registry = new Registry({ onWarning: () => undefined });
      const requests = registry.counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['code'] });
      const c = clock(M0 * MINUTE);
      const engine = new SloEngine({ registry, slos: [availability({ window: rolling('1d'), minEvents: 1 })], now: c.now });
      const log: { minute: number; bad: number; total: number }[] = [];
      for (const s of steps) {
        c.advance(s.gap);
        if (s.reset) registry.resetAll();
        requests.labels({ code: '200' }).inc(s.ok);
        requests.labels({ code: '500' }).inc(s.fail);
        await engine.tick();
        log.push({ minute: Math.floor(c.now() / MINUTE), bad: s.fail, total: s.ok + s.fail });
      }
      const [st] = await engine.status();
      const now = Math.floor(c.now() / MINUTE);
      const sum = (span: number): { bad: number; total: number } => {
        let bad = 0;
        let total = 0;
        for (const e of log) if (e.minute > now - span && e.minute <= now) { bad += e.bad; total += e.total; }
        return { bad, total };
      };
      assert.deepEqual(st!.events, sum(1440));
      for (const [w, span] of [['5m', 5], ['1h', 60], ['6h', 360], ['3d', 4320]] as const) {
        const s = sum(span);
        assert.equal(st!.burnRates[w], s.total === 0 ? null : Number((s.bad / s.total / 0.001).toPrecision(12)), w);
      }
      await engine.stop();
    },
  ), { numRuns: 60 });
});

test('timeslices sums: minutes with events, bad when below the good percentage', () => {
  const state = new SloState(4321);
  state.addOwn(M0, 5, 100); // 95% good
  state.addOwn(M0 + 1, 6, 100); // 94%
  state.addOwn(M0 + 2, 0, 0);
  const [s] = state.sums(M0 + 3, [10], { kind: 'timeslices', goodPercent: 95 });
  assert.deepEqual(s, { bad: 1, total: 2, events: 200 });
});

test('other instances: set as absolute sums per minute, the hourly histogram moves by the difference', () => {
  const state = new SloState(4321);
  state.ensureHist(3);
  state.addOwn(M0, 1, 4, [3, 0, 1]);
  state.setOthers({ minute: M0, bad: 1, total: 2, hist: [1, 0, 1] }, M0);
  state.setOthers({ minute: M0, bad: 2, total: 5, hist: [3, 0, 2] }, M0); // later, larger absolute sums: no double count
  assert.deepEqual(state.sums(M0, [1], { kind: 'occurrences' })[0], { bad: 3, total: 9, events: 9 });
  assert.deepEqual([...state.minuteHist(M0 - 60, M0)!], [6, 0, 3]);
  assert.deepEqual([...state.hourHistSum(M0 - 1440, M0)!], [6, 0, 3]);
  // An older minute (beyond the minute histograms) first seen: added whole; seen again with more: in proportion.
  const old = M0 - 120;
  state.setOthers({ minute: old, bad: 0, total: 2, hist: [2, 0, 0] }, M0);
  state.setOthers({ minute: old, bad: 0, total: 4, hist: [4, 0, 0] }, M0);
  assert.deepEqual([...state.hourHistSum(M0 - 1440, M0)!], [10, 0, 3]);
  assert.ok(state.bytes > 2 * 4321 * 20);
  state.loadOwn({ minute: M0 - 10_000, bad: 1, total: 1 }, M0); // beyond retention: ignored
  assert.equal(state.own.total(M0 - 10_000), 0);
});

test('retention: window length or 3 days, plus one minute', () => {
  assert.equal(retentionMinutes(rolling('30d')), 43_201);
  assert.equal(retentionMinutes(rolling('1d')), 4_321);
  assert.equal(retentionMinutes(rolling('90d')), 129_601);
  assert.equal(retentionMinutes(calendar('month')), 44_641);
  assert.equal(retentionMinutes(calendar('week')), 10_081);
  assert.equal(retentionMinutes(calendar('quarter')), 132_481);
});

test('calendar periods: ISO weeks start on Monday, quarters and months at local midnight across DST', () => {
  // Wednesday 2024-03-13 12:00 in New York (EDT since the 10th): the week began Monday the 11th at 00:00 EDT (04:00Z).
  const wed = Date.UTC(2024, 2, 13, 16);
  assert.deepEqual(calendarPeriod(wed, 'week', 'America/New_York'), { startMs: Date.UTC(2024, 2, 11, 4), endMs: Date.UTC(2024, 2, 18, 4) });
  // A Sunday is the week's last day.
  const sun = Date.UTC(2024, 2, 17, 12);
  assert.equal(calendarPeriod(sun, 'week', 'UTC').startMs, Date.UTC(2024, 2, 11));
  // Q1 2024 in New York: 2024-01-01 00:00 EST (05:00Z) to 2024-04-01 00:00 EDT (04:00Z).
  assert.deepEqual(calendarPeriod(wed, 'quarter', 'America/New_York'), { startMs: Date.UTC(2024, 0, 1, 5), endMs: Date.UTC(2024, 3, 1, 4) });
  // December rolls into the next year.
  assert.deepEqual(calendarPeriod(Date.UTC(2024, 11, 31, 12), 'month', 'Asia/Tokyo'), { startMs: Date.UTC(2024, 10, 30, 15), endMs: Date.UTC(2024, 11, 31, 15) });
  assert.equal(calendarPeriod(Date.UTC(2024, 11, 31, 16), 'month', 'Asia/Tokyo').startMs, Date.UTC(2024, 11, 31, 15));
  assert.equal(zoneOffsetMs(Date.UTC(2024, 6, 1), 'Europe/Berlin'), 2 * 3_600_000);
  assert.equal(localMidnight(2024, 3, 31, 'Europe/Berlin'), Date.UTC(2024, 2, 30, 23)); // DST starts at 02:00 that day
  assert.equal(localMidnight(2024, 10, 27, 'Europe/Berlin'), Date.UTC(2024, 9, 26, 22)); // DST ends at 03:00 that day
  const r = windowRange(calendar('month', 'Europe/Berlin'), Date.UTC(2024, 2, 31, 12));
  assert.equal(r.budgetMinutes, 31 * 1440 - 60); // March 2024 in Berlin lost an hour
  assert.equal(r.fromExclusive, Date.UTC(2024, 1, 29, 23) / MINUTE - 1);
  assert.equal(windowRange(rolling('7d'), 7 * DAY).fromExclusive, 0);
});

test('histogramQuantile: as Prometheus histogram_quantile', () => {
  const bounds = [0.1, 0.25, 0.5, 1];
  assert.equal(histogramQuantile(0.5, bounds, [0, 0, 0, 0, 0]), null);
  assert.equal(histogramQuantile(0.5, bounds, [10, 0, 0, 0]), null, 'wrong width');
  assert.equal(histogramQuantile(0.5, bounds, [10, 10, 0, 0, 0]), 0.1);
  assert.equal(histogramQuantile(0.75, bounds, [10, 10, 0, 0, 0]), 0.175);
  assert.equal(histogramQuantile(0.99, bounds, [1, 0, 0, 0, 99]), 1, 'rank in +Inf: the highest finite bound');
  assert.equal(histogramQuantile(0.5, [-1, 0, 1], [5, 0, 0, 0]), -1, 'first bound ≤ 0');
  assert.equal(histogramQuantile(1.5, bounds, [1, 0, 0, 0, 0]), Infinity);
  assert.equal(histogramQuantile(-1, bounds, [1, 0, 0, 0, 0]), -Infinity);
  assert.equal(histogramQuantile(0, bounds, [0, 4, 0, 0, 0]), 0);
});
