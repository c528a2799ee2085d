"""Renewal fan-out: the local stack on release binaries; N real subscriptions bought and
renewed by the daily job (DynamoDB, SQS and provider work per renewal, counted by operation at
the AWS stand-in), then 10,000 due licenses fanned out (queries per due day, SQS calls in
batches of ten). Prints figures only. Run through infra/bench.sh; `--smoke` (1 renewal, a
fan-out of 10, any build) is what infra/bench-smoke.sh runs in the test command.
"""

import argparse
import copy
import datetime as dt
import json
import time

import boto3

from _stack import ROOT, Stack, state_root, call, settled, validated_account, wait


def per(calls, prefix, n):
    return {k.split(".")[-1]: round(v / n, 2) for k, v in sorted(calls.items()) if k.startswith(prefix)}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    p.add_argument("--state-dir", default=str(state_root() / "bench-renewals"), help="the stack's logs and clock")
    p.add_argument("--renewals", type=int, default=20)
    p.add_argument("--fan-out", type=int, default=10_000)
    p.add_argument("--smoke", action="store_true", help="smallest size: 1 renewal, a fan-out of 10 (figures only)")
    args = p.parse_args()
    if args.smoke:
        args.renewals, args.fan_out = 1, 10
    with Stack(args.bin_dir, args.state_dir) as stack:
        run(stack, args)


def run(stack, args):
    url, moto_url = stack.url, stack.moto_url
    aws = dict(endpoint_url=moto_url, region_name="eu-central-1", aws_access_key_id="test", aws_secret_access_key="test")
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
    queue = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("/RenewalQueue"))

    mails = len(call(url, "/_local/outbox")["messages"])
    call(moto_url, "/_shop/calls", method="DELETE")
    started = time.time()
    summary = call(url, "/_local/schedules/DailyRenewals/run", method="POST")["result"]
    # Done when every renewal's confirmation was sent (the webhook that confirms arrives after
    # the worker's charge, so empty queues alone can be a moment too early) and both queues
    # stay empty.
    wait(lambda: len(call(url, "/_local/outbox")["messages"]) >= mails + args.renewals, what="the renewal confirmations")
    took = time.time() - started
    wait(lambda: settled(sqs, [queue, _mail_queue(sqs)]), what="the queues to drain")
    calls = call(moto_url, "/_shop/calls")["calls"]
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
    call(url, "/_local/clock", {"set": f"{day}T08:00:00Z"})
    call(moto_url, "/_shop/calls", method="DELETE")
    started = time.time()
    summary = call(url, "/_local/schedules/DailyRenewals/run", method="POST")["result"]
    took = time.time() - started
    calls = call(moto_url, "/_shop/calls")["calls"]
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


def _mail_queue(sqs):
    return next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("/MailQueue"))


if __name__ == "__main__":
    main()
