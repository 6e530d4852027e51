#!/usr/bin/env bash
# Compiles the TypeScript client into the master's jar (argument: the output folder, under target/classes), where
# the demo page and the console load it from /client/. Without node it skips with a message locally (the pages then
# say the client is missing) and fails under CI=true.
set -euo pipefail
out="$1"
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
        echo "clients/typescript: node and npm are required under CI=true to build the pages' client" >&2
        exit 1
    fi
    echo "clients/typescript: SKIPPED building the pages' client: node/npm not found (the demo page will say so)"
    exit 0
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.json --outDir "$out" --declaration false --sourceMap false
echo "clients/typescript: compiled the client into $out"
