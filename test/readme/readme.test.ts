// Every ```ts / ```js block of README.md runs as written: each is type-checked with the project's
// strict tsconfig and executed from the sources (tsx, `source` condition). A block that starts a
// server is run until its admin server answers, then stopped with SIGTERM and must exit 0 (the
// graceful shutdown's exit). A comment holding a whole JSON line (`// {"...}`) is output the
// block must print, compared field by field (a `time` field only has to be an ISO date).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OtlpTestCollector } from '../support/otlp-collector.js';
import { readmeBlocks } from './blocks.js';

const root = resolve(import.meta.dirname, '../..');
const dir = join(root, 'test/readme/.blocks');
const blocks = readmeBlocks();

function fileOf(i: number): string {
  return join(dir, `block-${i}.${blocks[i]!.lang}`);
}

test('README blocks were found', () => {
  assert.ok(blocks.length >= 7, `found ${blocks.length}`);
});

test('every README ts block type-checks under the strict tsconfig', { timeout: 180_000 }, () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  blocks.forEach((b, i) => writeFileSync(fileOf(i), b.code));
  const tsFiles = blocks.map((b, i) => (b.lang === 'ts' ? fileOf(i) : undefined)).filter((f) => f !== undefined);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.json', compilerOptions: { noEmit: true, noUnusedLocals: false }, include: [], files: tsFiles.map((f) => f.slice(dir.length + 1)) }));
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function run(file: string, env: NodeJS.ProcessEnv, server: false | '/health/live' | '/metrics'): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', file], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('exit', (code, signal) => done([code, signal])));
  if (server !== false) {
    // Up once its server on 9464 answers; then it is stopped with SIGTERM.
    let up = false;
    for (let i = 0; i < 300 && !up && child.exitCode === null; i++) {
      up = await fetch(`http://127.0.0.1:9464${server}`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(up, `the block's admin server never answered\n${stderr}`);
    child.kill('SIGTERM');
  }
  const [code, signal] = await exited;
  return { code, signal, stdout, stderr };
}

function expectedLines(code: string): Record<string, unknown>[] {
  return [...code.matchAll(/^\s*\/\/ (\{".*\})\s*$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
}

for (const [i, b] of blocks.entries()) {
  test(`README block ${i} (${b.heading}) runs and prints what it shows`, { timeout: 120_000 }, async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(fileOf(i), b.code);
    // With sightline() the graceful shutdown owns SIGTERM and exits 0; a bare metrics server is
    // ended by the signal itself, as Node ends any process without a SIGTERM listener.
    const usesSightline = /sightline\(/.test(b.code);
    const server = /\.listen\(/.test(b.code) ? (usesSightline ? '/health/live' : '/metrics') : false;
    const collector = await OtlpTestCollector.start();
    try {
      const r = await run(fileOf(i), { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`, PORT: '0' }, server);
      if (server === '/metrics') assert.equal(r.signal, 'SIGTERM', `exit ${r.code}\n${r.stderr}`);
      else assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
      const printed = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const want of expectedLines(b.code)) {
        const got = printed.find((p) => p['msg'] === want['msg']);
        assert.ok(got !== undefined, `no line with msg ${String(want['msg'])} in\n${r.stdout}`);
        for (const [k, v] of Object.entries(want)) {
          if (k === 'time') assert.ok(!Number.isNaN(Date.parse(String(got[k]))), `time ${String(got[k])}`);
          else assert.deepEqual(got[k], v, `field ${k}`);
        }
      }
      if (/OtlpSpanExporter/.test(b.code)) {
        const spans = JSON.stringify(collector.accepted().map((q) => q.json));
        assert.match(spans, /"name":"charge card"/, 'the block exports its span to the collector');
      }
    } finally {
      await collector.stop();
    }
  });
}
