#!/usr/bin/env bash
# Every test: system components, build, types, lint, then the test suite with coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
npm run --silent build
npm run --silent typecheck
npm run --silent lint
node scripts/run-tests.mjs "$@"
