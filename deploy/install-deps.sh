#!/usr/bin/env bash
# deploy/install-deps.sh [run|test|bench] — installs the Debian packages trackgen needs for
# running (run), for the tests (test: adds cmocka, Node.js, clang with its libFuzzer runtime, the
# QR readers zbarimg and rsvg-convert, and unzip/zipinfo and python3 to check ZIP archives) or for
# the benches (wrk, h2load, the qrencode CLI).
# Only what is missing is installed; apt-get update runs only when something is missing.
set -euo pipefail

want=(build-essential cmake pkg-config curl ca-certificates libfcgi-dev libpq-dev libjansson-dev libssl-dev
      libqrencode-dev libpng-dev libarchive-dev libvips-dev libcsv-dev postgresql nginx-light)
case "${1:-run}" in
    test)  want+=(libcmocka-dev libcurl4-openssl-dev zbar-tools librsvg2-bin clang libclang-rt-14-dev clang-format libvips-tools unzip python3
                  chromium) ;;
    bench) want+=(wrk nghttp2-client qrencode zbar-tools) ;;
esac
# Node.js and npm build the partner portal (web/build.sh) for run and test alike.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || want+=(nodejs npm)

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
