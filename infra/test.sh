#!/usr/bin/env bash
# README command 2: every check and every test, as CI runs them (.ci/run calls this).
# Installs what it needs, starts the local stack (and with it the AWS stand-in) on free ports,
# runs format and lint checks, template checks, Rust unit/property/adapter/handler tests
# against the stand-in, the end-to-end scenarios over HTTP and a short soak (SOAK_MINUTES) that
# holds the stand-in's memory under a ceiling; stops what it started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
step() { printf '\n==> %s\n' "$*"; }

step "bootstrap"
infra/bootstrap.sh
PY="$ROOT/.venv/bin/python"
export PATH="$ROOT/.venv/bin:$PATH"

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "template: cfn-lint and sam validate --lint"
cfn-lint template.yaml
AWS_DEFAULT_REGION=eu-central-1 AWS_ACCESS_KEY_ID=lint AWS_SECRET_ACCESS_KEY=lint SAM_CLI_TELEMETRY=0 \
  sam validate --lint --template-file template.yaml

step "build"
cargo build --workspace --bins --locked

step "start the local stack"
# Below the ephemeral range, where no outgoing connection can take it first (infra/shopstack/ports.py).
free_port() { (cd infra && "$PY" -m shopstack.ports); }
SHOP_PORT="$(free_port)"
MOTO_PORT="$(free_port)"
SANDBOX_PORT="$(free_port)"
STATE="$ROOT/.local/test"
rm -rf "$STATE" && mkdir -p "$STATE"
(cd infra && exec "$PY" -m shopstack --port "$SHOP_PORT" --moto-port "$MOTO_PORT" --sandbox-port "$SANDBOX_PORT" \
  --bin-dir "$ROOT/target/debug" --state-dir "$STATE") >"$STATE/stack.log" 2>&1 &
STACK_PID=$!
stop_stack() {
  status=$?
  if kill -0 "$STACK_PID" 2>/dev/null; then
    kill -TERM "$STACK_PID" 2>/dev/null || true
    wait "$STACK_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    echo "--- last lines of the local stack's log ($STATE/stack.log) ---"
    tail -n 40 "$STATE/stack.log" || true
  fi
  exit "$status"
}
trap stop_stack EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$SHOP_PORT/_local/health" >/dev/null 2>&1 && break
  kill -0 "$STACK_PID" 2>/dev/null || { echo "the local stack did not start"; exit 1; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$SHOP_PORT/_local/health" >/dev/null

export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_REGION=eu-central-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
export SHOP_URL="http://127.0.0.1:$SHOP_PORT" SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
export SHOP_TOOLS="$ROOT/target/debug/shop-tools" SHOP_TOOLS_ENV="$STATE/tools.env"

step "Rust tests: domain, adapters and handlers against the stand-in"
cargo test --workspace --locked

step "end-to-end scenarios over HTTP"
"$PY" -m pytest tests -q -p no:cacheprovider

# Mixed traffic on the same stack for SOAK_MINUTES (CI: 1.5); fails if the stand-in's memory
# goes over SOAK_CEILING_MIB or any request answers 5xx (docs/local-stack.md, "Memory").
step "soak: ${SOAK_MINUTES:-1.5} minutes of mixed traffic, the stand-in's memory bounded"
"$PY" infra/soak.py --minutes "${SOAK_MINUTES:-1.5}"

step "benchmarks at their smallest size (figures only; a broken benchmark fails)"
infra/bench-smoke.sh "$ROOT/target/debug"

step "all checks passed"
