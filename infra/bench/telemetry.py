"""Telemetry ingest end to end: the local stack on release binaries, N registered inverters
posting through `POST /v1/telemetry` with the simulator (infra/simulator.py), R requests of 12
readings each, in parallel. Prints: readings stored per second end to end (first post to the
telemetry queue drained), the ingest answer's latency p50/p95, the CPU time of the functions'
own processes (utime + stime from /proc, so waits for SQS and DynamoDB are not counted) per
request in ingest-telemetry and per reading in store-telemetry, and the AWS calls per 1,000
readings by operation, counted at the stand-in. Figures only. Run through infra/bench.sh;
`--smoke` (2 inverters, 1 request each, any build) is what infra/bench-smoke.sh runs.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from _stack import ROOT, Stack, call, state_root, wait

sys.path.insert(0, str(ROOT / "infra"))
import simulator  # noqa: E402

FUNCTIONS = ("ingest-telemetry", "store-telemetry")


def cpu_seconds(bin_dir):
    """CPU seconds used so far by each function's processes (all instances), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {name: 0.0 for name in FUNCTIONS}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = Path(exe).name
        if name in used and str(Path(exe).parent) == str(Path(bin_dir).resolve()):
            fields = stat.rsplit(")", 1)[1].split()
            used[name] += (int(fields[11]) + int(fields[12])) / ticks
    return used


def register(stack, bin_dir, n):
    """N new devices in the registry (operator import); their simulator inverters."""
    tag = f"{int(time.time()) % 100000:05d}"
    rows = ["serial,activation_code,device_type,nominal_power_w,firmware,secret"]
    inverters = []
    for i in range(n):
        serial = f"BENCH-{tag}-{i:05d}"
        rows.append(f"{serial},CODE-{serial},Bench PV,10000,1.0,secret-{serial}")
        inverters.append(simulator.Inverter(serial, f"secret-{serial}", 10_000))
    env = dict(os.environ)
    for line in (stack.state / "tools.env").read_text().splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("\n".join(rows) + "\n")
    subprocess.run([str(Path(bin_dir) / "shop-tools"), "import-devices", f.name], env=env, check=True, capture_output=True)
    os.unlink(f.name)
    return inverters


def drained(sqs, queue):
    a = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages",
                                                                 "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"]) == 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    p.add_argument("--state-dir", default=str(state_root() / "bench-telemetry"))
    p.add_argument("--inverters", type=int, default=200)
    p.add_argument("--requests", type=int, default=4, help="requests per inverter, 12 readings each")
    p.add_argument("--workers", type=int, default=16)
    p.add_argument("--smoke", action="store_true", help="smallest size: 2 inverters, 1 request each")
    args = p.parse_args()
    if args.smoke:
        args.inverters, args.requests, args.workers = 2, 1, 2
    with Stack(args.bin_dir, args.state_dir) as stack:
        run(stack, args)


def run(stack, args):
    url, moto_url = stack.url, stack.moto_url
    aws = dict(endpoint_url=moto_url, region_name="eu-central-1", aws_access_key_id="test", aws_secret_access_key="test")
    sqs = boto3.client("sqs", **aws)
    queue = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("/TelemetryQueue"))
    # The stack posts the demo plant's readings as it starts: let them pass first.
    log = lambda: stack.log.read_text(errors="replace")
    wait(lambda: log().count("demo readings posted") >= 2 or "demo readings not posted" in log(), 120,
         "the demo readings")
    inverters = register(stack, args.bin_dir, args.inverters)
    now = simulator.stack_now(url)
    day = (now - dt.timedelta(days=1)).astimezone(simulator.BERLIN).date()
    since = dt.datetime.combine(day, dt.time(9, 0), simulator.BERLIN).astimezone(dt.timezone.utc)
    until = since + dt.timedelta(minutes=5 * (12 * args.requests - 1))
    # Warm as many instances as will serve the run (one reading from each of `workers`
    # inverters at once), so the figures are of warm instances: an instance's start-up (its
    # SDK set-up) is paid once in its life, not per request.
    warm = simulator.run(url, inverters[:args.workers], day, since - dt.timedelta(minutes=5), 1,
                         workers=args.workers, since=since - dt.timedelta(minutes=5))
    wait(lambda: drained(sqs, queue), 60, "the warm-up to be stored")
    time.sleep(1)
    call(moto_url, "/_shop/calls", method="DELETE")
    cpu_before, started = cpu_seconds(args.bin_dir), time.perf_counter()
    summary = simulator.run(url, inverters, day, until, 12, workers=args.workers, since=since)
    wait(lambda: drained(sqs, queue) and (time.sleep(0.5) or drained(sqs, queue)), 900, "the telemetry queue to drain")
    took = time.perf_counter() - started
    cpu_after = cpu_seconds(args.bin_dir)
    calls = call(moto_url, "/_shop/calls")["calls"]
    readings, requests = summary["readings"], summary["requests"]
    table = boto3.resource("dynamodb", **aws).Table("TelemetryTable")
    stored = sum(table.query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": f"R#{i.serial}"},
                             Select="COUNT", ConsistentRead=True)["Count"] for i in inverters)
    if stored != readings + warm["readings"]:
        raise SystemExit(f"{readings} readings posted (and {warm['readings']} to warm up), {stored} stored")
    ingest = cpu_after["ingest-telemetry"] - cpu_before["ingest-telemetry"]
    store = cpu_after["store-telemetry"] - cpu_before["store-telemetry"]
    print(f"telemetry: {args.inverters} inverters x {args.requests} requests x 12 readings = {readings} readings "
          f"({warm['readings']} warm-up), binaries from {args.bin_dir}")
    print(f"  stored end to end: {readings / took:.0f} readings/s ({took:.1f} s from the first post to the queue drained)")
    print(f"  ingest latency: p50 {summary['latency_ms']['p50']} ms, p95 {summary['latency_ms']['p95']} ms "
          f"({args.workers} inverters posting at once)")
    print(f"  CPU: ingest-telemetry {ingest / requests * 1000:.2f} ms per request; store-telemetry "
          f"{store / readings * 1e6:.0f} µs per reading ({readings / store if store else float('inf'):.0f} readings per CPU-second)")
    per_k = {k: round(v * 1000 / readings, 1) for k, v in sorted(calls.items())
             if not k.startswith("AmazonSQS.Receive") and not k.startswith("AmazonSQS.Delete")
             and not k.startswith("AmazonSQS.GetQueue")}
    print(f"  AWS calls per 1,000 readings (the event source's SQS polling left out): {per_k}")


if __name__ == "__main__":
    main()
