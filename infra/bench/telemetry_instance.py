"""CPU of ONE warm telemetry instance, without the gateway, the poller or other instances: the
local stack (for the stand-in and the function's environment) and a second process of
`ingest-telemetry` or `store-telemetry` fed by a stub Runtime API of this script, so only that
process's own work is counted (CPU from /proc/<pid>/task/*/schedstat, nanoseconds, so the
waits for the stand-in are not in it). Prints the CPU per request (ingest: 12 readings of the
demo inverter, the device read every time with `--cache-seconds 0`) or per reading (store:
deliveries of `--messages` messages of 12 readings, one inverter each, each delivery an hour
later than the last) for each of `--segments` runs: min and median, since other work on the
machine only ever adds. Figures only. To profile: `perf record -g --call-graph dwarf -p PID`
on the process it names.
"""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _stack import ROOT, Stack, bench_args, wait

sys.path.insert(0, str(ROOT / "infra"))
import simulator  # noqa: E402

ARN = "arn:aws:lambda:eu-central-1:123456789012:function:bench"


def cpu(pid):
    """Seconds on a CPU of all the process's threads."""
    tasks = Path(f"/proc/{pid}/task")
    return sum(int((t / "schedstat").read_text().split()[0]) for t in tasks.iterdir()) / 1e9


def running(binary):
    """The process id of a running instance of `binary` (another stack's are other files), or None."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/exe") == str(binary):
                return pid
        except OSError:
            continue
    return None


def ingest_event(now):
    reads = [{"time": (now - dt.timedelta(minutes=5 * (12 - i))).strftime("%Y-%m-%dT%H:%M:%SZ"), "ac_w": 5000 + i,
              "e_day_wh": 1000 * i, "e_total_wh": 100000 + 1000 * i, "status": 0} for i in range(12)]
    event = json.loads((ROOT / "events" / "ingest-telemetry.json").read_text())
    event["body"] = json.dumps({"readings": reads})
    event["headers"]["authorization"] = "Device DEMO-INV-0001:demo-telemetry-secret-0001"
    return json.dumps(event).encode()


def store_event(n, messages):
    """Delivery `n`: one message of 12 readings (power rising) per inverter, an hour after n-1."""
    start, records = 1_700_000_000 + 3600 * n, []
    for m in range(messages):
        reads = [{"t": start + 300 * i, "ac_w": 5000 + i + n, "e_day_wh": 1000 * i + n,
                  "e_total_wh": 100000 + 1000 * i + n, "status": 0} for i in range(12)]
        records.append({"messageId": str(uuid.uuid4()), "receiptHandle": "rh", "md5OfBody": "",
                        "body": json.dumps({"serial": f"BENCH-ONE-{m:04d}", "readings": reads}),
                        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
                        "messageAttributes": {}, "eventSource": "aws:sqs", "awsRegion": "eu-central-1",
                        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:TelemetryQueue"})
    return json.dumps({"Records": records}).encode()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the instance's connection reset when it is stopped at the end


class StubRuntime:
    """A Runtime API handing out `event(n)` for invocation n, as many as `run` allows."""

    def __init__(self, event):
        self.event, self.served, self.answered, self.limit, self.bad = event, 0, 0, 0, 0
        self.cv = threading.Condition()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self):
                with stub.cv:
                    stub.cv.wait_for(lambda: stub.served < stub.limit)
                    stub.served += 1
                    n = stub.served
                body = stub.event(n)
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", f"r{n}")
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", ARN)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                answer = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with stub.cv:
                    stub.answered += 1
                    stub.bad += answer.get("statusCode", 202) != 202 or bool(answer.get("batchItemFailures"))
                    stub.cv.notify_all()
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def run(self, n):
        with self.cv:
            self.limit += n
            target = self.answered + n
            self.cv.notify_all()
            if not self.cv.wait_for(lambda: self.answered >= target, timeout=600):
                raise SystemExit("the instance stopped answering")


def main():
    args = bench_args(__doc__, "bench-telemetry-instance", "2 segments of 5 requests and 2 deliveries",
                      segments=(5, 2), requests=(200, 5, "ingest: requests per segment"),
                      deliveries=(5, 2, "store: deliveries per segment"),
                      messages=(20, 2, "store: messages per delivery"),
                      cache_seconds=(60, 60, "ingest: DEVICE_CACHE_SECONDS (0: read the device every time)"))
    with Stack(args.bin_dir, args.state_dir) as stack:
        log = lambda: stack.log.read_text(errors="replace")
        wait(lambda: log().count("demo readings posted") >= 2 or "demo readings not posted" in log(), 120, "the demo")
        for name in ("ingest-telemetry", "store-telemetry"):
            measure(stack, args, name)


def measure(stack, args, name):
    binary = (Path(args.bin_dir) / name).resolve()
    wait(lambda: running(binary), 60, f"an instance of {name}")
    environ = Path(f"/proc/{running(binary)}/environ").read_bytes().decode().split("\0")
    env = dict(e.split("=", 1) for e in environ if "=" in e)
    if name == "ingest-telemetry":
        body = ingest_event(simulator.stack_now(stack.url))
        stub, unit, per, count = StubRuntime(lambda n: body), "request", 1, args.requests
        env["DEVICE_CACHE_SECONDS"] = str(args.cache_seconds)
    else:
        stub, unit, per = StubRuntime(lambda n: store_event(n, args.messages)), "reading", args.messages * 12
        count = args.deliveries
    env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{stub.server.server_address[1]}"
    process = subprocess.Popen([str(binary)], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stub.run(2)  # warm: the SDK's set-up and the first connections
        figures = []
        for _ in range(args.segments):
            before = cpu(process.pid)
            stub.run(count)
            figures.append((cpu(process.pid) - before) / (count * per) * 1e6)
    finally:
        process.kill()
    figures.sort()
    what = f"device cache {args.cache_seconds} s" if name == "ingest-telemetry" else f"{args.messages} messages a delivery"
    print(f"{name} (pid {process.pid}, {what}): CPU per {unit} min {figures[0]:.0f} µs, "
          f"median {figures[len(figures) // 2]:.0f} µs over {args.segments} × {count} invocations; "
          f"{stub.bad} answers not accepted in full")
    if stub.bad:
        raise SystemExit(f"{name}: {stub.bad} invocations were not accepted in full")


if __name__ == "__main__":
    main()
