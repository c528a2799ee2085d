"""Cold-start benchmark: for every function binary of template.yaml and a bare lambda_runtime
hello-world built with the same profile, the time from process start to its first
`GET /runtime/invocation/next` on a stub Runtime API, its peak RSS at that point, and its size.

Prints figures only; it never fails on timing. Run through infra/bench.sh; `--smoke` (one start
per binary, any build) is what infra/bench-smoke.sh runs in the test command, so a broken
benchmark fails CI.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra"))
from shopstack import resources, template  # noqa: E402


class Stub:
    """A Runtime API that notes when the first `next` arrives and then never answers it."""

    def __init__(self):
        self.first_next = None
        self.seen = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.endswith("/runtime/invocation/next"):
                    if stub.first_next is None:
                        stub.first_next = time.perf_counter()
                        stub.seen.set()
                    time.sleep(3600)  # hold the invocation, as an idle sandbox would
                self.send_response(404)
                self.end_headers()

            def do_POST(self):
                self.send_response(202)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll interval: `close` waits for it, once per start (0.5 s by default).
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def one_start(binary, env):
    stub = Stub()
    env = {**env, "AWS_LAMBDA_RUNTIME_API": stub.address}
    start = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not stub.seen.wait(30):
            proc.kill()
            raise RuntimeError(f"{binary} never asked for an invocation: {proc.stderr.read().decode()[-500:]}")
        elapsed_ms = (stub.first_next - start) * 1000
        rss = peak_rss_kib(proc.pid)
    finally:
        proc.kill()
        proc.wait()
        stub.close()
    return elapsed_ms, rss


def bench_secrets(parameters):
    """Every secret a function's environment resolves, by name, in the shape it has on AWS
    (the shapes the local stack creates: shopstack/resources.py)."""
    secrets = {parameters["JwtSecretName"]: resources.jwt_secret()}
    if "PaymentSecretName" in parameters:
        secrets[parameters["PaymentSecretName"]] = {"api_key": "sk_test_bench", "webhook_secret": "whsec_bench"}
    return secrets


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--smoke", action="store_true", help="smallest size: one start per binary (figures only)")
    p.add_argument("--only", action="append", metavar="BINARY", help="measure only these functions (and the baseline)")
    args = p.parse_args()
    if args.smoke:
        args.runs = 1

    stack = template.load(ROOT / "template.yaml", "http://127.0.0.1:9")
    base_env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": template.REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_LAMBDA_LOG_GROUP_NAME": "bench",
    }
    targets = [("bench-hello (baseline)", "bench-hello", {})]
    secrets = bench_secrets(stack.parameters)
    for fn in stack.functions.values():
        if args.only and fn.binary not in args.only:
            continue
        env = {k: resources.resolve_dynamic(v, lambda name: secrets[name]) for k, v in fn.environment.items()}
        targets.append((fn.binary, fn.binary, env))

    # Round by round, every binary once a round: a burst of other work on the machine then
    # falls on all of them alike instead of on the few measured at that moment.
    samples = {label: [] for label, _, _ in targets}
    for _ in range(args.runs):
        for label, binary, env in targets:
            samples[label].append(one_start(str(Path(args.bin_dir) / binary), {**base_env, **env}))
    rows = []
    for label, binary, _env in targets:
        path = Path(args.bin_dir) / binary
        times = sorted(s[0] for s in samples[label])
        rows.append(
            (
                label,
                path.stat().st_size / 1e6,
                statistics.median(times),
                times[int(0.9 * (len(times) - 1))],
                max(s[1] for s in samples[label]) / 1024,
            )
        )
    print(f"cold start to first /next, {args.runs} runs each, binaries from {args.bin_dir}")
    print(f"{'binary':<24} {'size MB':>8} {'median ms':>10} {'p90 ms':>8} {'peak RSS MiB':>13}")
    for label, size, median, p90, rss in rows:
        print(f"{label:<24} {size:>8.1f} {median:>10.1f} {p90:>8.1f} {rss:>13.1f}")


if __name__ == "__main__":
    main()
