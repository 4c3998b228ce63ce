import { createRequire } from 'node:module';

/**
 * This package's version, read once from its package.json: `src/otlp/` and `dist/otlp/` are both
 * two levels below the package root, in the repository and in an installed tarball alike.
 */
function packageVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)('../../package.json') as { name?: unknown; version?: unknown };
    if (pkg.name === 'sightline' && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // bundled into something else: no package.json beside us
  }
  return '0.0.0';
}

/** The version of Sightline in use. */
export const SIGHTLINE_VERSION = packageVersion();

/** `User-Agent` of every OTLP request (OTLP exporter spec: exporters SHOULD identify themselves). */
export const USER_AGENT = `sightline/${SIGHTLINE_VERSION}`;
