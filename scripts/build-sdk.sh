#!/usr/bin/env bash
# Builds the browser SDK into pkg/: wasm-pack (the size-tuned `wasm-release` profile of
# Cargo.toml, ES module), then npm binaryen's
# wasm-opt -Oz (Debian's older binaryen makes modules that crash at load), then the glue
# renamed to match, with the JS helpers of js/ copied in, and minified
# (scripts/shrink-glue.mjs), which also writes the script-tag build (loader and glue in one
# classic script), then a gzip and a brotli copy of each file for the server to send. The server serves pkg/
# at /sdk/v1/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

wasm-pack --quiet build --mode no-install --target web --profile wasm-release \
  --out-dir pkg --out-name expressconsent_sdk --no-pack . -- --no-default-features
wasm="pkg/expressconsent_sdk_bg.wasm"
features=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)
# -Oz run until it stops shrinking the module (a few hundred bytes past one run).
wasm-opt -Oz --converge "${features[@]}" "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
# Then import and export names are cut to a letter or two (they are spelled out in the
# wasm and again in the glue); binaryen prints the renaming, which shrink-glue.mjs applies
# to the glue before minifying it. (Separate from the run above: with --converge binaryen
# prints the renaming once per round.)
wasm-opt -Oz "${features[@]}" --strip-debug --strip-producers \
  --minify-imports-and-exports-and-modules "$wasm" -o "$wasm.opt" > pkg/names.json
mv "$wasm.opt" "$wasm"
# It also writes pkg/sdk.js, the script-tag build: js/sdk.js with the glue inside.
node scripts/shrink-glue.mjs pkg/names.json "$wasm" pkg/expressconsent_sdk.js \
  js/sdk.js pkg/sdk.js pkg/expressconsent_sdk_bg.wasm.d.ts
rm pkg/names.json
# shrink-glue.mjs copied the SDK's JS helpers (js/upload.js) into the glue.
rm -rf pkg/snippets
# What the server sends to browsers that accept gzip or brotli (scripts/precompress.mjs).
node scripts/precompress.mjs pkg/sdk.js pkg/expressconsent_sdk.js "$wasm"
printf 'SDK built: %s (%s bytes wasm)\n' pkg/ "$(wc -c < "$wasm")" >&2
