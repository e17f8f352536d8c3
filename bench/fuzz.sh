#!/usr/bin/env bash
# Runs each fuzz target (fuzz/) for a while: n8n import, expression templates, workflow
# settings. Needs cargo-fuzz (installed here if missing). libFuzzer instrumentation needs
# unstable flags, which the stable toolchain allows with RUSTC_BOOTSTRAP=1 for this build only.
# Usage: bench/fuzz.sh [seconds per target, default 60] [--ci]
#   --ci: a fixed seed, the committed seeds as the only corpus, nothing kept (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
ci=${2:-}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in import expressions settings; do
  echo "== fuzzing $target for ${secs}s"
  if [ "$ci" = "--ci" ]; then
    corpus=$(mktemp -d)
    cargo fuzz run --sanitizer none "$target" "$corpus" "fuzz/seeds/$target" -- \
      -max_total_time="$secs" -max_len=65536 -seed=1 -print_final_stats=1 2>&1 | tail -20
    rm -rf "$corpus"
  else
    # New inputs go to fuzz/corpus (not committed); fuzz/seeds holds the committed starting set.
    mkdir -p "fuzz/corpus/$target"
    cargo fuzz run --sanitizer none "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- -max_total_time="$secs" -max_len=65536
  fi
done
