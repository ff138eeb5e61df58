#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [HARNESS...] — builds the libFuzzer harnesses (clang, ASan + UBSan)
# into build-fuzz/ and runs each for SECONDS (default 4) on a scratch copy of its seed corpus in
# tests/fuzz/corpus/<name>/. Prints one line per harness (runs, coverage, corpus size); fails on
# any crash, sanitizer report or assertion, leaving the crashing input in build-fuzz/crashes/.
# FUZZ_RUNS=N also stops a harness after N inputs (the long runs: `FUZZ_RUNS=10000000 tests/fuzz/run.sh 600`).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SECONDS_EACH=${1:-4}
shift || true
ALL=(query validate token cursor rfc3339 hitlog qr_options signed_url body_limit sniff multipart file_name csv_read report_params)
HARNESSES=("${@:-${ALL[@]}}")

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRACKGEN_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)" >/dev/null
mkdir -p build-fuzz/crashes
status=0
for h in "${HARNESSES[@]}"; do
    scratch=$(mktemp -d /tmp/trackgen-fuzz-$h.XXXXXX)
    log=build-fuzz/fuzz_$h.log
    set +e
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
        "build-fuzz/fuzz_$h" -max_total_time="$SECONDS_EACH" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build-fuzz/crashes/$h-" "$scratch" "tests/fuzz/corpus/$h" >"$log" 2>&1
    rc=$?
    set -e
    runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
    cov=$({ grep -o 'cov: [0-9]*' "$log" || true; } | tail -n 1 | awk '{print $2}') # none if a seed crashes
    units=$(find "$scratch" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        secs=$(awk '/Done [0-9]+ runs in/ {print $(NF-1)}' "$log")
        printf 'fuzz %-11s ok    %9s runs in %ss, coverage %s edges, %s new inputs\n' "$h" "${runs:-?}" "${secs:-$SECONDS_EACH}" "${cov:-?}" "$units"
    else
        printf 'fuzz %-11s FAIL  (exit %d) — see %s and build-fuzz/crashes/\n' "$h" "$rc" "$log"
        grep -E "ERROR|runtime error|Assertion|SUMMARY" "$log" | head -n 5
        status=1
    fi
    rm -rf "$scratch"
done
exit $status
