/**
 * Number and string formatting shared by both exposition formats (Prometheus text 0.0.4 and
 * OpenMetrics 1.0), kept apart so escaping rules are tested in one place.
 */

const LABEL_SPECIAL = /[\\"\n]/;
const LABEL_SPECIAL_G = /[\\"\n]/g;
const HELP_TEXT_G = /[\\\n]/g;
const HELP_OM_G = /[\\"\n]/g;

function escapeChar(c: string): string {
  return c === '\n' ? '\\n' : c === '\\' ? '\\\\' : '\\"';
}

/** Label value escaping, identical in both formats: `\` → `\\`, `"` → `\"`, newline → `\n`. */
export function escapeLabelValue(v: string): string {
  return LABEL_SPECIAL.test(v) ? v.replace(LABEL_SPECIAL_G, escapeChar) : v;
}

/** HELP escaping: text 0.0.4 escapes `\` and newline only; OpenMetrics also escapes `"`. */
export function escapeHelp(help: string, openMetrics: boolean): string {
  return help.replace(openMetrics ? HELP_OM_G : HELP_TEXT_G, escapeChar);
}

/** A sample value: Go's ParseFloat reads JS's shortest round-trip form; infinities are `±Inf`. */
export function formatValue(n: number): string {
  if (Number.isFinite(n)) return String(n);
  return n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : 'NaN';
}

/**
 * OpenMetrics canonical number for `le` and `quantile` label values: integral values carry `.0`
 * (`le="1.0"`), so a bucket bound is one label value whatever the client's float printer did.
 */
export function formatCanonical(n: number): string {
  if (!Number.isFinite(n)) return formatValue(n);
  const s = String(n);
  return Number.isInteger(n) && !s.includes('e') ? `${s}.0` : s;
}

/** `a="x",b="y"` for the given names and (unescaped) values. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  return out;
}

/** Code points of a string (exemplar label sets are limited to 128 of them). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
