#!/usr/bin/env bash
# Cold start: time from launching `agente serve` to the first 200 on /healthz, with a fresh
# data directory (migrations and secret generation included) and with an existing one.
# Usage: bench/cold_start.sh [runs]   (needs a release build: scripts/run.sh or
#        cargo leptos build --release --split)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/release/agente"
runs=${1:-5}
port=${AGENTE_BENCH_PORT:-3199}

start_once() {
  local dir=$1 t0 t1 pid
  t0=$(date +%s%N)
  "$bin" serve --addr "127.0.0.1:$port" --data-dir "$dir" >/dev/null 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.002; done
  t1=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

fresh=(); warm=()
warm_dir=$(mktemp -d)
start_once "$warm_dir" >/dev/null
for _ in $(seq "$runs"); do
  d=$(mktemp -d); fresh+=("$(start_once "$d")"); rm -rf "$d"
  warm+=("$(start_once "$warm_dir")")
done
rm -rf "$warm_dir"
echo "cold start to 200 /healthz over $runs runs (ms, median):"
echo "  fresh data dir (migrate + secrets): $(printf '%s\n' "${fresh[@]}" | median)  [${fresh[*]}]"
echo "  existing data dir:                  $(printf '%s\n' "${warm[@]}" | median)  [${warm[*]}]"
