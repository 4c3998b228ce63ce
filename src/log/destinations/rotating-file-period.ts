/**
 * Rotation periods: which hour or day a timestamp belongs to, its stamp in file names, and when
 * the next period starts — in local time (what logrotate and cron use) or UTC.
 */
export type Interval = 'hourly' | 'daily';

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** The stamp of the period holding `ms`: `2026-11-21` (daily) or `2026-11-21T13` (hourly). */
export function periodStamp(ms: number, interval: Interval, utc: boolean): string {
  const d = new Date(ms);
  const day = utc
    ? `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
    : `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (interval === 'daily') return day;
  return `${day}T${pad(utc ? d.getUTCHours() : d.getHours())}`;
}

/** The first millisecond of the period after the one holding `ms`. */
export function nextBoundary(ms: number, interval: Interval, utc: boolean): number {
  const d = new Date(ms);
  if (utc) {
    return interval === 'daily'
      ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
  }
  if (interval === 'daily') return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  // Local hours: across a DST change the wall clock repeats or skips an hour; counting from the
  // start of this hour in absolute time keeps periods one real hour long.
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours()).getTime();
  const next = start + 3_600_000;
  return next > ms ? next : nextBoundary(next, interval, utc);
}

// `{"time":"…"` in the default profile, `{"@timestamp":"…"` in the ECS profile.
const TIME_RE = /^\{"(?:time|@timestamp)":"([^"]{10,40})"/;

/** The time of a log line (its leading `time` field), or NaN when it has none. */
export function lineTime(line: string): number {
  const m = TIME_RE.exec(line);
  return m === null ? NaN : Date.parse(m[1]!);
}
