"""Soak test of the local stack: mixed customer traffic for a bounded time while the AWS
stand-in's resident memory (RSS) is sampled. Fails (exit 1) if the stand-in's RSS goes over the
ceiling, if any request answered 5xx or failed at the transport level, or if a customer journey
did not end as it should.

    .venv/bin/python infra/soak.py --minutes 10          # against SHOP_URL, AWS_ENDPOINT_URL

Every worker repeats one customer journey, each step over HTTP against the running stack:
register -> validation email from the outbox -> verify -> sign in (and one wrong password) ->
products, apps -> checkout by card (pm_card_visa; sometimes SEPA, settled at the sandbox) and the
same request again under the same idempotency key -> order confirmed by the signed webhook ->
orders, invoice, subscriptions -> a seat for a colleague -> the invitation from the outbox ->
seats. That drives every poller (mail queue), SES, DynamoDB writes with conditions and the
payment sandbox. All loops are bounded by the deadline and by --max-journeys; requests go to
127.0.0.1 only.

The stand-in's process id comes from its /_shop/stats route (or, for stacks without it, from
the process listening on the stand-in's port); its RSS is read from /proc/<pid>/status.
"""

import argparse
import html
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

PASSWORD = "Sonne#2026x"
TOKEN = re.compile(r"token=([0-9a-f]{64})")


def local(url, name):
    parsed = urllib.parse.urlparse(url or "")
    if parsed.scheme != "http" or parsed.hostname != "127.0.0.1":
        raise SystemExit(f"{name} must be http://127.0.0.1:PORT (the soak test only talks to the local stack), got {url!r}")
    return url.rstrip("/")


# ---- the stand-in's memory ------------------------------------------------------------------

def pid_listening_on(port):
    """The process listening on 127.0.0.1:port, from /proc (Linux)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(cols[9])
        except OSError:
            continue
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def standin_stats(standin):
    try:
        with urllib.request.urlopen(f"{standin}/_shop/stats", timeout=30) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise OSError(f"no VmRSS for {pid}")


class Sampler(threading.Thread):
    """Samples the stand-in's RSS (and, for the report, the launcher's) every `every` seconds;
    sets `over` as soon as the stand-in passes `ceiling_kib`, so the traffic stops at once."""

    def __init__(self, pid, every, ceiling_kib, launcher_pid=None):
        super().__init__(daemon=True)
        self.pid, self.every, self.ceiling_kib, self.launcher_pid = pid, every, ceiling_kib, launcher_pid
        self.samples = []  # (seconds since start, KiB)
        self.launcher = []  # KiB
        self.stopped = threading.Event()
        self.over = threading.Event()
        self.t0 = time.monotonic()
        self.sample()

    def sample(self):
        try:
            kib = rss_kib(self.pid)
        except OSError:
            kib = None  # the stand-in is gone
            self.over.set()
        self.samples.append((time.monotonic() - self.t0, kib))
        if kib is not None and kib > self.ceiling_kib:
            self.over.set()
        if self.launcher_pid:
            try:
                self.launcher.append(rss_kib(self.launcher_pid))
            except OSError:
                pass

    def run(self):
        while not self.stopped.wait(self.every):
            self.sample()

    def stop(self):
        self.stopped.set()
        self.join()
        self.sample()


# ---- traffic ---------------------------------------------------------------------------------

class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.by_status = {}
        self.server_errors = []  # (method, path, status, body start)
        self.journeys = 0  # started
        self.completed = 0
        self.failures = []  # journey failures: what did not happen as it should

    def count(self, method, path, status, body):
        with self.lock:
            self.requests += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if status >= 500 or status == 0:
                self.server_errors.append((method, path, status, body[:200]))

    def fail(self, what):
        with self.lock:
            self.failures.append(what)


class JourneyFailed(Exception):
    pass


class Stopped(Exception):
    """The soak stopped early (the stand-in went over the ceiling): not a journey failure."""


class Client:
    def __init__(self, shop, sandbox, counters, deadline, stop):
        self.shop, self.sandbox, self.counters, self.deadline, self.stop = shop, sandbox, counters, deadline, stop

    def call(self, method, url, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("content-type", "application/json")
        path = urllib.parse.urlparse(url).path
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        except OSError as e:
            status, raw = 0, repr(e).encode()
        self.counters.count(method, re.sub(r"[0-9a-f-]{20,}|[\w.+-]+@[\w.-]+", "…", path), status, raw)
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            value = None
        return status, value, raw

    def expect(self, status, wanted, what, raw):
        if status != wanted:
            raise JourneyFailed(f"{what}: {status} {raw[:200]!r}")

    def eventually(self, check, what, seconds=60, every=0.3):
        """Polls `check` until truthy; bounded by `seconds` and by the soak's deadline plus a grace
        period, so a journey in flight can finish."""
        end = min(time.monotonic() + seconds, self.deadline + 90)
        while True:
            value = check()
            if value:
                return value
            if self.stop.is_set():
                raise Stopped()
            if time.monotonic() > end:
                raise JourneyFailed(f"{what} did not happen within {seconds}s")
            time.sleep(every)

    def outbox(self, email, contains=""):
        def check():
            status, value, _ = self.call("GET", f"{self.shop}/_local/outbox?to={urllib.parse.quote(email)}")
            if status != 200:
                return None
            return [m for m in value["messages"] if contains in (m.get("subject") or "") + (m.get("body") or "")]

        return self.eventually(check, f"an email to {email}")

    def journey(self, n):
        s, auth = self.shop, None
        email = f"soak-{uuid.uuid4().hex[:12]}@example.de"
        st, _, raw = self.call("GET", f"{s}/v1/products?region=DE")
        self.expect(st, 200, "products", raw)
        st, _, raw = self.call("POST", f"{s}/v1/accounts", {
            "email": email, "name": "Soak Tester", "country": "de", "language": "en", "password": PASSWORD,
            "accept_terms": True, "accept_privacy": True})
        self.expect(st, 201, "register", raw)
        mail = self.outbox(email, "token=")[-1]
        token = TOKEN.search(html.unescape(mail["body"])).group(1)
        st, _, raw = self.call("POST", f"{s}/v1/accounts/verify-email", {"token": token})
        self.expect(st, 200, "verify-email", raw)
        st, _, raw = self.call("POST", f"{s}/v1/sessions", {"email": email, "password": PASSWORD + "!"})
        self.expect(st, 401, "sign-in with a wrong password", raw)
        st, value, raw = self.call("POST", f"{s}/v1/sessions", {"email": email, "password": PASSWORD})
        self.expect(st, 200, "sign-in", raw)
        auth = {"Authorization": f"Bearer {value['access_token']}"}
        st, _, raw = self.call("GET", f"{s}/v1/me/apps", headers=auth)
        self.expect(st, 200, "apps", raw)
        sepa = n % 4 == 3
        body = {"lines": [{"product_id": "alarm-team", "quantity": 5}],
                "payment": {"method": "sepa_debit", "token": "pm_sepa_debit"} if sepa else {"method": "card", "token": "pm_card_visa"},
                "accept_terms": True}
        key = {**auth, "Idempotency-Key": str(uuid.uuid4())}
        st, order, raw = self.call("POST", f"{s}/v1/checkout", body, headers=key)
        self.expect(st, 201, "checkout", raw)
        st, again, raw = self.call("POST", f"{s}/v1/checkout", body, headers=key)
        if st not in (200, 201) or (again or {}).get("id") != order["id"]:
            raise JourneyFailed(f"repeated checkout: {st} {raw[:200]!r}")
        if sepa:
            def intent():
                st, value, _ = self.call("GET", f"{self.sandbox}/_sandbox/payment_intents?order_id={order['id']}")
                return value["data"][0]["id"] if st == 200 and value["data"] else None

            pi = self.eventually(intent, "the SEPA payment at the sandbox")
            st, _, raw = self.call("POST", f"{self.sandbox}/_sandbox/payment_intents/{pi}/settle")
            self.expect(st, 200, "settle", raw)

        def confirmed():
            st, value, _ = self.call("GET", f"{s}/v1/orders/{order['id']}", headers=auth)
            return value if st == 200 and value and value.get("status") == "confirmed" else None

        done = self.eventually(confirmed, f"order {order['id']} confirmed")
        self.outbox(email, done["invoice"]["number"])
        for path in ("/v1/orders", f"/v1/orders/{order['id']}/invoice", "/v1/subscriptions"):
            st, _, raw = self.call("GET", s + path, headers=auth)
            self.expect(st, 200, path, raw)
        sub = order["lines"][0]["subscription_id"]
        member = f"soak-colleague-{uuid.uuid4().hex[:10]}@example.de"
        st, _, raw = self.call("POST", f"{s}/v1/subscriptions/{sub}/seats", {"email": member}, headers=auth)
        self.expect(st, 201, "assign seat", raw)
        self.outbox(member, "token=")
        st, value, raw = self.call("GET", f"{s}/v1/subscriptions/{sub}/seats", headers=auth)
        self.expect(st, 200, "seats", raw)
        st, _, raw = self.call("GET", f"{s}/v1/no-such-route")
        self.expect(st, 404, "unknown route", raw)


def worker(client, counters, deadline, max_journeys, number):
    n = number
    while time.monotonic() < deadline and not client.stop.is_set():
        with counters.lock:
            if counters.journeys >= max_journeys:
                return
            counters.journeys += 1
        try:
            client.journey(n)
            with counters.lock:
                counters.completed += 1
        except Stopped:
            return
        except JourneyFailed as e:
            counters.fail(str(e))
        except Exception as e:  # an answer of the wrong shape: still a failed journey
            counters.fail(f"{type(e).__name__}: {e}")
        n += 1


# ---- the run ---------------------------------------------------------------------------------

def mib(kib):
    return f"{kib / 1024:.0f} MiB" if kib is not None else "gone"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 1.5)))
    p.add_argument("--url", default=os.environ.get("SHOP_URL", "http://127.0.0.1:3000"))
    p.add_argument("--standin", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5005"))
    p.add_argument("--sandbox", default=os.environ.get("SANDBOX_URL", "http://127.0.0.1:5006"))
    p.add_argument("--workers", type=int, default=int(os.environ.get("SOAK_WORKERS", 4)))
    p.add_argument("--max-journeys", type=int, default=100_000, help="a bound on the journeys, besides the time")
    p.add_argument("--ceiling-mib", type=int, default=int(os.environ.get("SOAK_CEILING_MIB", 400)),
                   help="the stand-in's RSS must stay under this (see docs/local-stack.md)")
    p.add_argument("--sample-seconds", type=float, default=2.0)
    args = p.parse_args()
    shop, standin, sandbox = local(args.url, "--url"), local(args.standin, "--standin"), local(args.sandbox, "--sandbox")
    if not 0 < args.minutes <= 60:
        raise SystemExit("--minutes must be between 0 and 60")

    stats = standin_stats(standin)
    pid = (stats or {}).get("pid") or pid_listening_on(urllib.parse.urlparse(standin).port)
    if not pid:
        raise SystemExit(f"cannot find the stand-in's process for {standin}")
    counters = Counters()
    sampler = Sampler(pid, args.sample_seconds, args.ceiling_mib * 1024, pid_listening_on(urllib.parse.urlparse(shop).port))
    start_kib = sampler.samples[0][1]
    print(f"soak: {args.minutes:g} min, {args.workers} workers against {shop}; stand-in pid {pid} at {mib(start_kib)}; "
          f"ceiling {args.ceiling_mib} MiB", flush=True)
    if stats:
        print(f"  stand-in stores at start: {json.dumps(stats.get('stores'))}", flush=True)
    sampler.start()
    begun = time.monotonic()
    deadline = begun + args.minutes * 60
    threads = [
        threading.Thread(target=worker, args=(Client(shop, sandbox, counters, deadline, sampler.over), counters, deadline,
                                              args.max_journeys, i), daemon=True)
        for i in range(args.workers)
    ]
    for t in threads:
        t.start()
    next_report = begun + 60
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=1)
        if time.monotonic() >= next_report:
            next_report += 60
            last = sampler.samples[-1][1]
            print(f"  {(time.monotonic() - begun) / 60:4.1f} min: stand-in {mib(last)}, {counters.requests} requests, "
                  f"{counters.completed} journeys, {len(counters.server_errors)} 5xx, {len(counters.failures)} failed", flush=True)
        if time.monotonic() > deadline + 180:
            counters.fail("workers still busy 3 minutes after the deadline")
            break
    sampler.stop()
    elapsed = time.monotonic() - begun

    values = [kib for _, kib in sampler.samples if kib is not None]
    peak = max(values) if values else None
    end_kib = sampler.samples[-1][1]
    stats = standin_stats(standin)
    print(f"soak: {elapsed / 60:.1f} min, {counters.requests} requests ({counters.requests / elapsed:.1f}/s), "
          f"{counters.completed} journeys completed, {len(counters.failures)} failed")
    print(f"  statuses: {json.dumps(dict(sorted(counters.by_status.items())))}")
    print(f"  stand-in RSS: start {mib(start_kib)}, peak {mib(peak)}, end {mib(end_kib)} (ceiling {args.ceiling_mib} MiB)")
    if sampler.launcher:
        print(f"  launcher RSS (for information): start {mib(sampler.launcher[0])}, peak {mib(max(sampler.launcher))}, "
              f"end {mib(sampler.launcher[-1])}")
    minute_marks = []
    for minute in range(int(elapsed // 60) + 1):
        at = next(((t, k) for t, k in sampler.samples if t >= minute * 60 and k is not None), None)
        if at:
            minute_marks.append(f"{minute}:{mib(at[1])}")
    print(f"  RSS by minute: {' '.join(minute_marks)}")
    if stats:
        print(f"  stand-in stores at end: {json.dumps(stats.get('stores'))}")
    problems = []
    if end_kib is None or len(values) < len(sampler.samples):
        problems.append("the stand-in exited during the soak")
    if peak is not None and peak > args.ceiling_mib * 1024:
        problems.append(f"the stand-in's RSS reached {mib(peak)}, over the ceiling of {args.ceiling_mib} MiB, "
                        f"after {next(t for t, k in sampler.samples if k and k > args.ceiling_mib * 1024) / 60:.1f} min; traffic stopped there")
    if counters.server_errors:
        problems.append(f"{len(counters.server_errors)} requests failed with 5xx or no answer, e.g. {counters.server_errors[:3]}")
    if counters.failures:
        problems.append(f"{len(counters.failures)} journeys failed, e.g. {counters.failures[:3]}")
    if counters.completed == 0:
        problems.append("no journey completed")
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems:
        return 1
    print("soak passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
