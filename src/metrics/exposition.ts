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
 *
 * Everything constant in a line is encoded once: per family and render (names, `le="…"} `), per
 * series for its life (the label set: labels never change). A line is then a few byte copies and
 * a number printed straight into the chunk (see writer.ts).
 */
import type { Counter, CounterChild } from './counter.js';
import { renderExemplar } from './exemplar.js';
import { escapeHelp, formatCanonical, formatValue } from './format.js';
import type { ChunkWriter, EncodedText } from './writer.js';
import { encodeText } from './writer.js';
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

/** Renders one family in one format into a writer; constants prepared once per render. */
export interface FamilyRenderer {
  header(w: ChunkWriter): void;
  series(w: ChunkWriter, s: AnySeries): void;
}

const NL = 10;
const SPACE = 32;
const COMMA = 44;
const OPEN = 123; // {
const CLOSE = 125; // }

/** Writes `{labels}` (nothing without labels), then the space before the value. */
function labelsThenSpace(w: ChunkWriter, lab: EncodedText | undefined): void {
  if (lab !== undefined) {
    w.byte(OPEN);
    w.text(lab);
    w.byte(CLOSE);
  }
  w.byte(SPACE);
}

/** `name{labels} value\n` (or `name value\n`). */
function writeSample(w: ChunkWriter, name: EncodedText, lab: EncodedText | undefined, v: number): void {
  w.text(name);
  labelsThenSpace(w, lab);
  w.number(v);
  w.byte(NL);
}

/** `name{labels,` (or `name{`) before a bucket's `le` or a quantile's `quantile` label. */
function nameThenLabels(w: ChunkWriter, open: EncodedText, lab: EncodedText | undefined): void {
  w.text(open);
  if (lab !== undefined) {
    w.text(lab);
    w.byte(COMMA);
  }
}

function headerText(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

/** Prepares the rendering of one family in one format. */
export function familyRenderer(m: AnyMetric, om: boolean): FamilyRenderer {
  const help = escapeHelp(m.help, om);
  switch (m.type) {
    case 'counter': {
      const { family, sample } = counterNames(m.name);
      const head = headerText(om ? family : sample, help, 'counter');
      const name = encodeText(sample);
      return {
        header: (w) => w.utf8(head),
        series(w, s) {
          const c = s as CounterChild;
          w.text(name);
          labelsThenSpace(w, c.encodedLabels());
          w.number(c.value);
          if (om && c.exemplar !== undefined) w.utf8(renderExemplar(c.exemplar));
          w.byte(NL);
        },
      };
    }
    case 'gauge': {
      const head = headerText(m.name, help, !m.untyped ? 'gauge' : om ? 'unknown' : 'untyped');
      const name = encodeText(m.name);
      return {
        header: (w) => w.utf8(head),
        series(w, s) {
          writeSample(w, name, s.encodedLabels(), (s as GaugeChild).value);
        },
      };
    }
    case 'histogram': {
      const head = headerText(m.name, help, 'histogram');
      const fmt = om ? formatCanonical : formatValue;
      const le = [...m.buckets.map((b) => encodeText(`le="${fmt(b)}"} `)), encodeText('le="+Inf"} ')];
      const bucket = encodeText(`${m.name}_bucket{`);
      const sum = encodeText(`${m.name}_sum`);
      const count = encodeText(`${m.name}_count`);
      return {
        header: (w) => w.utf8(head),
        series(w, s) {
          const h = s as HistogramChild;
          const lab = h.encodedLabels();
          const ex = om ? h.exemplars : undefined;
          const counts = h.counts;
          let cum = 0;
          for (let i = 0; i < le.length; i++) {
            cum += counts[i]!;
            nameThenLabels(w, bucket, lab);
            w.text(le[i]!);
            w.number(cum);
            if (ex !== undefined) {
              const e = ex[i];
              if (e !== undefined) w.utf8(renderExemplar(e));
            }
            w.byte(NL);
          }
          writeSample(w, sum, lab, h.sum);
          writeSample(w, count, lab, h.count);
        },
      };
    }
    case 'summary': {
      const head = headerText(m.name, help, 'summary');
      const fmt = om ? formatCanonical : formatValue;
      const qs = m.percentiles.map((q) => encodeText(`quantile="${fmt(q)}"} `));
      const open = encodeText(`${m.name}{`);
      const sum = encodeText(`${m.name}_sum`);
      const count = encodeText(`${m.name}_count`);
      return {
        header: (w) => w.utf8(head),
        series(w, s) {
          const q = s as SummaryChild;
          const lab = q.encodedLabels();
          const values = q.quantiles();
          for (let i = 0; i < qs.length; i++) {
            nameThenLabels(w, open, lab);
            w.text(qs[i]!);
            w.number(values[i] ?? NaN);
            w.byte(NL);
          }
          writeSample(w, sum, lab, q.sum);
          writeSample(w, count, lab, q.count);
        },
      };
    }
  }
}
