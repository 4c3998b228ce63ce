// sightline_internal_errors_total{pillar,reason} on sightline()'s admin /metrics: every reported
// run-time problem counted, the exposition clean for promtool.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { report } from '../../src/diagnostics/index.js';
import { get, testObs } from '../support/http.js';
import { promtoolCheckMetrics, requireBinary } from '../support/prometheus.js';
import { captureStderr } from '../support/stderr.js';

const FIXTURE = new URL('./fixtures/failing-thread-destination.ts', import.meta.url).pathname;

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

test('a log call that fails inside the logger is counted under pillar "log" on /metrics, printed once', async () => {
  // A custom destination whose write throws: the logger catches it, the line is lost, the app goes on.
  // It fails only once armed: the admin server's start-up line is written before the capture.
  let armed = false;
  const failing = {
    name: 'failing',
    write(): boolean {
      if (!armed) return true;
      throw new Error('disk on fire');
    },
    flush: () => Promise.resolve(),
    flushSync: () => undefined,
    close: () => Promise.resolve(),
    stats: () => ({ written: 0, dropped: 0, fallback: 0, errors: 0 }),
  };
  const { obs } = testObs({ log: { destination: failing } });
  try {
    const url = `${(await obs.admin!.ready(), obs.admin!.url()!)}/metrics`;
    const before = sample((await get(url, { accept: 'text/plain' })).body, 'log', 'call_failed') ?? 0;
    armed = true;
    const lines = captureStderr(() => {
      assert.doesNotThrow(() => obs.log.info('one'));
      assert.doesNotThrow(() => obs.log.error('two', { orderId: 1 }));
      // A lazy fields function that throws fails the call too.
      assert.doesNotThrow(() => obs.log.warn('three', () => { throw new Error('fields failed'); }));
    });
    assert.deepEqual(lines, ['sightline: a log call failed internally (Error: disk on fire); the line was dropped\n']);
    const after = sample((await get(url, { accept: 'text/plain' })).body, 'log', 'call_failed');
    assert.equal(after, before + 3);
  } finally {
    await obs.shutdown();
  }
});

test('a destination failing in the log writer thread is counted on the main thread, every batch, printed once', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', FIXTURE], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const counts = JSON.parse(r.stdout.trim()) as { pillar: string; reason: string; count: number }[];
  assert.deepEqual(counts, [{ pillar: 'log', reason: 'destination_failed', count: 3 }]);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('sightline:'));
  assert.equal(warnings.length, 1, warnings.join(' | '));
  assert.match(warnings[0]!, /^sightline: log destination file:\/dev\/full failed \(ENOSPC/);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('{')).length, 3, 'the lines themselves reached stderr');
});
