// The one run-time problem reporter: counted by (pillar, reason), printed once per key, published
// on sightline:internal-error, and never throwing (not even with stderr gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { internalErrorCounts, INTERNAL_ERROR_CHANNEL } from 'sightline';
import type { InternalError } from 'sightline';
import { report } from '../../src/diagnostics/index.js';
import { captureStderr } from '../support/stderr.js';

function countOf(pillar: string, reason: string): number {
  return internalErrorCounts().find((e) => e.pillar === pillar && e.reason === reason)?.count ?? 0;
}

test('report: counts every occurrence, prints one line per pillar:reason', () => {
  const before = countOf('health', 'shutdown_backstop');
  const lines = captureStderr(() => {
    report('health', 'shutdown_backstop', 'first');
    report('health', 'shutdown_backstop', 'second');
    report('health', 'shutdown_backstop', 'third');
  });
  assert.equal(countOf('health', 'shutdown_backstop') - before, 3);
  // Each test file runs in its own process: this key was not printed before.
  assert.deepEqual(lines, ['sightline: first\n']);
});

test('report: a key prints once per key; print:false only counts', () => {
  const before = countOf('trace', 'bad_env');
  const lines = captureStderr(() => {
    report('trace', 'bad_env', 'bad A', { key: 'test:report:A' });
    report('trace', 'bad_env', 'bad A again', { key: 'test:report:A' });
    report('trace', 'bad_env', 'bad B', { key: 'test:report:B' });
    report('trace', 'bad_env', 'not printed', { key: 'test:report:C', print: false });
  });
  assert.deepEqual(lines, ['sightline: bad A\n', 'sightline: bad B\n']);
  assert.equal(countOf('trace', 'bad_env') - before, 4);
  // print:false did not use up its key.
  assert.deepEqual(captureStderr(() => report('trace', 'bad_env', 'now printed', { key: 'test:report:C' })), ['sightline: now printed\n']);
});

test('report: never throws, even when stderr throws; the problem is still counted', () => {
  const before = countOf('admin', 'listen_failed');
  const tried = captureStderr(() => {
    assert.doesNotThrow(() => report('admin', 'listen_failed', 'x', { key: 'test:report:throws' }));
  }, () => {
    throw new Error('EPIPE');
  });
  assert.deepEqual(tried, ['sightline: x\n']);
  assert.equal(countOf('admin', 'listen_failed') - before, 1);
});

test('report: every occurrence is published on sightline:internal-error, printed or not', () => {
  const seen: InternalError[] = [];
  const onMessage = (m: unknown): void => {
    seen.push(m as InternalError);
  };
  subscribe(INTERNAL_ERROR_CHANNEL, onMessage);
  const err = new Error('boom');
  try {
    captureStderr(() => {
      report('otlp', 'export_failed', 'export failed', { key: 'test:report:publish', error: err });
      report('otlp', 'export_failed', 'export failed again', { key: 'test:report:publish' });
    });
  } finally {
    unsubscribe(INTERNAL_ERROR_CHANNEL, onMessage);
  }
  assert.deepEqual(seen, [
    { pillar: 'otlp', reason: 'export_failed', message: 'export failed', error: err },
    { pillar: 'otlp', reason: 'export_failed', message: 'export failed again' },
  ]);
});

test('internalErrorCounts: a snapshot, not the live table', () => {
  captureStderr(() => report('http', 'client_already_enabled', 'x'));
  const snap = internalErrorCounts();
  const entry = snap.find((e) => e.pillar === 'http' && e.reason === 'client_already_enabled');
  assert.ok(entry !== undefined);
  const n = entry.count;
  captureStderr(() => report('http', 'client_already_enabled', 'x'));
  assert.equal(entry.count, n);
  assert.equal(countOf('http', 'client_already_enabled'), n + 1);
});
