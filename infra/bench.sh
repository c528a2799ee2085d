#!/usr/bin/env bash
# Benchmarks (figures only, never a pass/fail): builds the release profile natively and runs
# every benchmark of infra/bench/ at full size: the cold start of every function beside a bare
# lambda_runtime hello-world, the sign-in latency, and the renewal job's fan-out and cost per
# renewal, the inverter import's parse and check of a 1,000-row .xlsx (bench-import), telemetry
# ingest end to end (200 inverters x 12 readings per request) and the CPU of one warm telemetry
# instance (telemetry_instance.py), the import of a migration wave of
# 10,000 accounts (migration_import.py), and the migration waves' calls per account and stage
# and the job's fan-out of 10,000 accounts.
# infra/bench-smoke.sh runs the same scripts at their smallest size (in infra/test.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
infra/bootstrap.sh
cargo build --release --workspace --bins --locked
for bench in infra/bench/[!_]*.py; do
  echo
  "$ROOT/.venv/bin/python" "$bench" --bin-dir "$ROOT/target/release"
done
