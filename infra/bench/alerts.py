"""The alert job for many plants: the local stack on release binaries; N plants with alerts on
(two 10 kW inverters each, in their trial, telemetry fresh and on forecast: the common case,
nothing to send), written straight into the stand-in's tables; then one run of the 15-minute
job (`AlertSchedule`) and its worker until the alert queue is drained. AWS calls counted by
operation at the stand-in: the job's (index queries, SendMessageBatch) and the worker's per
plant. Prints figures only. Run through infra/bench.sh (10,000 plants); `--smoke` (10 plants,
any build) is what infra/bench-smoke.sh runs in the test command.
"""

import json
import time

import boto3

from _stack import Stack, bench_args, call, settled, validated_account, wait

DAY, YESTERDAY = "2027-06-15", "2027-06-14"
NOON_UTC = f"{DAY}T10:00:00Z"
SHARDS = 16


def shard(plant_id):
    """The index shard of a plant, as shop_adapters::store::alerts::shard_of computes it."""
    h = 0x811C9DC5
    for b in plant_id.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h % SHARDS


def main():
    args = bench_args(__doc__, "bench-alerts", "10 plants (figures only)", plants=(10_000, 10))
    with Stack(args.bin_dir, args.state_dir) as stack:
        run(stack, args)


def write_plants(aws, account_id, n):
    shop = boto3.resource("dynamodb", **aws).Table("ShopTable")
    telemetry = boto3.resource("dynamodb", **aws).Table("TelemetryTable")
    details = json.dumps({
        "name": "Roof east", "description": "", "module_name": "", "country": "DE", "postal_code": "72555",
        "city": "Metzingen", "latitude": "48.5369", "longitude": "9.2833", "temperature_coefficient": "-0.45",
        "azimuth": "180", "tilt": "30", "module_area": "52.5", "feed_in_tariff": "0.0823", "type": "pv", "public": False})
    settings = json.dumps({"no_data": {"enabled": True, "window_minutes": 60},
                           "underperformance": {"enabled": True, "percent": 20},
                           "below_forecast": {"enabled": True}, "expected_yield_kwh": None})
    noon = 1_813_053_600  # 2027-06-15T10:00:00Z
    with shop.batch_writer() as s, telemetry.batch_writer() as t:
        for i in range(n):
            pid = f"bench-alert-{i:05d}"
            s.put_item(Item={"pk": f"PLANT#{pid}", "sk": "PLANT", "account_id": account_id, "version": 1,
                             "created_at": "2027-06-01T08:00:00Z", "first_activation": "2027-06-01", "plant": details})
            s.put_item(Item={"pk": f"ALERTS#{pid}", "sk": "SETTINGS", "settings": settings, "account_id": account_id,
                             "updated_at": "2027-06-01T08:00:00Z", "gsi1pk": f"ALERTING#{shard(pid)}", "gsi1sk": pid})
            for k in range(2):
                serial = f"BA{i:05d}-{k}"
                s.put_item(Item={"pk": f"PLANT#{pid}", "sk": f"INV#{serial}", "serial": serial, "label": "",
                                 "config": json.dumps({"type": "SMA-10", "nominal_power_w": 10000}),
                                 "activated_on": "2027-06-01", "account_id": account_id})
                t.put_item(Item={"pk": f"L#{serial}", "sk": "L", "t": noon - 300, "ac_w": 6000})
                t.put_item(Item={"pk": f"D#{serial}", "sk": DAY, "energy_wh": 30_000, "peak_w": 8000})
                t.put_item(Item={"pk": f"D#{serial}", "sk": YESTERDAY, "energy_wh": 60_000, "peak_w": 8000})


def run(stack, args):
    url, aws = stack.url, stack.aws
    access = validated_account(url, "bench-alerts@example.de")
    account_id = call(url, "/v1/me", headers={"authorization": f"Bearer {access}"})["id"]
    started = time.time()
    write_plants(aws, account_id, args.plants)
    print(f"alerts: {args.plants} plants with alerts on written in {time.time() - started:.1f} s")
    call(url, "/_local/clock", {"set": NOON_UTC})
    sqs = boto3.client("sqs", **aws)
    queue, = stack.queue_urls(sqs, "AlertQueue")
    mails = stack.mails()

    stack.count_calls()
    started = time.time()
    summary = stack.run_schedule("AlertSchedule")
    job_took = time.time() - started
    wait(lambda: settled(sqs, [queue]), seconds=3600, what="the alert queue to drain")
    took = time.time() - started
    calls = stack.calls()
    if summary["plants"] < args.plants:
        raise SystemExit(f"the alert job found {summary['plants']} plants; {args.plants} were written")
    sent = stack.mails() - mails
    n = summary["plants"]
    print(f"  job: {n} plants enqueued in {job_took:.1f} s: {summary['queries']} index queries, "
          f"{summary['sqs_calls']} SendMessageBatch calls ({n / max(summary['sqs_calls'], 1):.1f} messages per call), "
          f"{calls.get('DynamoDB_20120810.Scan', 0)} scans")
    # The worker runs while the job still enqueues: its calls are the run's less the job's own.
    worker = {k: v for k, v in calls.items() if k.startswith("DynamoDB") or k.startswith("AmazonSQS.Send")}
    worker["DynamoDB_20120810.Query"] = worker.get("DynamoDB_20120810.Query", 0) - summary["queries"]
    worker["AmazonSQS.SendMessageBatch"] = worker.get("AmazonSQS.SendMessageBatch", 0) - summary["sqs_calls"]
    per_plant = {k.split(".")[-1]: round(v / n, 2) for k, v in sorted(worker.items()) if v}
    print(f"  worker: {n} plants checked in {took:.1f} s (job included); AWS calls per plant "
          f"(SQS polling not counted): {per_plant}")
    total = summary["queries"] + summary["sqs_calls"] + sum(v for v in worker.values() if v > 0)
    print(f"  a run for {n} plants: {total} AWS calls; alert emails sent: {sent} (expected 0: every plant is fine)")


if __name__ == "__main__":
    main()
