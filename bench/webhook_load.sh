#!/usr/bin/env bash
# Load-tests peer workflow A (Webhook → Set → IF → Set → Respond) on Agente with ApacheBench:
# requests/s, p50/p99 latency per concurrency, and the server's peak RSS. With RUN_N8N=1 it
# then runs the team's n8n peer script (../shared/peers/n8n.sh) with the same REQS/CONCS, so
# both figures come from one command on one machine.
# With BASELINE_BIN=<another agente binary> that binary runs the same workload first, and the
# ratios new/baseline are printed (how a change is measured). BENCH_PG=1 runs both on a fresh
# Postgres database (local server) instead of the embedded SQLite.
# Usage: REQS=2000 CONCS="1 10 50" bench/webhook_load.sh   (needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
REQS=${REQS:-2000}
CONCS=${CONCS:-"1 10 50"}
port=${AGENTE_BENCH_PORT:-3198}
bin="${CARGO_TARGET_DIR:-target}/release/agente"
command -v ab >/dev/null || { apt-get update -qq && apt-get install -y -qq apache2-utils >/dev/null; }

# bench_agente BIN LABEL: starts BIN on a fresh data dir, loads workflow A, prints a table
# and leaves "conc rps p50 p99" lines in $results/LABEL.
results=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$results"; }
trap cleanup EXIT
bench_agente() {
  local bin=$1 label=$2 dir
  dir=$(mktemp -d)
  if [ "${BENCH_PG:-0}" = 1 ]; then
    # A fresh Postgres database per run (same server, same settings).
    local db="agente_bench_${label,,}"
    psql -qh 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    export DATABASE_URL="postgres://postgres@127.0.0.1/$db"
  fi
  # Thousands of runs: the tenant is on an unlimited plan (Free stops at 1,000 a month).
  # One client sends everything: the webhook rate limits are set far above the load, so
  # they are checked on every call (their cost is measured) but never refuse.
  AGENTE_DEFAULT_PLAN=enterprise AGENTE_WEBHOOK_RATE_PER_IP=1000000000 AGENTE_WEBHOOK_RATE_PER_WEBHOOK=1000000000 "$bin" serve --addr "127.0.0.1:$port" --data-dir "$dir" >"$dir/server.log" 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "$label did not start:" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
    sleep 0.05
  done

  local base="http://127.0.0.1:$port/api/v1" token id answer
  token=$(curl -fsS "$base/auth/signup" -H 'content-type: application/json' \
    -d '{"email":"bench@example.test","password":"a long password","tenant_name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  id=$(curl -fsS "$base/workflows/import" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    --data-binary @shared/workflows/tests/fixtures/a-webhook-bench.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
  curl -fsS -X POST "$base/workflows/$id/activate" -H "authorization: Bearer $token" >/dev/null
  echo '{"n":40}' >"$dir/body.json"
  answer=$(curl -fsS "http://127.0.0.1:$port/webhook/bench" -H 'content-type: application/json' -d @"$dir/body.json")
  [ "$answer" = '{"tier":"high","score":80}' ] || { echo "unexpected answer: $answer" >&2; exit 1; }

  echo "$label, workflow A, $REQS requests per concurrency"
  printf '%6s %12s %9s %9s\n' conc 'req/s' 'p50 ms' 'p99 ms'
  local c out rps p50 p99 failed
  for c in $CONCS; do
    out=$(ab -q -n "$REQS" -c "$c" -p "$dir/body.json" -T application/json "http://127.0.0.1:$port/webhook/bench")
    rps=$(echo "$out" | awk '/Requests per second/ {print $4}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    failed=$(echo "$out" | awk '/Failed requests/ {print $3}')
    printf '%6s %12s %9s %9s   (failed: %s)\n' "$c" "$rps" "$p50" "$p99" "$failed"
    echo "$c $rps $p50 $p99" >>"$results/$label"
  done
  echo "peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$pid/status)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  rm -rf "$dir"
}

if [ -n "${BASELINE_BIN:-}" ]; then
  bench_agente "$BASELINE_BIN" baseline
  echo
fi
bench_agente "$bin" Agente
if [ -n "${BASELINE_BIN:-}" ]; then
  echo; echo "this build / baseline"
  paste -d' ' "$results/Agente" "$results/baseline" | awk '{printf "  c=%-4s req/s x%.2f   p50 %s vs %s ms   p99 %s vs %s ms\n", $1, $2/$6, $3, $7, $4, $8}'
fi

if [ "${RUN_N8N:-0}" = 1 ]; then
  echo; echo "n8n, same workload (peer script):"
  REQS=$REQS CONCS=$CONCS bash ../shared/peers/n8n.sh
fi
