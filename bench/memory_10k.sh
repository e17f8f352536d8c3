#!/usr/bin/env bash
# Resident and peak memory over 60 runs of the 10,000-item Set → Code → Aggregate workflow
# in one process (release build). Flat numbers after the first runs = no growth per run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q --release -p agente-engine --example ten_thousand_rss
