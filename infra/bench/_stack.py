"""The local stack for a benchmark: started on free ports (never the defaults another stack may
hold), its log kept in the state directory, stopped by its own process id."""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra"))
from shopstack.ports import free_port  # noqa: E402


def state_root():
    """Where benchmark stacks keep their state: `BENCH_STATE_DIR`, or `.local/` of the clone."""
    return Path(os.environ.get("BENCH_STATE_DIR") or ROOT / ".local")


def bench_args(doc, state, smoke, state_help="the stack's logs and clock", **sizes):
    """The command line every benchmark takes: `--bin-dir` (release binaries unless named),
    `--state-dir` (`state` below state_root()), one `--<size>` option per entry of `sizes`
    (`name=(default, smoke value)`, or with a help text third) and `--smoke`, which sets every
    size to its smoke value (`smoke` says which, for the help)."""
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    p.add_argument("--state-dir", default=str(state_root() / state), help=state_help)
    for name, (default, _small, *text) in sizes.items():
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=default, help=text[0] if text else None)
    p.add_argument("--smoke", action="store_true", help=f"smallest size: {smoke}")
    args = p.parse_args()
    if args.smoke:
        for name, (_default, small, *_text) in sizes.items():
            setattr(args, name, small)
    return args


class Stack:
    def __init__(self, bin_dir, state_dir, seconds=120):
        self.state = Path(state_dir)
        self.state.mkdir(parents=True, exist_ok=True)
        # BENCH_PORTS="shop,moto,sandbox" pins them (a shared machine hands out port ranges).
        pinned = os.environ.get("BENCH_PORTS")
        port, moto, sandbox = map(int, pinned.split(",")) if pinned else (free_port(), free_port(), free_port())
        self.url, self.moto_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto}"
        self.sandbox_url = f"http://127.0.0.1:{sandbox}"
        self.log = self.state / "stack.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shopstack", "--port", str(port), "--moto-port", str(moto), "--sandbox-port", str(sandbox),
             "--bin-dir", str(bin_dir), "--state-dir", str(self.state)],
            cwd=ROOT / "infra", stdout=open(self.log, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.time() + seconds
        while True:
            try:
                urllib.request.urlopen(self.url + "/_local/health", timeout=1).read()
                return
            except OSError:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                raise SystemExit(f"the local stack did not come up; last lines of {self.log}:\n{self.tail()}")
            time.sleep(0.2)

    @property
    def aws(self):
        """boto3's keyword arguments for the stack's stand-in."""
        return dict(endpoint_url=self.moto_url, region_name="eu-central-1", aws_access_key_id="test",
                    aws_secret_access_key="test")

    def queue_urls(self, sqs, *names):
        """The URLs of the stack's queues `names` (logical ids), in the order the stand-in lists them."""
        return [u for u in sqs.list_queues()["QueueUrls"] if u.endswith(tuple(f"/{n}" for n in names))]

    def count_calls(self):
        """Counts the AWS calls at the stand-in from zero again."""
        call(self.moto_url, "/_shop/calls", method="DELETE")

    def calls(self):
        """The AWS calls the stand-in counted since count_calls, by operation."""
        return call(self.moto_url, "/_shop/calls")["calls"]

    def run_schedule(self, name):
        """One run of the schedule `name` (its logical id); answers the job's report."""
        return call(self.url, f"/_local/schedules/{name}/run", method="POST")["result"]

    def job_alone(self, schedule, at):
        """The clock set to `at`, one run of `schedule` timed alone: its report, the seconds it
        took and the AWS calls counted meanwhile (the worker's that started too)."""
        call(self.url, "/_local/clock", {"set": at})
        self.count_calls()
        started = time.time()
        summary = self.run_schedule(schedule)
        took = time.time() - started
        return summary, took, self.calls()

    def mails(self):
        """How many emails the stack's outbox holds."""
        return len(call(self.url, "/_local/outbox")["messages"])

    def tools_env(self):
        """The process environment with the variables `shop-tools` needs for this stack."""
        env = dict(os.environ)
        env.update(line.split("=", 1) for line in (self.state / "tools.env").read_text().splitlines() if "=" in line)
        return env

    def tail(self, lines=30):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        self.stop()
        if kind is not None and kind is not KeyboardInterrupt:
            print(f"--- last lines of the local stack's log ({self.log}) ---\n{self.tail()}", file=sys.stderr)


def call(url, path, body=None, method=None, headers=None, timeout=900):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method or ("POST" if data else "GET"), headers=headers or {})
    if data:
        req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def wait(check, seconds=600, what="a condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise SystemExit(f"timed out after {seconds}s waiting for {what}")


def validated_account(url, email, password="Sonne#2026x"):
    """Registers and validates an account through the outbox; answers an access token."""
    import html
    import re

    call(url, "/v1/accounts", {"email": email, "name": "Bench", "country": "DE", "language": "en", "password": password,
                               "accept_terms": True, "accept_privacy": True})
    mails = wait(lambda: call(url, f"/_local/outbox?to={email}")["messages"], 60, f"the validation email to {email}")
    token = re.search(r"token=([0-9a-f]{64})", html.unescape(mails[-1]["body"])).group(1)
    call(url, "/v1/accounts/verify-email", {"token": token})
    return call(url, "/v1/sessions", {"email": email, "password": password})["access_token"]


def settled(sqs, queues):
    """Every queue empty, and still empty a second later."""
    if not all(_drained(sqs, q) for q in queues):
        return False
    time.sleep(1)
    return all(_drained(sqs, q) for q in queues)


def _drained(sqs, queue):
    a = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"]) == 0
