"""Inverters posting telemetry through the real route (`POST /v1/telemetry`): a day of readings
on a realistic PV curve (the sun's elevation at the plant's latitude on that day, a passing
cloud now and then), sent in requests of `--per-request` readings with each device's own
credential. Standard library only; used by infra/up.sh (the demo plant's day), by the
benchmark (infra/bench.sh, many inverters in parallel) and by hand:

    .venv/bin/python infra/simulator.py --url http://127.0.0.1:3000 \\
        --device DEMO-INV-0001:demo-telemetry-secret-0001:10000 --per-request 12

Readings run from midnight (Berlin) of `--day` (default: the stack's today) to `--until`
(default: the stack's now; the route refuses times more than 5 minutes ahead), every
`--step` minutes. Prints a JSON summary: requests, readings, latencies.
"""

import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import math
import random
import sys
import time
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def elevation_sin(at, latitude, longitude):
    """sin of the sun's elevation at `at` (UTC) for a place: the usual declination and
    hour-angle approximation, good to a degree or so, plenty for a power curve."""
    day = at.timetuple().tm_yday
    declination = math.radians(23.44) * math.sin(2 * math.pi * (284 + day) / 365)
    hours = at.hour + at.minute / 60 + at.second / 3600
    hour_angle = math.radians(15 * (hours + longitude / 15 - 12))
    lat = math.radians(latitude)
    return math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(declination) * math.cos(hour_angle)


class Inverter:
    """One device's day: power from the sun's elevation and a slow random cloud factor (seeded
    by serial and day, so the same day gives the same curve), energy integrated from it."""

    def __init__(self, serial, secret, nominal_w, latitude=48.0, longitude=9.0, total_wh=None):
        self.serial, self.secret, self.nominal_w = serial, secret, nominal_w
        self.latitude, self.longitude = latitude, longitude
        self.total_wh = total_wh if total_wh is not None else nominal_w * 900  # ~ a year's yield

    def day(self, day, until, step_minutes=5, since=None):
        """The day's readings up to `until` (and from `since`, when given)."""
        rng = random.Random(f"{self.serial}:{day}")
        start = dt.datetime.combine(day, dt.time(0), BERLIN).astimezone(dt.timezone.utc)
        end = min(until, start + dt.timedelta(days=1) - dt.timedelta(seconds=1))
        cloud, e_day, readings, t = 1.0, 0.0, [], start
        while t <= end:
            cloud = min(1.0, max(0.25, cloud + rng.uniform(-0.12, 0.12)))
            sun = max(0.0, elevation_sin(t, self.latitude, self.longitude))
            ac_w = round(self.nominal_w * 0.9 * sun ** 1.15 * cloud)
            e_day += ac_w * step_minutes / 60
            if since is None or t >= since:
                readings.append({
                    "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "ac_w": ac_w,
                    "e_day_wh": round(e_day),
                    "e_total_wh": round(self.total_wh + e_day),
                    "status": 0 if ac_w > 0 else 1,
                })
            t += dt.timedelta(minutes=step_minutes)
        return readings


class Poster:
    """Posts requests over one keep-alive connection per thread (as an inverter's modem would
    keep its connection); measures each answer's latency."""

    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port or 80

    def post(self, conn, inverter, readings, config=None):
        body = {"readings": readings}
        if config:
            body["config"] = config
        data = json.dumps(body).encode()
        headers = {"content-type": "application/json", "authorization": f"Device {inverter.serial}:{inverter.secret}"}
        started = time.perf_counter()
        conn.request("POST", "/v1/telemetry", body=data, headers=headers)
        answer = conn.getresponse()
        text = answer.read()
        took = time.perf_counter() - started
        if answer.status != 202:
            raise RuntimeError(f"{inverter.serial}: {answer.status} {text[:300]!r}")
        return took


def stack_now(url):
    """The local stack's clock (it may be moved); the system clock elsewhere."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_local/clock", timeout=5) as r:
            return dt.datetime.fromisoformat(json.loads(r.read())["now"])
    except (OSError, ValueError, KeyError):
        return dt.datetime.now(dt.timezone.utc)


def run(url, inverters, day=None, until=None, per_request=12, step_minutes=5, workers=8, config=False, since=None):
    """Posts each inverter's day (from `since`, to `until`) in requests of `per_request`;
    returns the summary."""
    now = stack_now(url)
    until = until or now
    day = day or until.astimezone(BERLIN).date()
    poster = Poster(url)
    jobs = []
    for inv in inverters:
        readings = inv.day(day, until, step_minutes, since)
        chunks = [readings[i:i + per_request] for i in range(0, len(readings), per_request)]
        jobs.append((inv, chunks))
    latencies = []

    def send(job):
        inv, chunks = job
        conn = http.client.HTTPConnection(poster.host, poster.port, timeout=30)
        took = []
        try:
            for n, chunk in enumerate(chunks):
                report = None
                if config and n == 0:
                    report = {"type": "Simulated PV", "nominal_power_w": inv.nominal_w, "firmware": "sim-1"}
                took.append(poster.post(conn, inv, chunk, report))
        finally:
            conn.close()
        return took

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for took in pool.map(send, jobs):
            latencies += took
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else None
    return {
        "day": day.isoformat(),
        "inverters": len(inverters),
        "requests": len(latencies),
        "readings": sum(len(c) for _, chunks in jobs for c in chunks),
        "seconds": round(elapsed, 3),
        "latency_ms": {"p50": pick(0.5), "p95": pick(0.95), "max": pick(1.0)},
    }


def parse_device(spec):
    """`serial:secret[:nominal_w]`."""
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise argparse.ArgumentTypeError("a device is serial:secret[:nominal_w]")
    return Inverter(parts[0], parts[1], int(parts[2]) if len(parts) == 3 else 10_000)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:3000")
    p.add_argument("--device", action="append", type=parse_device, default=[],
                   help="serial:secret[:nominal_w]; repeat for more inverters")
    p.add_argument("--devices-csv", help="a registry CSV (infra/seed/devices.csv columns); its first --inverters rows")
    p.add_argument("--inverters", type=int, default=None, help="how many of --devices-csv (default all)")
    p.add_argument("--per-request", type=int, default=12, help="readings per request (default 12)")
    p.add_argument("--step", type=int, default=5, help="minutes between readings (default 5)")
    p.add_argument("--day", type=dt.date.fromisoformat, help="the Berlin day (default: today)")
    p.add_argument("--until", type=dt.datetime.fromisoformat, help="the last reading's instant (default: now, or the day's end)")
    p.add_argument("--workers", type=int, default=8, help="inverters posting at once")
    p.add_argument("--config", action="store_true", help="the first request of each inverter reports its configuration")
    args = p.parse_args(argv)
    inverters = list(args.device)
    if args.devices_csv:
        inverters += from_csv(args.devices_csv, args.inverters)
    if not inverters:
        p.error("name at least one --device or --devices-csv")
    until = args.until
    if until is None and args.day is not None:
        end_of_day = dt.datetime.combine(args.day, dt.time(23, 55), BERLIN).astimezone(dt.timezone.utc)
        until = min(end_of_day, stack_now(args.url))
    summary = run(args.url, inverters, args.day, until, args.per_request, args.step, args.workers, args.config)
    print(json.dumps(summary))


def from_csv(path, limit=None):
    import csv
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    rows = rows[:limit] if limit else rows
    return [Inverter(r["serial"], r["secret"], int(r["nominal_power_w"] or 20_000)) for r in rows]


if __name__ == "__main__":
    sys.exit(main())
