import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const NODE = [process.execPath, '--import', 'tsx', '--conditions=source'] as const;

/** Real logger output: a child process logging to stdout, including an error and a trace context. */
function realOutput(): string {
  const script = `
    import { createLogger } from 'sightline/log';
    import { runInContext } from 'sightline/context';
    const log = createLogger({ service: 'shop', level: 'debug' });
    log.info('server started', { port: 8080 });
    runInContext({ requestId: 'r-1', trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 } }, () => {
      log.warn('slow query', { duration_ms: 812.5, table: 'orders' });
      log.error('charge failed', new Error('card declined'));
    });
    console.log('plain text from console.log');
  `;
  const r = spawnSync(NODE[0], [...NODE.slice(1), '--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('sightline pretty turns real JSON lines into aligned human lines and passes other lines through', () => {
  const input = realOutput() + 'not json {\n{"not":"a log line"}\n[1,2]\n';
  const r = spawnSync(NODE[0], [...NODE.slice(1), CLI, 'pretty', '--no-color'], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.split('\n');
  const started = out.find((l) => l.includes('server started'))!;
  assert.match(started, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}server started {2}service=shop port=8080$/);
  const slow = out.find((l) => l.includes('slow query'))!;
  assert.match(slow, /^\d\d:\d\d:\d\d\.\d{3} WARN {2}slow query {2}trace=4bf92f35 service=shop request_id=r-1 duration_ms=812\.5 table=orders$/);
  const failed = out.findIndex((l) => l.includes('charge failed'));
  assert.match(out[failed]!, / ERROR charge failed/);
  assert.match(out[failed + 1]!, /^ {4}Error: card declined$/, 'the stack follows, indented');
  assert.ok(out.includes('plain text from console.log'), 'non-JSON passes through untouched');
  assert.ok(out.includes('not json {'));
  assert.ok(out.includes('[1,2]'));
  assert.ok(out.some((l) => l.endsWith('not="a log line"')), 'a JSON object without log fields still prints its fields');
});

test('colour is used when forced and never with NO_COLOR', () => {
  const line = '{"time":"2026-01-01T00:00:00.000Z","level":"error","msg":"x"}\n';
  const colored = spawnSync(NODE[0], [...NODE.slice(1), CLI, 'pretty'], { input: line, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1', NO_COLOR: '' } });
  assert.ok(colored.stdout.includes("\x1b[31mERROR"));
  const plain = spawnSync(NODE[0], [...NODE.slice(1), CLI, 'pretty'], { input: line, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1', NO_COLOR: '1' } });
  assert.ok(!plain.stdout.includes("\x1b["));
});
