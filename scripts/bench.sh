#!/usr/bin/env bash
# `npm run bench`: builds the release SDK and the server, then runs bench/run.mjs in one
# headless Chromium: snapshot speed against rrweb-snapshot on 1k/10k/50k-node pages, the
# browser primitives the design chose between, captureCDR end to end against the real
# server, the SDK's transfer size and its main-thread time at page load. Prints figures;
# it is a measurement, not a test, and fails only if a step cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

bash scripts/build-sdk.sh
cargo build --quiet -p expressconsent-server
node bench/run.mjs "$@"
