#!/usr/bin/env bash
# Load-tests peer workflow A (Webhook → Set → IF → Set → Respond) on Agente with ApacheBench:
# requests/s, p50/p99 latency per concurrency, and the server's peak RSS. With RUN_N8N=1 it
# then runs the team's n8n peer script (../shared/peers/n8n.sh) with the same REQS/CONCS, so
# both figures come from one command on one machine.
# With BASELINE_BIN=<another agente binary> both binaries run side by side (one at a time
# under load, in alternating order), ROUNDS times (default 5) per concurrency; the medians
# and the ratios new/baseline are printed (how a change is measured: single runs on this
# kind of machine differ by ±10 %). BENCH_PG=1 runs on fresh Postgres databases (local
# server) instead of the embedded SQLite.
# AGENTE_BIN=<binary> measures another build than the release one in the target dir.
# Usage: REQS=2000 CONCS="1 10 50" bench/webhook_load.sh   (needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
REQS=${REQS:-2000}
CONCS=${CONCS:-"1 10 50"}
port=${AGENTE_BENCH_PORT:-3198}
bin=${AGENTE_BIN:-"${CARGO_TARGET_DIR:-target}/release/agente"}
command -v ab >/dev/null || { apt-get update -qq && apt-get install -y -qq apache2-utils >/dev/null; }

results=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$results"
}
trap cleanup EXIT

# start_agente BIN LABEL PORT: starts BIN on a fresh data dir, loads workflow A and
# activates it; the data dir is $results/LABEL.d, the pid in $results/LABEL.pid.
start_agente() {
  local bin=$1 label=$2 port=$3 dir="$results/$2.d"
  mkdir -p "$dir"
  local vars=(AGENTE_DEFAULT_PLAN=enterprise AGENTE_WEBHOOK_RATE_PER_IP=1000000000 AGENTE_WEBHOOK_RATE_PER_WEBHOOK=1000000000)
  if [ "${BENCH_PG:-0}" = 1 ]; then
    local db="agente_bench_${label,,}"
    psql -qh 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    vars+=("DATABASE_URL=postgres://postgres@127.0.0.1/$db")
  fi
  # Thousands of runs: the tenant is on an unlimited plan (Free stops at 1,000 a month).
  # One client sends everything: the webhook rate limits are set far above the load, so
  # they are checked on every call (their cost is measured) but never refuse.
  env "${vars[@]}" "$bin" serve --addr "127.0.0.1:$port" --data-dir "$dir" >"$dir/server.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  echo "$pid" >"$results/$label.pid"
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "$label did not start:" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
    sleep 0.05
  done

  local base="http://127.0.0.1:$port/api/v1" token id answer
  token=$(curl -fsS "$base/auth/signup" -H 'content-type: application/json' \
    -d '{"email":"bench@example.test","password":"a long password","tenant_name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  id=$(curl -fsS "$base/workflows/import" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    --data-binary @shared/workflow-model/tests/fixtures/a-webhook-bench.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
  curl -fsS -X POST "$base/workflows/$id/activate" -H "authorization: Bearer $token" >/dev/null
  echo '{"n":40}' >"$dir/body.json"
  answer=$(curl -fsS "http://127.0.0.1:$port/webhook/bench" -H 'content-type: application/json' -d @"$dir/body.json")
  [ "$answer" = '{"tier":"high","score":80}' ] || { echo "unexpected answer from $label: $answer" >&2; exit 1; }
}

# measure LABEL PORT CONC: one ab run; appends "rps p50 p99" to $results/LABEL.CONC.
measure() {
  local label=$1 port=$2 c=$3 out failed
  out=$(ab -q -n "$REQS" -c "$c" -p "$results/$label.d/body.json" -T application/json "http://127.0.0.1:$port/webhook/bench")
  failed=$(echo "$out" | awk '/Failed requests/ {print $3}')
  [ "$failed" = 0 ] || { echo "$label: $failed failed requests at c=$c" >&2; exit 1; }
  echo "$out" | awk '/Requests per second/ {r=$4} $1=="50%" {p=$2} $1=="99%" {q=$2} END {print r, p, q}' \
    >>"$results/$label.$c"
}

# median FILE COLUMN
median() { sort -g -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

report() {
  local label=$1 c
  echo "$label, workflow A, $REQS requests per run, median of $rounds run(s)"
  printf '%6s %12s %9s %9s\n' conc 'req/s' 'p50 ms' 'p99 ms'
  for c in $CONCS; do
    printf '%6s %12s %9s %9s\n' "$c" "$(median "$results/$label.$c" 1)" "$(median "$results/$label.$c" 2)" "$(median "$results/$label.$c" 3)"
  done
  echo "peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$(cat "$results/$label.pid")/status")"
}

start_agente "$bin" Agente "$port"
if [ -n "${BASELINE_BIN:-}" ]; then
  start_agente "$BASELINE_BIN" baseline $((port + 1))
  rounds=${ROUNDS:-5}
else
  rounds=${ROUNDS:-1}
fi
for ((r = 0; r < rounds; r++)); do
  for c in $CONCS; do
    # Alternate which binary goes first, so warm-up and drift fall on both alike.
    if [ -n "${BASELINE_BIN:-}" ] && ((r % 2 == 0)); then measure baseline $((port + 1)) "$c"; fi
    measure Agente "$port" "$c"
    if [ -n "${BASELINE_BIN:-}" ] && ((r % 2 == 1)); then measure baseline $((port + 1)) "$c"; fi
  done
done

if [ -n "${BASELINE_BIN:-}" ]; then
  report baseline
  echo
fi
report Agente
if [ -n "${BASELINE_BIN:-}" ]; then
  echo; echo "this build / baseline (medians)"
  for c in $CONCS; do
    printf '  c=%-4s req/s x%.3f   p50 %s vs %s ms   p99 %s vs %s ms\n' "$c" \
      "$(awk -v a="$(median "$results/Agente.$c" 1)" -v b="$(median "$results/baseline.$c" 1)" 'BEGIN {print a/b}')" \
      "$(median "$results/Agente.$c" 2)" "$(median "$results/baseline.$c" 2)" \
      "$(median "$results/Agente.$c" 3)" "$(median "$results/baseline.$c" 3)"
  done
fi

if [ "${RUN_N8N:-0}" = 1 ]; then
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  echo; echo "n8n, same workload (peer script):"
  REQS=$REQS CONCS=$CONCS bash ../shared/peers/n8n.sh
fi
