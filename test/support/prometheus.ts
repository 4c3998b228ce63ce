/**
 * Test helpers for the real Prometheus tools (Debian packages `prometheus`, which ships promtool):
 * find a binary, check an exposition with `promtool check metrics`, start a throw-away Prometheus
 * on a free loopback port with a temp data dir, and query its HTTP API.
 *
 * A missing binary fails the test when CI=true and skips it otherwise (project rule).
 * @example
 * const promtool = requireBinary(t, 'promtool'); if (!promtool) return;
 * const r = await promtoolCheckMetrics(text); assert.equal(r.code, 0, r.output);
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** Absolute path of an executable on PATH (or /usr/bin, /usr/sbin), else undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const d of dirs) {
    if (d === '') continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

/**
 * The binary's path; when missing, fails the test under CI=true, else skips it with a reason and
 * returns undefined (the caller returns).
 */
export function requireBinary(t: TestContext, name: string, pkg = name): string | undefined {
  const p = findBinary(name);
  if (p !== undefined) return p;
  const reason = `${name} not installed: apt-get install ${pkg} (scripts/ensure-system.sh does it)`;
  if (process.env.CI === 'true') throw new Error(reason);
  t.skip(reason);
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Result of running a command: exit code and combined output. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

/** Runs `cmd args` with `input` on stdin. */
export function run(cmd: string, args: readonly string[], input?: string | Buffer): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }));
    child.stdin.on('error', () => undefined); // the tool may exit before reading everything
    child.stdin.end(input);
  });
}

/**
 * `promtool check metrics` on a text 0.0.4 exposition (promtool parses nothing else). Exit code 0
 * and empty output mean: parsed, no lint problem. promtool exits 3 on lint warnings, 1 on errors.
 */
export function promtoolCheckMetrics(text: string, promtool = findBinary('promtool') ?? 'promtool'): Promise<RunResult> {
  return run(promtool, ['check', 'metrics'], text);
}

/** One scrape job. `path` defaults to /metrics; `params` become URL query parameters. */
export interface ScrapeJob {
  job: string;
  targets: string[];
  path?: string;
  scrapeInterval?: string;
}

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  jobs: ScrapeJob[];
  /** Global scrape interval (default 1s). */
  scrapeInterval?: string;
  /** Extra `--enable-feature` values (default `exemplar-storage`). */
  features?: string[];
  /** Extra config merged into the top level (rule_files, alerting…), as a plain object. */
  extraConfig?: Record<string, unknown>;
  binary?: string;
}

/** A running Prometheus and a client for its HTTP API. */
export interface PrometheusInstance {
  url: string;
  port: number;
  /** GET /api/v1/<path>?<params>; returns `data` or throws with the API's error. */
  api<T = unknown>(path: string, params?: Record<string, string>): Promise<T>;
  /** Instant query: the vector result. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Active targets. */
  targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }>>;
  /** Exemplars of `expr` over the last `seconds`. */
  queryExemplars(expr: string, seconds?: number): Promise<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }> }>>;
  /** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
  waitFor<T>(check: () => Promise<T | undefined>, timeoutMs?: number, what?: string): Promise<T>;
  /** Everything Prometheus logged (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on a free 127.0.0.1 port with a temp config and TSDB; resolves when ready.
 * The config is written as JSON, which YAML parsers (Prometheus's included) read as YAML.
 * @example
 * const prom = await startPrometheus({ jobs: [{ job: 'app', targets: [`127.0.0.1:${port}`] }] });
 * try { await prom.waitFor(async () => …); } finally { await prom.stop(); }
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusInstance> {
  const binary = options.binary ?? findBinary('prometheus') ?? 'prometheus';
  const dir = await mkdtemp(join(tmpdir(), 'sightline-prom-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: options.scrapeInterval ?? '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    scrape_configs: options.jobs.map((j) => ({
      job_name: j.job,
      metrics_path: j.path ?? '/metrics',
      ...(j.scrapeInterval === undefined ? {} : { scrape_interval: j.scrapeInterval }),
      static_configs: [{ targets: j.targets }],
    })),
    ...options.extraConfig,
  };
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const features = options.features ?? ['exemplar-storage'];
  const args = [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(features.length > 0 ? [`--enable-feature=${features.join(',')}`] : []),
    '--log.level=warn',
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  const waitFor = async <T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let lastErr: unknown;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`);
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch (e) {
        lastErr = e;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}${lastErr instanceof Error ? `: ${lastErr.message}` : ''}\n${log}`);
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000, 'prometheus /-/ready');
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    port,
    api,
    waitFor,
    log: () => log,
    stop,
    query: (expr) => api('query', { query: expr }).then((d) => (d as { result: [] }).result),
    targets: () => api('targets', { state: 'active' }).then((d) => (d as { activeTargets: [] }).activeTargets),
    queryExemplars: (expr, seconds = 600) => {
      const end = Date.now() / 1000;
      return api('query_exemplars', { query: expr, start: String(end - seconds), end: String(end + 60) });
    },
  };
}
