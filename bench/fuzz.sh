#!/usr/bin/env bash
# Runs each fuzz target (fuzz/) for a while: n8n import and expression templates.
# Needs cargo-fuzz (installed here if missing). libFuzzer instrumentation needs unstable
# flags, which the stable toolchain allows with RUSTC_BOOTSTRAP=1 for this build only.
# Usage: bench/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in import expressions; do
  echo "== fuzzing $target for ${secs}s"
  mkdir -p "fuzz/corpus/$target"
  # New inputs go to fuzz/corpus (not committed); fuzz/seeds holds the committed starting set.
  cargo fuzz run --sanitizer none "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- -max_total_time="$secs" -max_len=65536
done
