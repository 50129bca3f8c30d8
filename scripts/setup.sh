#!/usr/bin/env bash
# Idempotent set-up for `npm start` and `npm test` on a fresh machine with Rust and Node:
# the wasm target, wasm-pack, wasm-bindgen-cli matching Cargo.lock, cargo-fuzz, npm packages
# (binaryen's wasm-opt, playwright-core), and Debian's Chromium, ChromeDriver, zopfli,
# PostgreSQL, and the report's fonts, fontconfig and poppler-utils.
# Each step checks first, so a second run takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The size build rebuilds core and alloc from source (scripts/build-sdk.sh, `-Z build-std`).
if ! rustup component list --installed | grep -qx rust-src; then
  step "adding the rust-src component"
  rustup component add rust-src
fi

if ! command -v wasm-pack >/dev/null; then
  step "installing wasm-pack (about 2 minutes)"
  cargo install --locked wasm-pack
fi

# wasm-bindgen's CLI must be exactly the version of the crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  step "installing wasm-bindgen-cli $want (about 2 minutes)"
  cargo install --locked wasm-bindgen-cli --version "$want"
fi

# The fuzz targets (scripts/fuzz.sh). cargo-fuzz drives nightly flags, which the stable
# toolchain takes under RUSTC_BOOTSTRAP=1; installing it needs no nightly.
if ! cargo fuzz --version >/dev/null 2>&1; then
  step "installing cargo-fuzz (about 2 minutes)"
  cargo install --locked cargo-fuzz
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v zopfli >/dev/null || missing+=(zopfli) # the SDK's gzip copies (scripts/precompress.mjs)
# The PDF report (server/src/report/): fontconfig to build and find fonts, Noto for the
# scripts and emoji a disclosure may use, poppler's tools for the tests that read it back.
pkg-config --exists fontconfig 2>/dev/null || missing+=(pkg-config libfontconfig-dev)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || missing+=(fonts-noto-core)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
if [ "${EC_SETUP_POSTGRES:-1}" = 1 ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages: reinstall only when package.json or the lock file changed.
stamp=node_modules/.ec-setup-stamp
sum=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  step "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  echo "$sum" > "$stamp"
fi

step "set-up complete"
