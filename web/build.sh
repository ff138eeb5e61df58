#!/usr/bin/env bash
# web/build.sh — builds the portal into web/dist/: API types generated from openapi/openapi.yaml
# (openapi-typescript), a strict type check (tsc, so a contract change breaks this build, not the
# page's users), one bundle with esbuild, file names carrying a content hash (cached for a year),
# and index.html pointing at them (revalidated on every visit). ./run.sh and ./test.sh run it.
set -euo pipefail
cd "$(dirname "$0")"
if ! [ -d node_modules ] || ! [ node_modules/.package-lock.json -nt package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p src/generated
./node_modules/.bin/openapi-typescript ../openapi/openapi.yaml --output src/generated/schema.d.ts --silent
./node_modules/.bin/tsc --project tsconfig.json
rm -rf dist
mkdir -p dist/assets
./node_modules/.bin/esbuild src/main.ts src/style.css --bundle --minify --format=esm --target=es2022 \
    --entry-names='[name]-[hash]' --outdir=dist/assets --metafile=dist/meta.json --log-level=warning
js=$(cd dist/assets && ls main-*.js)
css=$(cd dist/assets && ls style-*.css)
sed -e "s|@JS@|$js|" -e "s|@CSS@|$css|" src/index.html >dist/index.html
rm dist/meta.json
echo "web: built dist/index.html, dist/assets/$js, dist/assets/$css"
