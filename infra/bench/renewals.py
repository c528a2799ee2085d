"""Renewal fan-out: the local stack on release binaries; N real subscriptions bought and
renewed by the daily job (DynamoDB, SQS and provider work per renewal, counted by operation at
the AWS stand-in), then 10,000 due licenses fanned out (queries per due day, SQS calls in
batches of ten). Prints figures only. Run through infra/bench.sh; `--smoke` (1 renewal, a
fan-out of 10, any build) is what infra/bench-smoke.sh runs in the test command.
"""

import copy
import datetime as dt
import json
import time

import boto3

from _stack import Stack, bench_args, call, settled, validated_account, wait


def per(calls, prefix, n):
    return {k.split(".")[-1]: round(v / n, 2) for k, v in sorted(calls.items()) if k.startswith(prefix)}


def main():
    args = bench_args(__doc__, "bench-renewals", "1 renewal, a fan-out of 10 (figures only)",
                      renewals=(20, 1), fan_out=(10_000, 10))
    with Stack(args.bin_dir, args.state_dir) as stack:
        run(stack, args)


def run(stack, args):
    url, aws = stack.url, stack.aws
    access = validated_account(url, "bench-renewals@example.de")
    auth = {"authorization": f"Bearer {access}"}
    subs = []
    for i in range(args.renewals):
        order = call(url, "/v1/checkout", {"lines": [{"product_id": "alarm-solo", "quantity": 1, "holder_email": f"h{i}@example.de"}],
                                           "payment": {"method": "card", "token": "pm_card_visa"}, "accept_terms": True},
                     headers={**auth, "idempotency-key": f"bench-{i}"})
        subs.append(order["lines"][0]["subscription_id"])
    first = wait(lambda: _confirmed(url, subs[-1], auth), what="the last order's confirmation")
    renewal_day = dt.date.fromisoformat(first["period"]["ends_on"]) + dt.timedelta(days=1)
    call(url, "/_local/clock", {"set": f"{renewal_day}T08:00:00Z"})
    sqs = boto3.client("sqs", **aws)
    queues = stack.queue_urls(sqs, "RenewalQueue", "MailQueue")

    mails = stack.mails()
    stack.count_calls()
    started = time.time()
    summary = stack.run_schedule("DailyRenewals")
    # Done when every renewal's confirmation was sent (the webhook that confirms arrives after
    # the worker's charge, so empty queues alone can be a moment too early) and both queues
    # stay empty.
    wait(lambda: stack.mails() >= mails + args.renewals, what="the renewal confirmations")
    took = time.time() - started
    wait(lambda: settled(sqs, queues), what="the queues to drain")
    calls = stack.calls()
    n = args.renewals
    if summary["due"] < n:
        raise SystemExit(f"the renewal job found {summary['due']} due licenses; {n} were bought to renew")
    print(f"renewals: {n} subscriptions renewed in {took:.1f} s (job, worker, provider sandbox, webhook, mail)")
    print(f"  job: {summary['queries']} due-day queries, {summary['sqs_calls']} SQS SendMessageBatch calls for {summary['due']} due")
    print(f"  DynamoDB calls per renewal: {per(calls, 'DynamoDB', n)}")
    print(f"  total DynamoDB calls per renewal: {sum(v for k, v in calls.items() if k.startswith('DynamoDB')) / n:.1f}")
    sends = {k: v for k, v in calls.items() if k.startswith("AmazonSQS.Send")}
    print(f"  SQS sends per renewal (job and worker; polling by the event source not counted): {per(sends, 'AmazonSQS', n)}")

    # Fan-out: the job alone, for many due licenses (they have auto-renew off: the worker
    # only ends them, so the figure is about the job).
    table = boto3.resource("dynamodb", **aws).Table("ShopTable")
    template = json.loads(table.get_item(Key={"pk": f"SUB#{subs[0]}", "sk": "SUB"})["Item"]["subscription"])
    day = renewal_day + dt.timedelta(days=400)
    with table.batch_writer() as batch:
        for i in range(args.fan_out):
            sub = copy.deepcopy(template)
            sub["id"] = f"bench-{i}"
            sub["auto_renew"] = False
            sub["due_on"] = str(day)
            batch.put_item(Item={"pk": f"SUB#bench-{i}", "sk": "SUB", "subscription": json.dumps(sub), "version": 1,
                                 "duepk": f"DUE#{day}", "duesk": f"bench-{i}"})
    summary, took, calls = stack.job_alone("DailyRenewals", f"{day}T08:00:00Z")
    if summary["due"] < args.fan_out:
        raise SystemExit(f"the renewal job found {summary['due']} due licenses; {args.fan_out} were written")
    print(f"fan-out: {summary['due']} due licenses enqueued in {took:.1f} s")
    print(f"  {summary['queries']} due-day queries ({calls.get('DynamoDB_20120810.Query', 0)} Query calls with pages), "
          f"{summary['sqs_calls']} SendMessageBatch calls ({summary['due'] / max(summary['sqs_calls'], 1):.1f} messages per call), "
          f"{calls.get('DynamoDB_20120810.Scan', 0)} scans")


def _confirmed(url, sub, auth):
    try:
        s = call(url, f"/v1/subscriptions/{sub}", headers=auth)
    except OSError:
        return None
    return s if s["status"] == "active" else None


if __name__ == "__main__":
    main()
