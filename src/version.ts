import { createRequire } from 'node:module';

/**
 * This package's version, read once from its package.json (`src/` and `dist/` are both one level
 * below the package root, in the repository and in an installed tarball alike). Bundled into an
 * app, there is no package.json beside the module: the version is then `0.0.0`, not a crash at
 * import. Used for `telemetry.sdk.version`, the OTLP `User-Agent` and `sightline --version`.
 */
function packageVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)('../package.json') as { name?: unknown; version?: unknown };
    if (pkg.name === 'sightline' && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // bundled into something else: no package.json beside us
  }
  return '0.0.0';
}

/** The version of Sightline in use. */
export const SIGHTLINE_VERSION = packageVersion();
