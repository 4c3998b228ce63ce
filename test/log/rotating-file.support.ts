/** Helpers for the rotating file tests: read every line of a rotating log, live and rotated. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Every file of the log in `dir` (names), and the lines of each (gz files decompressed). */
export function readLogFiles(dir: string, filter: (name: string) => boolean = () => true): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of fs.readdirSync(dir).sort()) {
    if (name.startsWith('.') || !filter(name)) continue;
    const raw = fs.readFileSync(path.join(dir, name));
    const text = name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    if (text !== '' && !text.endsWith('\n')) throw new Error(`${name} ends in a partial line`);
    out.set(name, text === '' ? [] : text.slice(0, -1).split('\n'));
  }
  return out;
}

/** The `i` field of every line across the files, in file order. */
export function seqs(files: Map<string, string[]>, field = 'i'): number[] {
  const all: number[] = [];
  for (const lines of files.values()) for (const l of lines) all.push((JSON.parse(l) as Record<string, number>)[field]!);
  return all;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), `sl-${prefix}-`));
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript fixture in a child node process (sources via tsx, like the tests). */
export function runFixture(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  const fixture = new URL(`./fixtures/${file}`, import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fixture, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
