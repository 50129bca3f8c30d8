#!/usr/bin/env bash
# `npm start`: set up, build the SDK and the server, then serve the API, the SDK and the demo
# form on the embedded database (SQLite + files under ./data). The first start creates a demo
# lead generator and a demo lead buyer and prints their API keys.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
EC_SETUP_POSTGRES=0 bash scripts/setup.sh
bash scripts/build-sdk.sh
cargo build --quiet -p expressconsent-server
# The demo form and its assets are on this machine (127.0.0.1), so the asset archive and
# webhooks may reach private addresses here; a public deployment leaves this unset (refuse).
export EC_ARCHIVE_PRIVATE_NETWORKS="${EC_ARCHIVE_PRIVATE_NETWORKS:-allow}"
exec target/debug/expressconsent-server serve --demo "$@"
