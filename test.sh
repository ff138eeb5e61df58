#!/usr/bin/env bash
# test.sh — everything needed, then every test: installs missing packages, builds trackgen
# twice (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer), runs the cmocka unit
# tests in both builds, fuzzes every parser of outside input for a few seconds each (libFuzzer,
# tests/fuzz/run.sh), checks the C formatting, compiles a client generated from the OpenAPI spec
# (tests/client/check.sh), lints the spec and runs the integration suite against the real stack
# (nginx → sanitizer-built workers → PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc)

step() { printf '\n== %s\n' "$*"; }
passed=0 failed=0
record() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }

step "dependencies"
deploy/install-deps.sh test

step "formatting (clang-format --dry-run -Werror, the pinned .clang-format)"
set +e
git ls-files -z 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tests/unit/*.h' 'tests/fuzz/*.c' 'bench/*.c' \
    | xargs -0 clang-format --dry-run -Werror; record $?
set -e

step "build (Release, as run.sh and the Dockerfile ship it) and unit tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTRACKGEN_TESTS=ON >/dev/null
cmake --build build -j "$JOBS" >/dev/null
set +e
(cd build && ctest --output-on-failure -j "$JOBS"); record $?
set -e

step "build (ASan + UBSan) and unit tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTRACKGEN_TESTS=ON -DTRACKGEN_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$JOBS" >/dev/null
set +e
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$JOBS"); record $?
set -e

step "fuzzing: every parser of outside input under libFuzzer + ASan/UBSan, a few seconds each"
set +e
tests/fuzz/run.sh "${FUZZ_SECONDS:-4}"; record $?
set -e

step "generated client: openapi-typescript + openapi-fetch types from the spec, partner calls under tsc --strict"
set +e
tests/client/check.sh; record $?
set -e

step "partner portal: web/build.sh (types generated from the spec, tsc --strict, esbuild)"
set +e
web/build.sh; record $?
set -e

step "integration test dependencies (npm)"
(cd tests/integration && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })

step "integration tests (nginx → ASan/UBSan workers → PostgreSQL; OpenAPI lint and response validation; the portal in Chromium)"
set +e
tests/integration/run.sh "$ROOT/build-asan/trackgen"; record $?
set -e

step "integration tests again with nginx upstream keep-alive (kept connections pin no worker thread)"
set +e
NGINX_UPSTREAM_KEEPALIVE=8 TG_TESTS="./tracking.test.mjs ./workerkill.test.mjs ./offers.test.mjs" \
    tests/integration/run.sh "$ROOT/build-asan/trackgen"; record $?
set -e

printf '\nsuites: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
