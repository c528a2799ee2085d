"""Migration waves: the local stack on release binaries; a small wave of N accounts taken
through T-14, T-1 and T-0 by the daily job and its worker (DynamoDB and SQS calls per account and
stage, and per moved account, counted by operation at the AWS stand-in), then the job alone
fanning out a wave of 10,000 accounts (one Query per page of due accounts, SendMessageBatch of
ten, no scans). Rows are written as docs/data-model.md fixes them ("Migration waves"), as the
import route writes them. Prints figures only. Run through infra/bench.sh; `--smoke` (3 accounts,
a fan-out of 30, any build) is what infra/bench-smoke.sh runs in the test command.
"""

import datetime as dt
import json
import time

import boto3

from _stack import Stack, bench_args, call, settled, wait

STAGES = [("announce", -14), ("remind", -1), ("move + welcome", 0)]


def per(calls, prefix, n):
    return {k.split(".")[-1]: round(v / n, 2) for k, v in sorted(calls.items()) if k.startswith(prefix)}


def record(old_id):
    return {
        "old_id": old_id, "email": f"{old_id.lower()}@example.de", "name": "Anna Berg", "country": "DE",
        "language": "de", "payment": {"method": "card", "customer": "cus_bench", "payment_method": "pm_card_visa"},
        "licenses": [
            {"number": "S-1", "product": "alarm-team", "quantity": 5, "term_start": "2026-06-01",
             "term_end": "2099-05-31", "auto_renew": True, "status": "active", "kind": "subscription"},
            {"number": "S-2", "product": "alarm-solo", "quantity": 1, "term_start": "2026-01-01",
             "term_end": "2099-12-31", "auto_renew": False, "status": "active", "kind": "annual"}],
        "orders": [{"number": f"{old_id}/1", "license": "S-1", "date": "2026-06-01",
                    "lines": [{"product": "alarm-team", "quantity": 5, "net": "240.00"}],
                    "net": "240.00", "tax": "45.60", "gross": "285.60"}],
    }


def put_wave(table, wave, transfer, n, prefix, next_stage="announce"):
    """The wave and its `n` accounts in the announcement's partition, as the import writes them;
    `next_stage="done"` leaves the worker nothing to do for them (the job alone is measured)."""
    doc = {"id": wave, "name": f"Bench {wave}", "transfer_date": str(transfer), "status": "active"}
    with table.batch_writer() as batch:
        batch.put_item(Item={"pk": f"WAVE#{wave}", "sk": "WAVE", "wave": json.dumps(doc), "status": "active",
                             "version": 1, "created_at": 1790000000, "n_imported": n, "gsi1pk": "WAVES",
                             "gsi1sk": f"1790000000000#{wave}"})
        for i in range(n):
            old = f"{prefix}{i:06d}"
            batch.put_item(Item={"pk": f"WAVE#{wave}", "sk": f"ACCT#{old}", "account": json.dumps(record(old)),
                                 "next_stage": next_stage, "stages": {}, "gsi2pk": f"MIGRATION#{wave}#announce",
                                 "gsi2sk": old})


def main():
    args = bench_args(__doc__, "bench-migration", "3 accounts, a fan-out of 30 (figures only)",
                      accounts=(50, 3, "accounts taken through every stage"),
                      fan_out=(10_000, 30, "accounts of the wave the job alone fans out"))
    with Stack(args.bin_dir, args.state_dir) as stack:
        run(stack, args)


def run(stack, args):
    url, aws = stack.url, stack.aws
    table = boto3.resource("dynamodb", **aws).Table("ShopTable")
    sqs = boto3.client("sqs", **aws)
    queues = stack.queue_urls(sqs, "MigrationQueue", "MailQueue")
    today = dt.date.fromisoformat(call(url, "/_local/clock")["now"][:10])
    transfer = today + dt.timedelta(days=30)
    n = args.accounts
    put_wave(table, "bench-small", transfer, n, "S")
    print(f"migration wave of {n} accounts (one subscription that moves, one annual license that stays, one order)")
    for name, offset in STAGES:
        call(url, "/_local/clock", {"set": f"{transfer + dt.timedelta(days=offset)}T05:00:00Z"})
        mails = stack.mails()
        stack.count_calls()
        started = time.time()
        summary = stack.run_schedule("DailyMigration")
        wait(lambda: stack.mails() >= mails + n, what=f"the {name} emails")
        wait(lambda: settled(sqs, queues), what="the queues to drain")
        took = time.time() - started
        calls = stack.calls()
        dynamo = sum(v for k, v in calls.items() if k.startswith("DynamoDB"))
        print(f"  {name}: {summary['due']} accounts in {took:.1f} s; job: {summary['queries']} queries, "
              f"{summary['sqs_calls']} SendMessageBatch calls")
        print(f"    DynamoDB calls per account: {per(calls, 'DynamoDB', n)} (total {dynamo / n:.1f})")
        sends = {k: v for k, v in calls.items() if k.startswith("AmazonSQS.Send")}
        print(f"    SQS sends per account (job, worker and mail; polling not counted): {per(sends, 'AmazonSQS', n)}")
        if calls.get("DynamoDB_20120810.Scan"):
            raise SystemExit("a stage scanned the table")

    # The job alone, for a large wave at its announcement day (the small wave is done by then;
    # the worker finds nothing to do for these rows, so it does not compete for the stand-in).
    big = args.fan_out
    day = transfer + dt.timedelta(days=60)
    put_wave(table, "bench-large", day + dt.timedelta(days=14), big, "L", next_stage="done")
    summary, took, calls = stack.job_alone("DailyMigration", f"{day}T05:00:00Z")
    if summary["due"] < big:
        raise SystemExit(f"the job found {summary['due']} due accounts; {big} were written")
    print(f"fan-out: {summary['due']} accounts of a wave enqueued in {took:.1f} s")
    print(f"  {summary['queries']} queries ({calls.get('DynamoDB_20120810.Query', 0)} Query calls counted, "
          f"the worker's included), {summary['sqs_calls']} SendMessageBatch calls "
          f"({summary['due'] / max(summary['sqs_calls'], 1):.1f} messages per call), "
          f"{calls.get('DynamoDB_20120810.Scan', 0)} scans")


if __name__ == "__main__":
    main()
