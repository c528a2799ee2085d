"""Sign-in latency: the local stack on release binaries, one validated account, and N timed
`POST /v1/sessions` over HTTP (Argon2id verification, two reads and the JWT included; the local
HTTP front and the stand-in add about a millisecond). Prints figures only. Run through
infra/bench.sh.
"""

import argparse
import html
import json
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    p.add_argument("--runs", type=int, default=30)
    args = p.parse_args()
    port, moto = free_port(), free_port()
    state = ROOT / ".local" / "bench"
    stack = subprocess.Popen(
        [sys.executable, "-m", "shopstack", "--port", str(port), "--moto-port", str(moto), "--bin-dir", args.bin_dir, "--state-dir", str(state)],
        cwd=ROOT / "infra",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                call(url, "/_local/health")
                break
            except OSError:
                time.sleep(0.2)
        email, password = "bench@example.de", "Sonne#2026x"
        call(url, "/v1/accounts", {"email": email, "name": "Bench", "country": "DE", "password": password, "accept_terms": True, "accept_privacy": True})
        for _ in range(100):
            mails = call(url, f"/_local/outbox?to={email}")["messages"]
            if mails:
                break
            time.sleep(0.1)
        token = re.search(r"token=([0-9a-f]{64})", html.unescape(mails[0]["body"])).group(1)
        call(url, "/v1/accounts/verify-email", {"token": token})
        call(url, "/v1/sessions", {"email": email, "password": password})  # warm instance
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            call(url, "/v1/sessions", {"email": email, "password": password})
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"sign-in over HTTP on the local stack, {args.runs} runs, binaries from {args.bin_dir}")
        print(f"median {statistics.median(times):.1f} ms   p90 {times[int(0.9 * (len(times) - 1))]:.1f} ms   min {times[0]:.1f} ms")
    finally:
        stack.terminate()
        stack.wait(10)


if __name__ == "__main__":
    main()
