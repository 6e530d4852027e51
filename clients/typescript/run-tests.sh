#!/usr/bin/env bash
# Runs the TypeScript client's build and tests (npm ci && npm test), as `mvn -B verify` does through
# clients/typescript/pom.xml. Without node or npm it skips with a message locally, and fails under CI=true, where a
# missing toolchain must not pass for green.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
        echo "clients/typescript: node and npm are required under CI=true (node 20+, npm 11); .ci/run installs them" >&2
        exit 1
    fi
    echo "clients/typescript: SKIPPED: node/npm not found; install node 20+ to run the TypeScript client's tests"
    exit 0
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
    echo "clients/typescript: node $(node --version) is too old; node 20 or newer is required" >&2
    exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
npm test
