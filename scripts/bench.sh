#!/usr/bin/env bash
# `npm run bench`: builds the release SDK and the release server, then runs bench/run.mjs
# in one headless Chromium: snapshot speed against rrweb-snapshot on 1k/10k/50k-node pages,
# the browser primitives the design chose between, captureCDR end to end against the real
# server and split into its steps on a 3,000-element form (bench/capture.mjs), what one
# server holds under a capture flood, with claim latency, on SQLite with synchronous FULL
# and NORMAL (bench/flood.mjs), the SDK's transfer size and its main-thread time at page
# load, and the dashboard's API with a year of data on SQLite and PostgreSQL with its query
# plans (bench/scale.mjs, which also needs the server's seed example), and the transparency
# log on SQLite and PostgreSQL with two witnesses: entries sequenced per second, ingest to a
# witnessed checkpoint, proof size and verify time (bench/log.mjs, with the server's
# verify_bench example for the in-process check). Prints figures; it is
# a measurement, not a test, and fails only if a step cannot run. Arguments go to bench/run.mjs (e.g. `npm run bench -- --only flood`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

bash scripts/build-sdk.sh
cargo build --quiet --release -p expressconsent-server --bin expressconsent-server --example seed --example verify_bench
node bench/run.mjs "$@"
