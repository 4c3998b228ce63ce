// One version reader serves telemetry.sdk.version, the OTLP User-Agent and `sightline --version`;
// copied where no package.json of ours sits above it (an app's bundle), it yields 0.0.0 instead of
// failing the import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SIGHTLINE_VERSION } from '../../src/version.js';
import { USER_AGENT } from '../../src/otlp/user-agent.js';
import { createResource } from 'sightline/trace';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

test('the package version reaches the resource and the User-Agent', () => {
  assert.equal(SIGHTLINE_VERSION, pkg.version);
  assert.equal(USER_AGENT, `sightline/${pkg.version}`);
  assert.equal(createResource({}, {}).attributes['telemetry.sdk.version'], pkg.version);
});

test('bundled without our package.json (another package.json above it), the version is 0.0.0, not a throw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-bundle-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'some-app', version: '9.9.9', type: 'module' }));
    mkdirSync(join(dir, 'lib'));
    copyFileSync(join(root, 'src/version.ts'), join(dir, 'lib/version.ts'));
    const m = (await import(pathToFileURL(join(dir, 'lib/version.ts')).href)) as { SIGHTLINE_VERSION: string };
    assert.equal(m.SIGHTLINE_VERSION, '0.0.0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
