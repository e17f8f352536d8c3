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
bin="${CARGO_TARGET_DIR:-target}/release/agente"
port=${AGENTE_BENCH_PORT:-3197}
data=$(mktemp -d)
"$bin" serve --addr "127.0.0.1:$port" --data-dir "$data" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 $server 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.1
done
E2E_DIR="$PWD/end2end" node bench/editor/downloads.mjs "http://127.0.0.1:$port"
