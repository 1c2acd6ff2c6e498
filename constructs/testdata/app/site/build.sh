#!/bin/sh
# A stand-in for a real bundler: writes a page that embeds the build
# environment, a hashed script and a few static files into dist/.
set -e
rm -rf dist
mkdir -p dist/assets
cp -R public/. dist/
printf '<!doctype html><title>site</title><script src="/assets/app-3f9a1c2b.js"></script>\n' > dist/index.html
printf 'window.config = {api: "%s", stage: "%s"};\n' "$API_URL" "$STAGE" > dist/assets/app-3f9a1c2b.js
if [ -n "$FAIL" ]; then echo "bundler: cannot resolve ./missing.js" >&2; exit 3; fi
