// docs/errors.md lists exactly the (pillar, reason) pairs the code may report and every channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REASONS } from '../../src/diagnostics/index.js';

test('docs/errors.md "Run-time problems" lists exactly the reasons of the code', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\|\s*`([a-z]+)`\s*\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
  const defined = Object.entries(REASONS).flatMap(([p, rs]) => rs.map((r) => `${p}:${r}`)).sort();
  assert.deepEqual(documented, defined);
  assert.equal(new Set(documented).size, documented.length, 'a reason is documented twice');
});

test('docs/errors.md "Diagnostics channels" names every channel the code defines', async () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Diagnostics channels'));
  const channels = await import('../../src/diagnostics/channels.js');
  const names = Object.values(channels) as string[];
  assert.ok(names.length >= 9);
  for (const name of names) assert.ok(section.includes(`\`${name}\``), `${name} is not documented`);
  // The ones users can subscribe to by constant are exported from 'sightline' under the documented names.
  const api = (await import('sightline')) as Record<string, unknown>;
  const exported = [...section.matchAll(/`([a-z:.-]+)` \(`([A-Z_]+)`\)/g)];
  assert.equal(exported.length, 3);
  for (const m of exported) assert.equal(api[m[2]!], m[1]);
});
