/**
 * Exposition: Prometheus text format 0.0.4 and OpenMetrics 1.0.0, rendered series by series so the
 * registry can yield to the event loop between them.
 *
 * Rules followed (see FACTS.md and the OpenMetrics 1.0 specification):
 * - label values escape `\`, `"` and newline in both formats; HELP escapes `\` and newline in 0.0.4
 *   and also `"` in OpenMetrics;
 * - counter samples always end in `_total`. In OpenMetrics the family (HELP/TYPE) name is the name
 *   without `_total` (OM §4.4.1); in 0.0.4 HELP/TYPE name the sample. The metric is never mutated:
 *   the names are computed here;
 * - histograms: cumulative buckets in ascending `le`, a `+Inf` bucket equal to `_count`;
 * - `le` and `quantile` values are canonical floats in OpenMetrics (`1.0`), Go-parsable in 0.0.4;
 * - exemplars only in OpenMetrics; the body ends with `# EOF`.
 */
import type { Counter, CounterChild } from './counter.js';
import { renderExemplar } from './exemplar.js';
import { escapeHelp, formatCanonical, formatValue } from './format.js';
import type { Gauge, GaugeChild } from './gauge.js';
import type { Histogram, HistogramChild } from './histogram.js';
import type { Summary, SummaryChild } from './summary.js';

/** The two exposition formats. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Content type of Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Any metric the registry holds. */
export type AnyMetric = Counter | Gauge | Histogram | Summary;
type AnySeries = CounterChild | GaugeChild | HistogramChild | SummaryChild;

/** Names a family renders under. */
export function counterNames(name: string): { family: string; sample: string } {
  const base = name.endsWith('_total') ? name.slice(0, -6) : name;
  return { family: base, sample: `${base}_total` };
}

/** Per-render, per-family constants (computed once per family per render). */
export interface FamilyRenderer {
  header: string;
  series(s: AnySeries): string;
}

function braces(labelText: string): string {
  return labelText === '' ? '' : `{${labelText}}`;
}

/** Prepares the rendering of one family in one format. */
export function familyRenderer(m: AnyMetric, om: boolean): FamilyRenderer {
  const help = escapeHelp(m.help, om);
  switch (m.type) {
    case 'counter': {
      const { family, sample } = counterNames(m.name);
      const head = om ? family : sample;
      return {
        header: `# HELP ${head} ${help}\n# TYPE ${head} counter\n`,
        series(s) {
          const c = s as CounterChild;
          const ex = om && c.exemplar !== undefined ? renderExemplar(c.exemplar) : '';
          return `${sample}${braces(c.labelText)} ${formatValue(c.value)}${ex}\n`;
        },
      };
    }
    case 'gauge':
      return {
        header: `# HELP ${m.name} ${help}\n# TYPE ${m.name} gauge\n`,
        series(s) {
          return `${m.name}${braces(s.labelText)} ${formatValue((s as GaugeChild).value)}\n`;
        },
      };
    case 'histogram': {
      const fmt = om ? formatCanonical : formatValue;
      const le = [...m.buckets.map((b) => `le="${fmt(b)}"} `), 'le="+Inf"} '];
      const bucket = `${m.name}_bucket{`;
      const sum = `${m.name}_sum`;
      const count = `${m.name}_count`;
      return {
        header: `# HELP ${m.name} ${help}\n# TYPE ${m.name} histogram\n`,
        series(s) {
          const h = s as HistogramChild;
          const prefix = h.labelText === '' ? bucket : `${bucket}${h.labelText},`;
          const ex = om ? h.exemplars : undefined;
          let out = '';
          let cum = 0;
          for (let i = 0; i < le.length; i++) {
            cum += h.counts[i]!;
            out += `${prefix}${le[i]}${cum}`;
            if (ex !== undefined) {
              const e = ex[i];
              if (e !== undefined) out += renderExemplar(e);
            }
            out += '\n';
          }
          const lb = braces(h.labelText);
          return `${out}${sum}${lb} ${formatValue(h.sum)}\n${count}${lb} ${h.count}\n`;
        },
      };
    }
    case 'summary': {
      const fmt = om ? formatCanonical : formatValue;
      const qs = m.percentiles.map((q) => `quantile="${fmt(q)}"} `);
      const sum = `${m.name}_sum`;
      const count = `${m.name}_count`;
      return {
        header: `# HELP ${m.name} ${help}\n# TYPE ${m.name} summary\n`,
        series(s) {
          const q = s as SummaryChild;
          const prefix = q.labelText === '' ? `${m.name}{` : `${m.name}{${q.labelText},`;
          const values = q.quantiles();
          let out = '';
          for (let i = 0; i < qs.length; i++) out += `${prefix}${qs[i]}${formatValue(values[i] ?? NaN)}\n`;
          const lb = braces(q.labelText);
          return `${out}${sum}${lb} ${formatValue(q.sum)}\n${count}${lb} ${q.count}\n`;
        },
      };
    }
  }
}
