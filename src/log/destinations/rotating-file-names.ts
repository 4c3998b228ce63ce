import path from 'node:path';

/**
 * File names of a rotating log. The live file keeps its name (`app.log`) so that shippers can
 * follow it; rotated files insert the period stamp and a sequence number before the extension:
 * `app.2026-11-21.1.log`, `app.2026-11-21.2.log` (several size rotations that day),
 * `app.2026-11-21T13.1.log` (hourly), then `.gz` once compressed. A compression in progress writes
 * `….log.gz.tmp`, renamed to `….log.gz` only when complete.
 */
export interface RotatedName {
  /** File name (no directory). */
  name: string;
  stamp: string;
  seq: number;
  gz: boolean;
  tmp: boolean;
}

export interface NameParts {
  dir: string;
  /** `app` for `app.log` */
  stem: string;
  /** `.log` for `app.log`, '' for `app` */
  ext: string;
}

export function splitName(livePath: string): NameParts {
  const dir = path.dirname(livePath);
  const base = path.basename(livePath);
  const ext = path.extname(base);
  return { dir, stem: ext === '' ? base : base.slice(0, -ext.length), ext };
}

/** The live path of one process's own file: `app.log` → `app-1234.log`. */
export function perProcessPath(livePath: string, pid: number): string {
  const p = splitName(livePath);
  return path.join(p.dir, `${p.stem}-${pid}${p.ext}`);
}

export function rotatedName(p: NameParts, stamp: string, seq: number): string {
  return `${p.stem}.${stamp}.${seq}${p.ext}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A matcher for the rotated files of one live file. */
export function rotatedMatcher(p: NameParts): (name: string) => RotatedName | undefined {
  const re = new RegExp(`^${escapeRe(p.stem)}\\.(\\d{4}-\\d{2}-\\d{2}(?:T\\d{2})?)\\.(\\d+)${escapeRe(p.ext)}(\\.gz)?(\\.tmp)?$`);
  return (name) => {
    const m = re.exec(name);
    if (m === null) return undefined;
    return { name, stamp: m[1]!, seq: Number(m[2]), gz: m[3] !== undefined, tmp: m[4] !== undefined };
  };
}

/** Newest first: by stamp, then by sequence number. */
export function newestFirst(a: RotatedName, b: RotatedName): number {
  if (a.stamp !== b.stamp) return a.stamp < b.stamp ? 1 : -1;
  return b.seq - a.seq;
}
