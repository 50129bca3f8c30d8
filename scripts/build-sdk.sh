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

# core and alloc are rebuilt for the size build (`-Z build-std`, which stable Rust takes
# under RUSTC_BOOTSTRAP=1 with the rust-src component scripts/setup.sh installs; measured
# with 1.95, and `-C panic=immediate-abort` needs a recent toolchain): optimised for size
# like the SDK instead of the precompiled speed-tuned copies, with core's
# `optimize_for_size` implementations, panics that abort on the spot
# (`-C panic=immediate-abort`: no panic message or location is ever built, where the
# panic handler of src/lib.rs used to receive them only to trap) and no file names for
# `#[track_caller]` locations, which nothing reads.
# Without the reference-types feature, wasm-bindgen keeps the JS values the wasm holds in
# an array of the glue rather than in a wasm table of externrefs: a few hundred bytes more
# glue, but no table shim around each export and import (−650 bytes gzip in all).
# A stack of 960 KiB instead of 1 MiB puts the data below 1 MiB, where each address in the
# code is a 3-byte constant instead of 4 (about 1 KB of the plain wasm).
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Z unstable-options -C panic=immediate-abort -Z location-detail=none \
  -C target-feature=-reference-types -C link-arg=-zstack-size=983040 ${SDK_RUSTFLAGS:-}" \
  wasm-pack --quiet build --mode no-install --target web --profile wasm-release \
  --out-dir pkg --out-name expressconsent_sdk --no-pack . -- --no-default-features \
  -Z build-std=core,alloc -Z build-std-features=optimize_for_size
wasm="pkg/expressconsent_sdk_bg.wasm"
features=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)
# -Oz run until it stops shrinking the module (a few hundred bytes past one run), then
# once more after the control flow is flattened and rebuilt by binaryen's relooper, which
# finds smaller shapes for the rewriter's big loops. --low-memory-unused: the first 1 KiB
# of memory is never an address the SDK uses (the stack sits below the data and grows
# down to it only on overflow), so binaryen may fold more constant offsets.
wasm-opt --low-memory-unused -Oz --converge --flatten --rereloop -Oz -Oz --converge \
  "${features[@]}" "$wasm" -o "$wasm.opt"
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
