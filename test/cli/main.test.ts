// The `sightline` command line: version, help, and what a mistake prints. Each case runs the real
// command from the TypeScript sources in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../..', import.meta.url).pathname;
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const DEMO_OPTIONS = '--duration, --port, --admin-port, --rate, --json, --pretty, --no-color, --help';

function sightline(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', CLI, ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version and -v print the version of package.json', () => {
  for (const flag of ['--version', '-v']) {
    const r = sightline(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

const dist = new URL('../../dist/cli/main.js', import.meta.url).pathname;
function distIsCurrent(): boolean {
  try {
    return statSync(new URL('../../dist/cli/args.js', import.meta.url)).mtimeMs >= statSync(new URL('../../src/cli/args.ts', import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

test('the built command finds package.json from dist/ too', { skip: distIsCurrent() ? false : 'dist/ is older than src/cli (npm run build)' }, () => {
  // No coverage from dist/: its source maps would fold into the sources' figures. Node passes
  // NODE_V8_COVERAGE on to children unless the env names it, so it is set empty, not deleted.
  const r = spawnSync(process.execPath, [dist, '--version'], { encoding: 'utf8', cwd: '/', env: { ...process.env, NODE_V8_COVERAGE: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${version}\n`);
});

test('--help lists the commands and global options on stdout', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const r = sightline(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: sightline <command> \[options\]/);
    assert.match(r.stdout, /^ {2}demo {5}run two instrumented example services under generated load$/m);
    assert.match(r.stdout, /^ {2}pretty {3}turn JSON log lines on stdin into human lines$/m);
    assert.match(r.stdout, /-v, --version/);
    assert.equal(r.stderr, '');
  }
});

test('<command> --help describes every option of that command', () => {
  for (const args of [['demo', '--help'], ['demo', '-h'], ['help', 'demo'], ['--help', 'demo']]) {
    const r = sightline(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: sightline demo \[options\]/);
    for (const o of DEMO_OPTIONS.split(', ')) assert.match(r.stdout, new RegExp(`^ {2}(-h, )?${o}( <[^>]+>)? {2,}\\S`, 'm'), `${o} in ${args.join(' ')}`);
    assert.match(r.stdout, /KUBERNETES_SERVICE_HOST/, 'the drain delay is explained');
  }
  const p = sightline('pretty', '--help');
  assert.equal(p.status, 0);
  assert.match(p.stdout, /^usage: sightline pretty \[options\]/);
  assert.match(p.stdout, /--no-color/);
});

test('an unknown option exits 2 and lists the valid options', () => {
  const r = sightline('demo', '--bogus');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `sightline demo: unknown option --bogus\nvalid options: ${DEMO_OPTIONS}\nRun "sightline demo --help" for details.\n`);

  const p = sightline('pretty', '-x');
  assert.equal(p.status, 2);
  assert.match(p.stderr, /^sightline pretty: unknown option -x\nvalid options: --color, --no-color, --help\n/);

  const g = sightline('--bogus');
  assert.equal(g.status, 2);
  assert.match(g.stderr, /^sightline: unknown option --bogus\nvalid options: --help, --version; commands: demo, pretty, rules\n/);
});

test('missing values, values given to flags, stray arguments and bad numbers exit 2 naming the option', () => {
  const cases: [string[], RegExp][] = [
    [['demo', '--port'], /^sightline demo: option --port needs a value\n/],
    [['demo', '--port', '--json'], /^sightline demo: option --port needs a value /],
    [['demo', '--json=yes'], /^sightline demo: option --json takes no value\n/],
    [['demo', 'now'], /^sightline demo: unexpected argument "now" \(this command takes options only\)\n/],
    [['demo', '--port', '70000'], /^sightline demo: --port must be an integer from 0 to 65535 \(0: a free port\), got "70000"\n/],
    [['demo', '--admin-port', '1.5'], /^sightline demo: --admin-port must be an integer/],
    [['demo', '--duration', '-1'], /^sightline demo: option --duration needs a value \(a value starting with "-" is written --duration=-…\)\n/],
    [['demo', '--duration=-1'], /^sightline demo: --duration must be a number of seconds ≥ 0/],
    [['demo', '--rate', '0'], /^sightline demo: --rate must be a number of requests per second above 0/],
    [['demo', '--rate', ''], /^sightline demo: --rate must be/],
    [['demo', '--json', '--pretty'], /^sightline demo: choose one of --json and --pretty\n/],
    [['--version=2'], /^sightline: option --version takes no value\n/],
  ];
  for (const [args, message] of cases) {
    const r = sightline(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', 'nothing started');
  }
});

test('no command and an unknown command exit 2 with the usage on stderr', () => {
  const none = sightline();
  assert.equal(none.status, 2);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /^usage: sightline <command>/);

  const r = sightline('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^sightline: unknown command "frobnicate"; commands: demo, pretty, rules\n/);
  assert.match(r.stderr, /usage: sightline/);
});
