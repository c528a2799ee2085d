"""The import of a migration wave: N generated accounts of the old shop's export (one
auto-renewing subscription with its order each, as most real accounts are) streamed by
`shop-tools migration-import` through `POST /v1/admin/migration/waves/{id}/accounts` in chunks
of 1,000 on a local stack. Prints the time of the whole import and the DynamoDB calls it made
(counted by operation at the stand-in), per account and in total, then the same for importing
the file again (every account unchanged). Figures only. Run through infra/bench.sh (10,000
accounts, release); `--smoke` (20 accounts, chunks of 8) is what infra/bench-smoke.sh runs.
"""

import json
import subprocess
import time
import uuid
from pathlib import Path

from _stack import Stack, bench_args, call, validated_account


def main():
    args = bench_args(__doc__, "bench-migration", "20 accounts in chunks of 8", None,
                      accounts=(10_000, 20), chunk=(1_000, 8))
    state = Path(args.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    export = state / f"export-{args.accounts}.jsonl"
    tag = uuid.uuid4().hex[:6]
    with open(export, "w", encoding="utf-8") as f:
        for i in range(args.accounts):
            f.write(json.dumps(account(f"B{tag}-{i:06d}")) + "\n")
    with Stack(args.bin_dir, state / "stack") as stack:
        env = operator_env(stack, args)
        wave = call(stack.url, "/v1/admin/migration/waves", {"name": "Bench", "transfer_date": "2099-01-01"},
                    headers={"authorization": f"Bearer {env['SHOP_TOKEN']}"})["id"]
        print(f"migration import: {args.accounts} generated accounts ({export.stat().st_size} bytes), chunks of "
              f"{args.chunk}, binaries from {args.bin_dir}")
        for what in ("first import", "the same file again (all unchanged)"):
            elapsed, dynamo, out = run(stack, env, args, wave, export)
            total = sum(dynamo.values())
            print(f"  {what}: {elapsed:.1f} s ({elapsed / args.accounts * 1000:.2f} ms per account)   {out}")
            print(f"    DynamoDB calls: {dynamo}, {total} in all, {total / args.accounts:.3f} per account")


def account(old_id):
    return {
        "old_id": old_id, "email": f"{old_id.lower()}@example.de", "name": "Bench Customer", "country": "DE",
        "language": "de", "payment": {"method": "card", "customer": f"cus_{old_id}", "payment_method": "pm_card_visa"},
        "licenses": [{"number": f"A-{old_id}", "product": "alarm-team", "quantity": 5, "term_start": "2026-06-01",
                      "term_end": "2027-05-31", "auto_renew": True, "status": "active", "kind": "subscription"}],
        "orders": [{"number": f"B-{old_id}", "license": f"A-{old_id}", "date": "2026-06-01",
                    "lines": [{"product": "alarm-team", "quantity": 5, "net": "240.00"}],
                    "net": "240.00", "tax": "45.60", "gross": "285.60"}],
    }


def operator_env(stack, args):
    """The tool's environment with an operator's token: an account, the role, a new sign-in."""
    email = f"bench-ops-{uuid.uuid4().hex[:8]}@example.de"
    validated_account(stack.url, email)
    env = stack.tools_env()
    tools = str(Path(args.bin_dir).resolve() / "shop-tools")
    subprocess.run([tools, "grant-role", email, "operator"], env=env, check=True, capture_output=True)
    token = call(stack.url, "/v1/sessions", {"email": email, "password": "Sonne#2026x"})["access_token"]
    env.update(SHOP_URL=stack.url, SHOP_TOKEN=token, MIGRATION_IMPORT_CHUNK=str(args.chunk), SHOP_TOOLS=tools)
    return env


def run(stack, env, args, wave, export):
    stack.count_calls()
    started = time.perf_counter()
    out = subprocess.run([env["SHOP_TOOLS"], "migration-import", wave, str(export)], env=env, check=True,
                         capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - started
    calls = stack.calls()
    dynamo = {k.split(".")[-1]: v for k, v in sorted(calls.items()) if k.startswith("DynamoDB")}
    return elapsed, dynamo, out.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    main()
