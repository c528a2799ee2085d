"""What the end-to-end tests share, in one place: the HTTP client (`Shop`), waiting and problem
checks, the operator tool and the payment sandbox, and the steps a customer takes (an account,
a purchase, seats, changes of a license, the moved clock). Test modules import from here and
nowhere else; fixtures (`shop`, `clock`, `unique_email`, ...) live in conftest.py."""

import datetime as dt
import html
import itertools
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from zoneinfo import ZoneInfo

import yaml

PASSWORD = "Sonne#2026x"
SANDBOX = os.environ.get("SANDBOX_URL", "")

# --- talking to the shop -------------------------------------------------------------------


def stand_in(service, resource=False):
    """A boto3 client (or resource) of the local AWS stand-in. Refuses any endpoint but a loopback
    one, so a test can never reach a real AWS account."""
    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    assert endpoint.startswith("http://127.0.0.1:"), "tests only talk to the local stand-in"
    make = boto3.resource if resource else boto3.client
    return make(service, endpoint_url=endpoint, region_name="eu-central-1", aws_access_key_id="test",
                aws_secret_access_key="test")



class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, {k.lower(): v for k, v in headers.items()}, body

    def json(self):
        return json.loads(self.body)


class Shop:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def request(self, method, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if data is not None and not any(k.lower() == "content-type" for k in (headers or {})):
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def outbox(self, to):
        r = self.get(f"/_local/outbox?to={to}")
        assert r.status == 200
        return r.json()["messages"]


def eventually(check, seconds=30, every=0.25):
    """Polls `check` until it returns a truthy value; fails with the last value after `seconds`."""
    deadline = time.time() + seconds
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(every)


def assert_problem(response, status, code):
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["detail"]
    return body


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --- the operator tool and the payment sandbox ---------------------------------------------


def shop_tools(*args):
    """Runs the operator tool against the local stack (environment from its tools.env)."""
    env = dict(os.environ)
    with open(os.environ["SHOP_TOOLS_ENV"], encoding="utf-8") as f:
        env.update(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    return subprocess.run([os.environ["SHOP_TOOLS"], *args], env=env, check=True, capture_output=True, text=True)


def sandbox(method, path, body=None):
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(SANDBOX + path, data=data, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def deliver(shop, event, t=None, signature=None):
    """Posts a payment provider event to the webhook, signed by the sandbox unless `signature`."""
    body = json.dumps(event).encode()
    if signature is None:
        signature = sandbox("POST", "/_sandbox/sign" + (f"?t={t}" if t else ""), body)["signature"]
    req = urllib.request.Request(shop.url + "/v1/payments/webhook", data=body, method="POST",
                                 headers={"content-type": "application/json", "stripe-signature": signature})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def intent_event(kind, pi, order_id):
    return {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": kind,
            "data": {"object": {"id": pi, "object": "payment_intent", "metadata": {"order_id": order_id}}}}


# --- accounts ------------------------------------------------------------------------------


def register(shop, email, password=PASSWORD, **extra):
    body = {"email": email, "name": "Eve Example", "country": "de", "language": "en", "password": password, "accept_terms": True, "accept_privacy": True}
    body.update(extra)
    return shop.post("/v1/accounts", body)


def link_token(shop, email):
    mails = eventually(lambda: shop.outbox(email))
    assert mails, f"no email for {email}"
    return re.search(r"token=([0-9a-f]{64})", html.unescape(mails[-1]["body"])).group(1)


def sign_in(shop, email, password=PASSWORD):
    return shop.post("/v1/sessions", {"email": email, "password": password})


def active_account(shop, email, country="de", **extra):
    """Registers `email` (with `extra` fields, e.g. a company), confirms it from the outbox's
    link and signs in; the access token."""
    assert register(shop, email, country=country, **extra).status == 201
    assert shop.post("/v1/accounts/verify-email", {"token": link_token(shop, email)}).status == 200
    r = sign_in(shop, email)
    assert r.status == 200
    return r.json()["access_token"]


def change_password(shop, token, current, new, confirmation=None):
    body = {"current_password": current, "password": new, "password_confirmation": confirmation or new}
    return shop.request("PUT", "/v1/me/password", body, headers=bearer(token))


def field_codes(r):
    return [f["code"] for f in r.json().get("fields", [])]


_passwords = {}
_fresh = itertools.count(1)


def token_for(shop, email):
    """A full access token at the current clock: an expired password is changed first."""
    password = _passwords.get(email, PASSWORD)
    session = sign_in(shop, email, password).json()
    if session["password_change_required"]:
        new = f"Mond#{next(_fresh)}x{uuid.uuid4().hex[:4]}"
        r = change_password(shop, session["access_token"], password, new)
        assert r.status == 200, r.body
        _passwords[email] = new
        session = sign_in(shop, email, new).json()
    return session["access_token"]


# --- orders --------------------------------------------------------------------------------


def five_team(holder=None):
    line = {"product_id": "alarm-team", "quantity": 5}
    if holder:
        line["holder_email"] = holder
    return [line]


def checkout(shop, token, lines, method="card", pm="pm_card_visa", key=None, billing=None):
    body = {"lines": lines, "payment": {"method": method, "token": pm}, "accept_terms": True}
    if billing:
        body["billing"] = billing
    headers = {**bearer(token), "Idempotency-Key": key or str(uuid.uuid4())}
    return shop.post("/v1/checkout", body, headers=headers)


def order_when(shop, token, order_id, status):
    def check():
        r = shop.get(f"/v1/orders/{order_id}", headers=bearer(token))
        return r.json() if r.status == 200 and r.json()["status"] == status else None

    order = eventually(check)
    assert order, f"order {order_id} never reached {status}"
    return order


def sepa_order(shop, email):
    """A new customer's SEPA order, processing until the sandbox settles it: (token, order id,
    payment intent id)."""
    token = active_account(shop, email)
    r = checkout(shop, token, five_team(), method="sepa_debit", pm="pm_sepa_debit")
    assert r.status == 201, r.body
    order_id = r.json()["id"]
    order_when(shop, token, order_id, "processing")
    (pi,) = sandbox("GET", f"/_sandbox/payment_intents?order_id={order_id}")["data"]
    return token, order_id, pi["id"]


# --- licenses and seats --------------------------------------------------------------------


def bought(shop, token, quantity=5, product="alarm-team", holder=None, pm="pm_card_visa", term=None):
    """Buys one license and waits for its order to be confirmed; the license (subscription) id."""
    line = {"product_id": product, "quantity": quantity}
    if holder:
        line["holder_email"] = holder
    if term:
        line["term"] = term
    r = checkout(shop, token, [line], pm=pm)
    assert r.status == 201, r.body
    order_when(shop, token, r.json()["id"], "confirmed")
    return r.json()["lines"][0]["subscription_id"]


def licensed(shop, email, quantity=5, holder=None):
    """A signed-in owner with a confirmed license of `quantity` seats; (token, license id)."""
    token = active_account(shop, email)
    return token, bought(shop, token, quantity=quantity, holder=holder)


def colleague():
    return f"colleague-{uuid.uuid4().hex[:10]}@example.de"


def assign(shop, token, sub, email, **dates):
    return shop.post(f"/v1/subscriptions/{sub}/seats", {"email": email, **dates}, headers=bearer(token))


def apps(shop, token):
    return [a["id"] for a in shop.get("/v1/me/apps", headers=bearer(token)).json()["apps"]]


def monitoring_data(shop, token):
    """The app portal's monitoring entry: whether a plant of the account may show data today."""
    listed = shop.get("/v1/me/apps", headers=bearer(token)).json()["apps"]
    return next(a for a in listed if a["id"] == "monitoring")["data"]


def accept_invitation(shop, email):
    """An invited colleague sets a password from the invitation's link, signs in and accepts the
    terms of use (as a moved or invited account does on first sign-in); the access token."""
    mail = eventually(lambda: shop.outbox(email))[-1]
    raw = re.search(r"token=([0-9a-f]{64})", html.unescape(mail["body"])).group(1)
    r = shop.post("/v1/accounts/activate", {"token": raw, "password": PASSWORD, "password_confirmation": PASSWORD})
    assert r.status == 200, r.body
    token = sign_in(shop, email).json()["access_token"]
    assert shop.post("/v1/me/terms", {"version": "2026-10"}, headers=bearer(token)).status == 200
    return token


_accepted = set()


def accept_invitation_once(shop, email):
    """As `accept_invitation` the first time for `email`, afterwards only a fresh token."""
    if email not in _accepted:
        _accepted.add(email)
        token = accept_invitation(shop, email)
        _passwords[email] = PASSWORD
        return token
    return token_for(shop, email)


# --- changes of a license ------------------------------------------------------------------


def sub_of(shop, token, sub):
    return shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json()


def preview(shop, token, sub, quantity):
    return shop.post(f"/v1/subscriptions/{sub}/upgrade/preview", {"quantity": quantity}, headers=bearer(token))


def upgrade(shop, token, sub, quantity, key=None):
    return shop.post(f"/v1/subscriptions/{sub}/upgrade", {"quantity": quantity},
                     headers={**bearer(token), "Idempotency-Key": key or str(uuid.uuid4())})


def downgrade(shop, token, sub, quantity):
    return shop.request("PUT", f"/v1/subscriptions/{sub}/scheduled-change", {"quantity": quantity}, headers=bearer(token))


# --- the clock and the schedules -----------------------------------------------------------


def berlin_today(shop):
    """The stack's calendar day in Berlin, where the shop counts days (not the UTC date)."""
    now = dt.datetime.fromisoformat(shop.get("/_local/clock").json()["now"])
    return now.astimezone(ZoneInfo("Europe/Berlin")).date()


def day_after(day, n=1):
    return (dt.date.fromisoformat(day) + dt.timedelta(days=n)).isoformat()


def move_to(shop, day):
    """Sets the clock to 08:00 UTC on `day` (a Berlin calendar day too)."""
    assert shop.post("/_local/clock", {"set": f"{day}T08:00:00Z"}).status == 200


def run_schedule(shop):
    r = shop.post("/_local/schedules/DailyRenewals/run")
    assert r.status == 200, r.body
    return r.json()["result"]


# --- plants --------------------------------------------------------------------------------


def plant_body(**fields):
    """A valid plant (the sample of events/plants.json), with `fields` changed."""
    body = {"name": "Scheune Süd", "description": "Roof of the barn, two strings.", "module_name": "Sunny 400",
            "country": "DE", "postal_code": "79098", "city": "Freiburg", "latitude": "47.9990", "longitude": "7.8421",
            "temperature_coefficient": "-0.35", "azimuth": "180", "tilt": "30", "module_area": "62.5",
            "feed_in_tariff": "0.082", "type": "pv", "public": False}
    body.update(fields)
    return body


def new_plant(shop, token, **fields):
    """Creates a plant of the token's account; its answer."""
    r = shop.post("/v1/plants", plant_body(**fields), headers=bearer(token))
    assert r.status == 201, r.body
    return r.json()


def devices(*powers):
    """Registers one new device per power (None: type `unknown`) with the operator tool; their
    (serial, code)."""
    made = [(f"E2E-{uuid.uuid4().hex[:12].upper()}", f"CODE-{uuid.uuid4().hex[:8]}", p) for p in powers]
    rows = ["serial,activation_code,device_type,nominal_power_w,firmware,secret"]
    rows += [f"{s},{c},{'SMA-E2E' if p else 'unknown'},{p or ''},1.0,secret-{s}" for s, c, p in made]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("\n".join(rows) + "\n")
    shop_tools("import-devices", f.name)
    os.unlink(f.name)
    return [(s, c) for s, c, _ in made]


# --- telemetry ------------------------------------------------------------------------------


def put_telemetry_rows(serial, readings, table="TelemetryTable"):
    """Writes an inverter's readings into the telemetry table in the shape docs/data-model.md
    ("Telemetry") fixes, as store-telemetry writes them: each raw reading `R#<serial>`/<t>, the
    latest state `L#<serial>`/`L` (only moved forward, under the same condition) and per Berlin
    day the aggregate `D#<serial>`/<day> (the day's newest `e_day_wh`, its time, the day's peak).
    `readings`: dicts with `t` (epoch seconds), `ac_w`, `e_day_wh`, `e_total_wh`; the aggregates
    are of these readings alone."""
    db = stand_in("dynamodb")
    serial = serial.upper()
    berlin = ZoneInfo("Europe/Berlin")
    numbers = lambda r: {k: {"N": str(r[k])} for k in ("ac_w", "e_day_wh", "e_total_wh")}
    items, days = [], {}
    for r in readings:
        items.append({"pk": {"S": f"R#{serial}"}, "sk": {"S": f"{r['t']:010d}"}, **numbers(r), "status": {"N": "0"},
                      "expires_at": {"N": str(r["t"] + 2 * 365 * 86_400)}})
        day = dt.datetime.fromtimestamp(r["t"], dt.timezone.utc).astimezone(berlin).date().isoformat()
        last, peak = days.get(day, (r, 0))
        days[day] = (r if r["t"] >= last["t"] else last, max(peak, r["ac_w"]))
    for day, (last, peak) in days.items():
        items.append({"pk": {"S": f"D#{serial}"}, "sk": {"S": day}, "energy_wh": {"N": str(last["e_day_wh"])},
                      "last_t": {"N": str(last["t"])}, "peak_w": {"N": str(peak)}})
    for i in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[i:i + 25]]
        out = db.batch_write_item(RequestItems={table: requests})
        assert not out.get("UnprocessedItems"), out["UnprocessedItems"]
    if readings:
        newest = max(readings, key=lambda r: r["t"])
        try:
            db.put_item(TableName=table, Item={"pk": {"S": f"L#{serial}"}, "sk": {"S": "L"}, **numbers(newest),
                                               "t": {"N": str(newest["t"])}, "status": {"N": "0"}},
                        ConditionExpression="attribute_not_exists(t) OR t < :t",
                        ExpressionAttributeValues={":t": {"N": str(newest["t"])}})
        except db.exceptions.ConditionalCheckFailedException:
            pass  # a newer state is stored already


# --- telemetry rows for the alert tests ------------------------------------------------------


def put_alert_telemetry(serial, latest=None, days=None):
    """Writes an inverter's telemetry rows straight into the stand-in's TelemetryTable, as
    store-telemetry keeps them (docs/data-model.md, "Telemetry"): its latest state with the time
    `latest` (an aware datetime) and its daily aggregate per Berlin day (`days`: {"2027-06-14":
    energy in Wh})."""
    table = stand_in("dynamodb", resource=True).Table("TelemetryTable")
    if latest is not None:
        table.put_item(Item={"pk": f"L#{serial}", "sk": "L", "t": int(latest.timestamp()), "ac_w": 1000})
    for day, wh in (days or {}).items():
        table.put_item(Item={"pk": f"D#{serial}", "sk": day, "energy_wh": wh, "peak_w": 5000,
                             "last_t": int(dt.datetime.fromisoformat(f"{day}T18:00:00+00:00").timestamp())})


# --- template.yaml ---------------------------------------------------------------------------


class _TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (`!GetAtt X.Arn`) as the text `!GetAtt X.Arn`."""


_TemplateLoader.add_multi_constructor(
    "!", lambda loader, tag, node: f"!{tag} {loader.construct_scalar(node)}" if isinstance(node, yaml.ScalarNode) else None)


def template():
    """template.yaml as data, the short tags as text."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "template.yaml"), encoding="utf-8") as f:
        return yaml.load(f.read(), Loader=_TemplateLoader)


def body_limits():
    """The largest body each HTTP route reads, {(METHOD, path): bytes}: its function's
    MAX_BODY_BYTES, else the Globals' one."""
    t = template()
    default = int(t["Globals"]["Function"]["Environment"]["Variables"]["MAX_BODY_BYTES"])
    limits = {}
    for r in t["Resources"].values():
        if r["Type"] != "AWS::Serverless::Function":
            continue
        env = (r["Properties"].get("Environment") or {}).get("Variables") or {}
        limit = int(env.get("MAX_BODY_BYTES", default))
        for event in (r["Properties"].get("Events") or {}).values():
            if event["Type"] == "HttpApi":
                limits[(event["Properties"]["Method"].upper(), event["Properties"]["Path"])] = limit
    return limits

