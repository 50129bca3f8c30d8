#!/usr/bin/env bash
# `npm test`: set up, then every test — formatting and lints, Rust unit and integration tests,
# the SDK's tests in headless Chromium, the end-to-end tests against the real server, and a
# short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*" >&2; }

bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native and wasm32)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
# The entry points the fuzz targets use exist only under the `fuzzing` features.
cargo clippy --quiet -p expressconsent-sdk -p expressconsent-server \
  --features expressconsent-sdk/fuzzing,expressconsent-server/fuzzing --lib -- -D warnings
cargo clippy --quiet -p expressconsent-sdk --target wasm32-unknown-unknown --all-targets -- -D warnings
# The size build of the SDK, without the standard library (scripts/build-sdk.sh).
cargo clippy --quiet -p expressconsent-sdk --target wasm32-unknown-unknown --no-default-features --lib -- -D warnings

step "Rust unit and integration tests (server suite on SQLite)"
cargo test --quiet --workspace

step "server integration tests on PostgreSQL"
pg_url=$(bash scripts/postgres.sh start)
EC_TEST_POSTGRES_URL="$pg_url" cargo test --quiet -p expressconsent-server --test api

step "SDK tests in headless Chromium (wasm-bindgen-test)"
# The runner's budget for the whole suite (default 20 s): the snapshot property test
# (tests/web/property.rs) alone takes some 25 s on this machine. `--nocapture` prints its
# base seed (and the few lines other tests log) even when it passes.
WASM_BINDGEN_TEST_TIMEOUT=180 CHROMEDRIVER=/usr/bin/chromedriver \
  wasm-pack test --mode no-install --headless --chrome . -- --nocapture

step "building the release SDK and the server for the end-to-end tests"
bash scripts/build-sdk.sh
cargo build --quiet -p expressconsent-server

step "Schemathesis against the OpenAPI document (real server, SQLite and PostgreSQL)"
bash scripts/schemathesis.sh sqlite postgres

step "end-to-end tests (real server, real Chromium)"
node --test --test-concurrency=1 tests/e2e/

step "fuzzing: every cargo-fuzz target for 25 s (scripts/fuzz.sh)"
EC_FUZZ_BUILD=dev bash scripts/fuzz.sh 25

step "all tests passed"
