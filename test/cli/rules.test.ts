// `sightline rules <slo.yaml>`: the rule file on stdout, usage mistakes exit 2, SLO file errors exit
// 1 with their code. Runs the real command from the TypeScript sources and the real promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusRulesFor } from 'sightline/slo';
import { resolveSlos } from '../../src/slo/definition.js';
import type { SloFile } from '../../src/slo/types.js';
import { requireBinary } from '../support/prometheus.js';
import { promtoolCheckRules } from '../support/promtool-test.js';

const root = new URL('../..', import.meta.url).pathname;
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function sightline(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', CLI, ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SLO_YAML = `service: checkout
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      availability:
        metric: http_server_requests_total
        bad: { http_response_status_code: "5.." }
  - name: latency
    objective: 99
    window: 30d
    sli:
      latency:
        metric: http_server_request_duration_seconds
        threshold: 0.25
`;

const SLO_FILE: SloFile = {
  service: 'checkout',
  slos: [
    { name: 'availability', objective: 99.9, window: '30d', sli: { availability: { metric: 'http_server_requests_total', bad: { http_response_status_code: '5..' } } } },
    { name: 'latency', objective: 99, window: '30d', sli: { latency: { metric: 'http_server_request_duration_seconds', threshold: 0.25 } } },
  ],
};

function withFile(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-rules-cli-'));
  try {
    const path = join(dir, 'slo.yaml');
    writeFileSync(path, text);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sightline rules <slo.yaml> prints the rule file prometheusRulesFor() makes, and promtool accepts it', async (t) => {
  let out = '';
  withFile(SLO_YAML, (path) => {
    const r = sightline('rules', path);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    out = r.stdout;
  });
  assert.equal(out, prometheusRulesFor(resolveSlos(SLO_FILE, { service: 'checkout' })));
  const promtool = requireBinary(t, 'promtool', 'prometheus');
  if (promtool === undefined) return;
  const c = await promtoolCheckRules(promtool, out);
  assert.equal(c.code, 0, c.output);
  assert.match(c.stdout, /SUCCESS: 54 rules found/);
});

test('sightline rules: a missing or extra argument and an unknown option are usage errors (exit 2)', () => {
  for (const [args, message] of [
    [['rules'], /^sightline rules: missing <slo\.yaml>$/m],
    [['rules', 'a.yaml', 'b.yaml'], /^sightline rules: unexpected argument "b\.yaml" \(this command takes <slo\.yaml>\)$/m],
    [['rules', '--out', 'x', 'a.yaml'], /^sightline rules: unknown option --out$/m],
  ] as const) {
    const r = sightline(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /valid options: --help/);
    assert.equal(r.stdout, '');
  }
});

test('sightline rules: an invalid or missing SLO file exits 1 with its coded error', () => {
  withFile(SLO_YAML.replace('objective: 99.9', 'objective: 120'), (path) => {
    const r = sightline('rules', path);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^sightline: SL_ERR_SLO_INVALID_OBJECTIVE: .*slos\[0\]\.objective.*slo\.yaml:4:\d+\)$/m);
    assert.equal(r.stdout, '');
  });
  const r = sightline('rules', join(tmpdir(), 'no-such-dir-sightline', 'slo.yaml'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^sightline: SL_ERR_SLO_FILE: /m);
});

test('sightline rules --help, and rules in the command list', () => {
  for (const args of [['rules', '--help'], ['help', 'rules'], ['--help', 'rules']]) {
    const r = sightline(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: sightline rules \[options\] <slo\.yaml>\n/);
    assert.match(r.stdout, /docs\/slo-rules\.md/);
  }
  const r = sightline('--help');
  assert.match(r.stdout, /^ {2}rules {4}print Prometheus rules for the SLOs of an SLO file$/m);
});
