"""Brings the shop up locally: the AWS stand-in, the template's resources, the demo data, and
every function behind its HTTP routes and event sources.

    python -m shopstack --port 3000 --moto-port 5005 --bin-dir target/debug

Ctrl-C (or SIGTERM) stops everything it started.
"""

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from . import clock, gateway, pollers, resources, runtime, sandbox, template

ROOT = Path(__file__).resolve().parents[2]


def log(line):
    print(line, flush=True)


def ensure_free(port):
    """Refuse to start on a taken port rather than talk to somebody else's stand-in."""
    import socket

    with socket.socket() as s:
        # Connections of a stack stopped a moment ago linger in TIME_WAIT; they do not hold the
        # port (the servers bind with SO_REUSEADDR too), a listening process does.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(f"port {port} on 127.0.0.1 is in use; is another local stack running?")


def wait_until_up(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds}s")


def local_routes(stack, pools, clk, moto):
    """The `/_local/...` routes: clock, schedules, captured outbox, health."""

    def json_reply(status, value):
        return status, {"content-type": "application/json"}, json.dumps(value).encode()

    schedules = {}
    for fn in stack.functions.values():
        for name, expression in fn.schedules:
            schedules[name] = (fn, expression)

    def handle(method, path, query, body):
        if path == "/_local/health" and method == "GET":
            return json_reply(200, {"status": "ok"})
        if path == "/_local/clock":
            if method == "GET":
                return json_reply(200, clk.describe())
            if method != "POST":
                return gateway.problem(405, "method_not_allowed", "Use GET or POST.")
            try:
                req = json.loads(body or b"{}")
                if not isinstance(req, dict) or len(req) != 1:
                    raise ValueError("give exactly one of set, advance, reset")
                if "set" in req:
                    clk.set(clock.parse_instant(req["set"]))
                elif "advance" in req:
                    clk.advance(clock.parse_duration(req["advance"]))
                elif req.get("reset") is True:
                    clk.reset()
                else:
                    raise ValueError("give exactly one of set, advance, reset")
            except (ValueError, TypeError, AttributeError) as e:
                return gateway.problem(400, "invalid_clock_request", str(e))
            return json_reply(200, clk.describe())
        if path.startswith("/_local/schedules/") and path.endswith("/run") and method == "POST":
            name = path[len("/_local/schedules/"):-len("/run")]
            if name not in schedules:
                return gateway.problem(404, "unknown_schedule", f"No schedule named {name}; known: {sorted(schedules)}.")
            fn, _ = schedules[name]
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": template.ACCOUNT,
                "time": clk.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": template.REGION,
                "resources": [f"arn:aws:events:{template.REGION}:{template.ACCOUNT}:rule/{name}"],
                "detail": {},
            }
            try:
                out = pools[fn.logical_id].invoke(event)
            except runtime.FunctionError as e:
                return gateway.problem(500, "schedule_failed", e.body.decode("utf-8", "replace"))
            return json_reply(200, {"schedule": name, "result": json.loads(out or b"null")})
        if path == "/_local/outbox" and method == "GET":
            # The stand-in filters by recipient: the outbox holds up to --keep-mails emails.
            wanted = f"?{urllib.parse.urlencode({'to': query['to'].strip().lower()})}" if "to" in query else ""
            mails = json.loads(urllib.request.urlopen(f"{moto}/_shop/outbox{wanted}", timeout=10).read())["messages"]
            return json_reply(200, {"messages": mails})
        return gateway.problem(404, "route_not_found", f"No local route {method} {path}.")

    return handle


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=int(os.environ.get("SHOP_PORT", 3000)))
    p.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", 5005)))
    p.add_argument("--sandbox-port", type=int, default=int(os.environ.get("SANDBOX_PORT", 5006)),
                   help="payment provider test mode and VIES stand-in")
    p.add_argument("--bin-dir", default=str(ROOT / "target" / "debug"))
    p.add_argument("--state-dir", default=str(ROOT / ".local"))
    p.add_argument("--max-instances", type=int, default=4, help="per function")
    p.add_argument("--sqs-retry-seconds", type=int, default=1)
    p.add_argument("--keep-mails", type=int, default=int(os.environ.get("SHOP_KEEP_MAILS", 2000)),
                   help="emails the outbox keeps, the newest (SHOP_KEEP_MAILS, default 2000)")
    p.add_argument("--no-seed", action="store_true")
    p.add_argument("--terms-version", default="2026-10", help="terms of use published at start")
    args = p.parse_args()

    for port in (args.port, args.moto_port, args.sandbox_port):
        ensure_free(port)
    state = Path(args.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    moto_url = f"http://127.0.0.1:{args.moto_port}"
    started = []

    moto = subprocess.Popen(
        [sys.executable, "-m", "shopstack.motolock", "--port", str(args.moto_port), "--keep-mails", str(args.keep_mails)],
        cwd=ROOT / "infra",
        stdout=open(state / "moto.log", "w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    started.append(moto)
    stop = threading.Event()
    pools, polls, gw, box = {}, [], None, None

    def shutdown(*_):
        stop.set()

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)
    try:
        wait_until_up(f"{moto_url}/moto-api/")
        sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
        stack = template.load(
            ROOT / "template.yaml",
            moto_url,
            {"PaymentApiUrl": sandbox_url, "ViesUrl": f"{sandbox_url}/vies"},
        )
        aws = resources.clients(moto_url)
        resources.create(stack, aws)
        clk = clock.Clock(str(state / "clock-offset-ms"))
        payment = resources.secret_lookup(aws)(stack.parameters["PaymentSecretName"])
        box = sandbox.Sandbox(args.sandbox_port, payment["api_key"], payment["webhook_secret"],
                              f"http://127.0.0.1:{args.port}/v1/payments/webhook", clk, log)
        threading.Thread(target=box.serve, daemon=True).start()
        base_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "AWS_REGION": template.REGION,
            "AWS_DEFAULT_REGION": template.REGION,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "LOCAL_CLOCK_FILE": clk.path,
        }
        for fn in stack.functions.values():
            fn.environment = {k: resources.resolve_dynamic(v, resources.secret_lookup(aws)) for k, v in fn.environment.items()}
        if not args.no_seed:
            seed_env = {
                **base_env,
                "TABLE_NAME": "ShopTable",
                "MAIL_QUEUE_URL": stack.queues["MailQueue"].url(moto_url),
                "APP_URL": stack.parameters.get("AppUrl", ""),
            }
            (state / "tools.env").write_text("".join(f"{k}={v}\n" for k, v in seed_env.items() if k != "PATH"))
            tools = str(Path(args.bin_dir) / "shop-tools")
            subprocess.run([tools, "seed-catalog", str(ROOT / "infra" / "seed" / "catalog.json")], env=seed_env, check=True)
            subprocess.run([tools, "publish-terms", args.terms_version], env=seed_env, check=True)
            subprocess.run([tools, "invite", "demo@license-shop.example", "Demo Kunde", "de"], env=seed_env, check=True)
            subprocess.run([tools, "import-devices", str(ROOT / "infra" / "seed" / "devices.csv")], env=seed_env, check=True)
            subprocess.run([tools, "demo-plant", "demo@license-shop.example", DEMO_PLANT,
                            str(ROOT / "infra" / "seed" / "demo-plant.json"), *DEMO_INVERTERS], env=seed_env, check=True)
        routes = []
        for fn in stack.functions.values():
            pool = runtime.FunctionPool(fn, str(Path(args.bin_dir) / fn.binary), base_env, log, args.max_instances)
            pools[fn.logical_id] = pool
            routes += [gateway.Route(method, path, pool) for method, path in fn.http_routes]
            for source in fn.sqs_sources:
                poller = pollers.Poller(aws["sqs"], source["queue"].url(moto_url), source, pool, log, args.sqs_retry_seconds)
                poller.start()
                polls.append(poller)
        gw = gateway.Gateway(args.port, routes, local_routes(stack, pools, clk, moto_url), stack.cors)
        threading.Thread(target=gw.serve, daemon=True).start()
        (state / "stack.json").write_text(
            json.dumps({"pid": os.getpid(), "moto_pid": moto.pid, "url": f"http://127.0.0.1:{args.port}", "moto_url": moto_url,
                        "sandbox_url": f"http://127.0.0.1:{args.sandbox_port}"})
        )
        log(f"License Shop is up: http://127.0.0.1:{args.port}  (AWS stand-in {moto_url}; Ctrl-C stops)")
        if not args.no_seed:
            threading.Thread(target=demo_readings, args=(f"http://127.0.0.1:{args.port}", log), daemon=True).start()
        while not stop.is_set() and moto.poll() is None:
            stop.wait(0.5)
        if moto.poll() is not None:
            log(f"the AWS stand-in exited ({moto.returncode}); see {state / 'moto.log'}")
    finally:
        for poller in polls:
            poller.stop()
        for pool in pools.values():
            pool.close()
        if gw is not None:
            gw.shutdown()
        if box is not None:
            box.shutdown()
        for proc in started:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        log(f"stopped at {dt.datetime.now():%H:%M:%S}")


# The demo plant of the demo account (public, so the public list shows it) and its inverters,
# whose telemetry secrets are in infra/seed/devices.csv.
DEMO_PLANT = "demo-plant"
DEMO_INVERTERS = ("DEMO-INV-0001", "DEMO-INV-0002", "DEMO-INV-0003")


def demo_readings(url, log):
    """Yesterday's and today's readings of the demo inverters, posted through the real ingest
    route by the simulator, 288 to a request (a few requests in all, so the start stays fast)."""
    sys.path.insert(0, str(ROOT / "infra"))
    import simulator

    devices = {i.serial: i for i in simulator.from_csv(str(ROOT / "infra" / "seed" / "devices.csv"))}
    inverters = [devices[s] for s in DEMO_INVERTERS]
    for inv in inverters:
        inv.latitude, inv.longitude = 48.0, 7.8
    try:
        now = simulator.stack_now(url)
        today = now.astimezone(simulator.BERLIN).date()
        for day in (today - dt.timedelta(days=1), today):
            summary = simulator.run(url, inverters, day=day, until=now, per_request=288, workers=3)
            log(f"demo readings posted: {summary['readings']} for {summary['day']} in {summary['requests']} requests")
    except (OSError, RuntimeError) as e:
        log(f"demo readings not posted: {e}")


if __name__ == "__main__":
    main()
