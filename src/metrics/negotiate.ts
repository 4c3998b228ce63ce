/**
 * Content negotiation for /metrics (RFC 9110 §12.5.1 Accept, §12.5.3 Accept-Encoding): the
 * acceptable representation with the highest q-value wins; q=0 means "not acceptable"; at equal q,
 * the more specific media range wins, then the one listed first. Falls back to text 0.0.4.
 */
import type { ExpositionFormat } from './exposition.js';

interface MediaRange {
  type: string;
  subtype: string;
  params: Map<string, string>;
  q: number;
}

function parseQ(v: string | undefined): number {
  if (v === undefined) return 1;
  const q = Number(v);
  return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
}

function parseList(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...rest] = part.split(';');
    const [type = '', subtype = ''] = range.trim().toLowerCase().split('/');
    if (type === '') continue;
    const params = new Map<string, string>();
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    out.push({ type, subtype, params, q: parseQ(params.get('q')) });
  }
  return out;
}

/**
 * How well `r` matches a format: specificity (higher is better), or -1 when it does not. OpenMetrics
 * needs its own media type: `application/*` and `*\/*` say nothing about preferring it (Prometheus'
 * Go client serves OpenMetrics only when asked for by name).
 */
function match(r: MediaRange, f: ExpositionFormat): number {
  const version = r.params.get('version');
  if (f === 'openmetrics') {
    if (r.type === 'application' && r.subtype === 'openmetrics-text') {
      // OpenMetrics 1.0.0 and its 0.0.1 draft share the syntax Prometheus parses.
      return version === undefined || version === '1.0.0' || version === '0.0.1' ? 3 : -1;
    }
    return -1;
  }
  if (r.type === 'text' && r.subtype === 'plain') return version === undefined || version === '0.0.4' ? 3 : -1;
  if (r.type === 'text' && r.subtype === '*') return 1;
  return r.type === '*' && r.subtype === '*' ? 0 : -1;
}

/**
 * The format to serve for an Accept header among `offered`. The highest q wins; at equal q the more
 * specific range, then the range the client lists first; a full tie (or nothing acceptable) gets
 * text 0.0.4 when offered. So `*\/*` (curl, most scrapers' fallback) and a missing Accept get
 * text, and OpenMetrics is served only to a client that prefers it, as Prometheus does.
 * @example
 * negotiateFormat('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'); // 'openmetrics'
 * negotiateFormat('*\/*'); // 'text'
 */
export function negotiateFormat(accept: string | undefined, offered: readonly ExpositionFormat[] = ['openmetrics', 'text']): ExpositionFormat {
  const fallback: ExpositionFormat = offered.includes('text') ? 'text' : offered[0] ?? 'text';
  if (accept === undefined || accept.trim() === '') return fallback;
  const ranges = parseList(accept);
  let best: ExpositionFormat | undefined;
  let bestQ = 0;
  let bestSpec = -1;
  let bestPos = Infinity;
  // The fallback first, so that it keeps a full tie.
  for (const f of [...offered].sort((a, b) => (a === fallback ? -1 : b === fallback ? 1 : 0))) {
    // The q of a format is the q of the most specific range matching it (RFC 9110 §12.5.1).
    let spec = -1;
    let q = 0;
    let pos = Infinity;
    ranges.forEach((r, i) => {
      const s = match(r, f);
      if (s > spec) {
        spec = s;
        q = r.q;
        pos = i;
      }
    });
    if (spec < 0 || q === 0) continue;
    if (q > bestQ || (q === bestQ && (spec > bestSpec || (spec === bestSpec && pos < bestPos)))) {
      best = f;
      bestQ = q;
      bestSpec = spec;
      bestPos = pos;
    }
  }
  return best ?? fallback;
}

/** Whether Accept-Encoding allows gzip (q > 0 for `gzip`, or for `*` when gzip is not listed). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  let star: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [coding = '', ...rest] = part.split(';');
    const c = coding.trim().toLowerCase();
    let q = 1;
    for (const p of rest) {
      const [k = '', v] = p.split('=');
      if (k.trim().toLowerCase() === 'q') q = parseQ(v?.trim());
    }
    if (c === 'gzip' || c === 'x-gzip') return q > 0;
    if (c === '*') star = q;
  }
  return star !== undefined && star > 0;
}
