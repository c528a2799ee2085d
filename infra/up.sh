#!/usr/bin/env bash
# README command 1: brings the whole shop up locally on http://127.0.0.1:3000 (SHOP_PORT).
# Installs what it needs, builds every function, starts the AWS stand-in, creates the resources
# of template.yaml, seeds the demo catalog and serves the API. Ctrl-C stops everything.
# Extra arguments go to the stack: see `.venv/bin/python -m shopstack --help` (from infra/).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
infra/bootstrap.sh
cargo build --workspace --bins
cd infra
exec "$ROOT/.venv/bin/python" -m shopstack --bin-dir "$ROOT/target/debug" "$@"
