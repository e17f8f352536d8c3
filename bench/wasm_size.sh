#!/usr/bin/env bash
# What the browser downloads: every JS/WASM file of the release build (raw and brotli), and
# per page the compressed bytes of /pkg/ files a fresh browser fetched to make it live
# (bench/editor/downloads.mjs). The budget: the first page (sign-in, or the dashboard after
# it) ≤ 600 KB brotli. Needs a release build (cargo leptos build --release --precompress
# --split) and the browser-test packages (scripts/setup.sh --test).
# Usage: bench/wasm_size.sh
set -euo pipefail
cd "$(dirname "$0")/.."
pkg="${CARGO_TARGET_DIR:-target}/site/pkg"
[ -d "$pkg" ] || pkg=target/site/pkg
size() { [ -e "$1" ] && stat -c %s "$1" || echo 0; }
printf '%-48s %10s %10s\n' file raw brotli
for f in "$pkg"/agente.*.wasm "$pkg"/agente.*.js "$pkg"/__wasm_split.*.js; do
  [ -e "$f" ] && printf '%-48s %10s %10s\n' "$(basename "$f")" "$(size "$f")" "$(size "$f.br")"
done
# The split-off chunks (lazy pages and the code they share), summed.
chunks=0 raw=0 br=0
for f in "$pkg"/chunk_*.wasm "$pkg"/split_*.wasm; do
  [ -e "$f" ] || continue
  chunks=$((chunks + 1)) raw=$((raw + $(size "$f"))) br=$((br + $(size "$f.br")))
done
printf '%-48s %10s %10s\n' "$chunks split-off chunks" "$raw" "$br"
port=${AGENTE_BENCH_PORT:-3197}
source bench/serve.sh
E2E_DIR="$PWD/end2end" node bench/editor/downloads.mjs "http://127.0.0.1:$port"
