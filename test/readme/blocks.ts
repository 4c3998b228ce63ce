// Extracts README.md's ```ts / ```js blocks: shared by the README test and its type check.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Block {
  /** Heading the block stands under. */
  heading: string;
  lang: 'ts' | 'js';
  code: string;
}

export function readmeBlocks(path = resolve(import.meta.dirname, '../../README.md')): Block[] {
  const text = readFileSync(path, 'utf8');
  const blocks: Block[] = [];
  let heading = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    const m = /^```(ts|js)\s*$/.exec(line);
    if (m === null) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    blocks.push({ heading, lang: m[1] as 'ts' | 'js', code: body.join('\n') + '\n' });
  }
  return blocks;
}
