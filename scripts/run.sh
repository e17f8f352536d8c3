#!/usr/bin/env bash
# Builds the release app and runs it with the embedded default (SQLite under ./data, no
# external services) on http://127.0.0.1:3000. Extra arguments go to `agente serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo leptos build --release --precompress --split
exec "${CARGO_TARGET_DIR:-target}/release/agente" serve "$@"
