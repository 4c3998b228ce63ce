import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  proc: ChildProcess;
  /** First stdout line, parsed as JSON when possible. */
  first: Promise<string>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a fixture (TypeScript, on the sources) in a child node process. */
export function runFixture(name: string, env: Record<string, string>): Child {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', path], {
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  let out = '';
  const first = new Promise<string>((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const i = out.indexOf('\n');
      if (i !== -1) resolve(out.slice(0, i));
    });
    proc.once('exit', () => reject(new Error(`fixture ${name} exited before printing: ${err}`)));
  });
  first.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { proc, first, stderr: () => err, exited };
}
