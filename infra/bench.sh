#!/usr/bin/env bash
# Benchmarks (figures only, never a pass/fail): builds the release profile natively and runs the
# cold-start benchmark for every function beside a bare lambda_runtime hello-world, the sign-in
# latency, and the renewal job's fan-out and cost per renewal.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
infra/bootstrap.sh
cargo build --release --workspace --bins --locked
"$ROOT/.venv/bin/python" infra/bench/coldstart.py --bin-dir "$ROOT/target/release"
echo
"$ROOT/.venv/bin/python" infra/bench/signin.py --bin-dir "$ROOT/target/release"
echo
"$ROOT/.venv/bin/python" infra/bench/renewals.py --bin-dir "$ROOT/target/release"
