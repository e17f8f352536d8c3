#!/usr/bin/env bash
# Compile times of the server binary (release, CARGO_INCREMENTAL=0 as CI builds) for one or
# more revisions, one after the other in one command so that the figures share a machine:
#   clean        a fresh target directory;
#   engine edit  then a change to an engine node's source (what a feature in the engine costs).
# Each revision builds in its own worktree and target directory, removed afterwards. Run it on
# an otherwise idle machine: it measures seconds.
# Usage: bench/build_times.sh [REV...]    (default: HEAD)
set -euo pipefail
cd "$(dirname "$0")/.."
revs=("$@")
[ ${#revs[@]} -gt 0 ] || revs=(HEAD)
work=$(mktemp -d)
cleanup() {
  for d in "$work"/tree-*; do [ -d "$d" ] && git worktree remove --force "$d" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never
build() { # build TREE TARGET: seconds of one release build of the binary
  local start=$SECONDS
  (cd "$1" && CARGO_TARGET_DIR=$2 cargo build -q --package=agente-server --bin=agente \
    --no-default-features --release) >&2
  echo $((SECONDS - start))
}
# The first of the paths that exists in TREE (the engine moved between crates).
first_of() { local tree=$1; shift; for p in "$@"; do [ -f "$tree/$p" ] && { echo "$tree/$p"; return; }; done; return 1; }

printf '%-12s %8s %12s\n' revision clean "engine edit"
for rev in "${revs[@]}"; do
  tree="$work/tree-$rev" target="$work/target-$rev"
  git worktree add -q --detach "$tree" "$rev"
  clean=$(build "$tree" "$target")
  node=$(first_of "$tree" shared/engine/src/nodes/code.rs shared/workflows/src/engine/nodes/code.rs)
  echo "// edited by bench/build_times.sh" >>"$node"
  engine=$(build "$tree" "$target")
  printf '%-12s %7ss %11ss\n' "$(git rev-parse --short "$rev")" "$clean" "$engine"
  rm -rf "$target"
done
