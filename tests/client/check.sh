#!/usr/bin/env bash
# tests/client/check.sh — the contract is usable by a generated client: generates TypeScript types
# from openapi/openapi.yaml with openapi-typescript (its default options, as integrators run it)
# into generated/ (git-ignored) and compiles partner.ts, the partner calls written the natural way
# with openapi-fetch, under tsc --strict. Compile only: no server is involved.
set -euo pipefail
cd "$(dirname "$0")"
if ! [ -d node_modules ] || ! [ node_modules/.package-lock.json -nt package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p generated
./node_modules/.bin/openapi-typescript ../../openapi/openapi.yaml --output generated/schema.d.ts --silent
./node_modules/.bin/tsc --project tsconfig.json
echo "client check: partner.ts compiles against the generated client"
