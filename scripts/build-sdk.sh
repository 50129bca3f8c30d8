#!/usr/bin/env bash
# Builds the browser SDK into pkg/: wasm-pack (the size-tuned `wasm-release` profile of
# Cargo.toml, ES module), then npm binaryen's
# wasm-opt -Oz (Debian's older binaryen makes modules that crash at load), then the
# script-tag loader beside it. The server serves pkg/ at /sdk/v1/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

wasm-pack --quiet build --mode no-install --target web --profile wasm-release \
  --out-dir pkg --out-name expressconsent_sdk --no-pack .
wasm="pkg/expressconsent_sdk_bg.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
cp js/sdk.js pkg/sdk.js
printf 'SDK built: %s (%s bytes wasm)\n' pkg/ "$(wc -c < "$wasm")" >&2
