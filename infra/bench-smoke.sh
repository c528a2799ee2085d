#!/usr/bin/env bash
# Every benchmark of infra/bench/ once at its smallest size (`--smoke`): figures printed, no
# timing asserted, so a benchmark that no longer runs fails the test command (infra/test.sh)
# instead of rotting until the next `infra/bench.sh`. Uses binaries already built (debug by
# default); each benchmark that needs the local stack starts its own on free ports.
#
#   infra/bench-smoke.sh [BIN_DIR]        # default: target/debug
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN_DIR="$(cd "${1:-$ROOT/target/debug}" && pwd)"
PY="$ROOT/.venv/bin/python"
export BENCH_STATE_DIR="$ROOT/.local/bench-smoke"
rm -rf "$BENCH_STATE_DIR" && mkdir -p "$BENCH_STATE_DIR"

failed=()
for bench in infra/bench/[!_]*.py; do
  printf '\n--- %s --smoke\n' "$bench"
  started=$SECONDS
  if "$PY" "$bench" --bin-dir "$BIN_DIR" --smoke; then
    echo "(${bench}: $((SECONDS - started)) s)"
  else
    failed+=("$bench")
  fi
done
if [ "${#failed[@]}" -ne 0 ]; then
  printf '\nbenchmarks that failed: %s (state and stack logs in %s)\n' "${failed[*]}" "$BENCH_STATE_DIR" >&2
  exit 1
fi
printf '\nevery benchmark ran at its smallest size\n'
