// sightline_internal_errors_total{pillar,reason} on sightline()'s admin /metrics: every reported
// run-time problem counted, the exposition clean for promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { report } from '../../src/diagnostics/index.js';
import { get, testObs } from '../support/http.js';
import { promtoolCheckMetrics, requireBinary } from '../support/prometheus.js';
import { captureStderr } from '../support/stderr.js';

function sample(text: string, pillar: string, reason: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`sightline_internal_errors_total{pillar="${pillar}",reason="${reason}"} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

test('admin /metrics: reported problems appear as sightline_internal_errors_total and pass promtool', async (t) => {
  const { obs } = testObs();
  try {
    const url = `${(await obs.admin!.ready(), obs.admin!.url()!)}/metrics`;
    const before = (await get(url, { accept: 'text/plain' })).body;
    assert.match(before, /^# TYPE sightline_internal_errors_total counter$/m);
    captureStderr(() => {
      report('health', 'shutdown_backstop', 'x');
      report('health', 'shutdown_backstop', 'x');
    });
    const after = (await get(url, { accept: 'text/plain' })).body;
    assert.equal(sample(after, 'health', 'shutdown_backstop'), (sample(before, 'health', 'shutdown_backstop') ?? 0) + 2);
    const promtool = requireBinary(t, 'promtool', 'prometheus');
    if (promtool === undefined) return;
    const r = await promtoolCheckMetrics(after, promtool);
    assert.equal(r.code, 0, r.output);
  } finally {
    await obs.shutdown();
  }
});
