import { createHash } from 'node:crypto';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,})\b/gi;
const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g;
const NUMBER = /\b\d+(?:\.\d+)?\b/g;

/**
 * The message with its variable parts replaced, so "user 42 not found" and "user 7 not found"
 * group together: quoted strings → `<str>`, UUIDs → `<uuid>`, hex ids (0x…, or 8+ hex digits with both
 * a digit and a letter) → `<hex>`, numbers → `<n>`.
 */
export function normalizeMessage(message: string): string {
  return message
    .slice(0, 1000)
    .replace(QUOTED, '<str>')
    .replace(UUID, '<uuid>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<n>');
}

const FRAME = /^\s*at (?:(.*?) \()?(.*?)(?::\d+)?(?::\d+)?\)?$/;

/**
 * The top `n` application frames of a stack as `function (file)`, without line and column (they
 * move with every deploy): frames in node_modules, `node:` and `internal/` modules are skipped.
 */
export function applicationFrames(stack: string | undefined, n = 3, cwd = process.cwd()): string[] {
  if (stack === undefined) return [];
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    if (out.length >= n) break;
    if (!/^\s*at /.test(line)) continue;
    const m = FRAME.exec(line);
    if (m === null) continue;
    let file = m[2] ?? '';
    const fn = m[1] ?? '<anonymous>';
    if (file === '' || file.includes('node_modules') || file.startsWith('node:') || file.startsWith('internal/') || file === 'native') continue;
    file = file.replace(/^file:\/\//, '');
    if (file.startsWith(cwd + '/')) file = file.slice(cwd.length + 1);
    out.push(`${fn.replace(/^async /, '')} (${file})`);
  }
  return out;
}

/** The fingerprint of an error: sha1 of type, normalised message and top application frames (16 hex). */
export function fingerprint(type: string, normalizedMessage: string, frames: readonly string[]): string {
  return createHash('sha1').update(`${type}\n${normalizedMessage}\n${frames.join('\n')}`).digest('hex').slice(0, 16);
}
