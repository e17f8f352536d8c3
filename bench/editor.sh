#!/usr/bin/env bash
# The editor with large workflows (bench/editor/canvas.mjs): open time, drag frame rate and JS
# heap for workflows of 2 (the baseline), 100 and 1,000 nodes, in one run against a fresh
# server so the figures share a machine. Needs a release build (cargo leptos build --release --split)
# and the browser-test packages (scripts/setup.sh --test).
# Usage: bench/editor.sh [SIZE...]   (default: 2 100 1000); RUNS=n per size (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2 100 1000)
port=${AGENTE_BENCH_PORT:-3198}
source bench/serve.sh
E2E_DIR="$PWD/end2end" node bench/editor/canvas.mjs "http://127.0.0.1:$port" "${sizes[@]}"
