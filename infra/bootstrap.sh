#!/usr/bin/env bash
# Installs everything the local stack, the tests and deployment builds need, inside the clone:
# a Python virtual environment (.venv) with the pinned tools of infra/requirements.txt, and the
# Rust components and targets. Safe to run again: it only does what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/infra/requirements.txt"

stamp="$VENV/.installed-$(sha256sum "$REQ" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing Python tools into .venv (moto, pytest, cfn-lint, sam-cli, cargo-lambda)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

if command -v rustup >/dev/null 2>&1; then
  installed="$(rustup component list --installed 2>/dev/null || true)"
  for component in rustfmt clippy; do
    grep -q "^$component" <<<"$installed" || rustup component add "$component"
  done
  # Deployable builds are arm64 (cargo lambda build --arm64); the local stack runs natively.
  if ! rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$'; then
    rustup target add aarch64-unknown-linux-gnu \
      || echo "bootstrap: could not add the arm64 target; only deployment builds need it"
  fi
fi
