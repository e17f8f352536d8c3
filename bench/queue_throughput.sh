#!/usr/bin/env bash
# Jobs per second through the Redis queue against BullMQ on the same Redis, in one command:
# for each job kind (noop, small) and worker count (1, 4), Agente's queue
# (shared/jobs/examples/queue_bench.rs) and then BullMQ (bench/bullmq/bench.mjs) enqueue
# JOBS jobs and drain them with workers of CONCURRENCY slots, ROUNDS times in turn; the
# table shows the median rates and the ratio Agente/BullMQ. Both keep at-least-once
# delivery (leases / lock renewal), retries, and remove done jobs.
# Usage: JOBS=20000 CONCURRENCY=16 ROUNDS=3 bench/queue_throughput.sh   (Redis on REDIS_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-20000}
CONCURRENCY=${CONCURRENCY:-16}
ROUNDS=${ROUNDS:-3}
REDIS=${REDIS_URL:-redis://127.0.0.1:6379}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/agente/target}

cargo build -q --release -p agente-jobs --example queue_bench
[ -d bench/bullmq/node_modules/bullmq ] ||
  (cd bench/bullmq && npm ci --no-audit --no-fund --omit-lockfile-registry-resolved >/dev/null)
agente="$CARGO_TARGET_DIR/release/examples/queue_bench"

field() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/" <<<"$2"; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
printf '%-6s %-7s | %12s %12s %6s | %12s %12s %6s\n' kind workers \
  "enq/s agente" "enq/s bullmq" ratio "run/s agente" "run/s bullmq" ratio
for kind in noop small; do
  for workers in 1 4; do
    args=(--jobs "$JOBS" --workers "$workers" --concurrency "$CONCURRENCY" --kind "$kind" --redis "$REDIS")
    ae=() be=() ap=() bp=()
    for _ in $(seq "$ROUNDS"); do
      a=$("$agente" "${args[@]}")
      b=$(node bench/bullmq/bench.mjs "${args[@]}")
      for r in "$a" "$b"; do
        [ "$(field left_in_queue "$r")" = 0 ] || { echo "jobs left over: $r" >&2; exit 1; }
      done
      ae+=("$(field enqueue_per_s "$a")") be+=("$(field enqueue_per_s "$b")")
      ap+=("$(field process_per_s "$a")") bp+=("$(field process_per_s "$b")")
    done
    e1=$(median "${ae[@]}") e2=$(median "${be[@]}") p1=$(median "${ap[@]}") p2=$(median "${bp[@]}")
    printf '%-6s %-7s | %12.0f %12.0f %5.2fx | %12.0f %12.0f %5.2fx\n' "$kind" "$workers" \
      "$e1" "$e2" "$(bc -l <<<"$e1/$e2")" "$p1" "$p2" "$(bc -l <<<"$p1/$p2")"
  done
done
