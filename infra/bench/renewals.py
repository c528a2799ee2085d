"""Renewal fan-out: the local stack on release binaries; N real subscriptions bought and
renewed by the daily job (DynamoDB, SQS and provider work per renewal, counted by operation at
the AWS stand-in), then 10,000 due licenses fanned out (queries per due day, SQS calls in
batches of ten). Prints figures only. Run through infra/bench.sh.
"""

import argparse
import copy
import datetime as dt
import html
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, path, body=None, method=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method or ("POST" if data else "GET"), headers=headers or {})
    if data:
        req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=900) as r:
        return json.loads(r.read() or b"null")


def wait(check, seconds=600):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit("timed out")


def per(calls, prefix, n):
    return {k.split(".")[-1]: round(v / n, 2) for k, v in sorted(calls.items()) if k.startswith(prefix)}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    p.add_argument("--renewals", type=int, default=20)
    p.add_argument("--fan-out", type=int, default=10_000)
    args = p.parse_args()
    port, moto, sandbox = free_port(), free_port(), free_port()
    state = ROOT / ".local" / "bench-renewals"
    stack = subprocess.Popen(
        [sys.executable, "-m", "shopstack", "--port", str(port), "--moto-port", str(moto), "--sandbox-port", str(sandbox),
         "--bin-dir", args.bin_dir, "--state-dir", str(state)],
        cwd=ROOT / "infra", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url, moto_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto}"
    aws = dict(endpoint_url=moto_url, region_name="eu-central-1", aws_access_key_id="test", aws_secret_access_key="test")
    try:
        wait(lambda: _ok(url + "/_local/health"), 120)
        email, password = "bench-renewals@example.de", "Sonne#2026x"
        call(url, "/v1/accounts", {"email": email, "name": "Bench", "country": "DE", "password": password,
                                   "accept_terms": True, "accept_privacy": True})
        mail = wait(lambda: call(url, f"/_local/outbox?to={email}")["messages"])
        token = re.search(r"token=([0-9a-f]{64})", html.unescape(mail[-1]["body"])).group(1)
        call(url, "/v1/accounts/verify-email", {"token": token})
        access = call(url, "/v1/sessions", {"email": email, "password": password})["access_token"]
        auth = {"authorization": f"Bearer {access}"}
        subs = []
        for i in range(args.renewals):
            order = call(url, "/v1/checkout", {"lines": [{"product_id": "alarm-solo", "quantity": 1, "holder_email": f"h{i}@example.de"}],
                                               "payment": {"method": "card", "token": "pm_card_visa"}, "accept_terms": True},
                         headers={**auth, "idempotency-key": f"bench-{i}"})
            subs.append(order["lines"][0]["subscription_id"])
        first = wait(lambda: _confirmed(url, subs[-1], auth))
        renewal_day = dt.date.fromisoformat(first["period"]["ends_on"]) + dt.timedelta(days=1)
        call(url, "/_local/clock", {"set": f"{renewal_day}T08:00:00Z"})
        sqs = boto3.client("sqs", **aws)
        queue = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("/RenewalQueue"))

        call(moto_url, "/_shop/calls", method="DELETE")
        started = time.time()
        summary = call(url, "/_local/schedules/DailyRenewals/run", method="POST")["result"]
        wait(lambda: _drained(sqs, queue) and _drained(sqs, _mail_queue(sqs)))
        took = time.time() - started
        calls = call(moto_url, "/_shop/calls")["calls"]
        n = args.renewals
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
        print(f"fan-out: {summary['due']} due licenses enqueued in {took:.1f} s")
        print(f"  {summary['queries']} due-day queries ({calls.get('DynamoDB_20120810.Query', 0)} Query calls with pages), "
              f"{summary['sqs_calls']} SendMessageBatch calls ({summary['due'] / max(summary['sqs_calls'], 1):.1f} messages per call), "
              f"0 scans ({calls.get('DynamoDB_20120810.Scan', 0)} seen)")
    finally:
        stack.terminate()
        try:
            stack.wait(10)
        except subprocess.TimeoutExpired:
            stack.kill()


def _ok(url):
    try:
        urllib.request.urlopen(url, timeout=1).read()
        return True
    except OSError:
        return False


def _confirmed(url, sub, auth):
    try:
        s = call(url, f"/v1/subscriptions/{sub}", headers=auth)
    except OSError:
        return None
    return s if s["status"] == "active" else None


def _mail_queue(sqs):
    return next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("/MailQueue"))


def _drained(sqs, queue):
    a = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"]) == 0


if __name__ == "__main__":
    main()
