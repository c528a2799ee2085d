"""A plant's data over HTTP (docs/solar.md, "Plant data"): history that adds up to the readings
written at every resolution, the figures of now, CSV of the same history, 200 in the trial, 402
`license_required` once it is over and 200 again when a license is bought, 404 for another
owner's plant, 422 for bad parameters. Readings are written into the telemetry table in the
contract's shape (`put_telemetry_rows`), as store-telemetry leaves them."""

import csv
import datetime as dt
import io
import math
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import yaml
from helpers import (
    active_account, assert_problem, bearer, berlin_today, checkout, day_after, devices, move_to, new_plant,
    order_when, put_telemetry_rows, token_for,
)

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
BERLIN = ZoneInfo("Europe/Berlin")


def matches(answer, name):
    jsonschema.validate(answer, {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]})


def stack_now(shop):
    return dt.datetime.fromisoformat(shop.get("/_local/clock").json()["now"])


def midnight(day):
    """The UTC instant a Berlin day starts."""
    return dt.datetime.combine(day, dt.time(), BERLIN).astimezone(dt.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def curve(start, n, peak_w, total_before):
    """`n` readings 5 minutes apart from `start` (UTC), a sine curve up to `peak_w`."""
    out, e_day = [], 0
    for i in range(n):
        ac = round(peak_w * math.sin(math.pi * i / n))
        e_day += ac // 12
        out.append({"t": int(start.timestamp()) + 300 * i, "ac_w": ac, "e_day_wh": e_day, "e_total_wh": total_before + e_day})
    return out


def plant_with_inverters(shop, token, n=2, **fields):
    pid = new_plant(shop, token, **fields)["id"]
    made = devices(*([10_000] * n))
    for serial, code in made:
        r = shop.post(f"/v1/plants/{pid}/inverters", {"serial": serial, "activation_code": code}, headers=bearer(token))
        assert r.status == 201, r.body
    return pid, [s for s, _ in made]


def data(shop, token, pid, accept="application/json", **query):
    qs = "&".join(f"{k}={v.replace(':', '%3A').replace('+', '%2B')}" for k, v in query.items())
    return shop.get(f"/v1/plants/{pid}/data" + (f"?{qs}" if qs else ""), headers={**bearer(token), "accept": accept})


def energy(points):
    return sum(p["energy_wh"] for p in points)


def test_history_adds_up_to_the_readings_written_in_the_trial(shop, unique_email):
    token = active_account(shop, unique_email)
    pid, serials = plant_with_inverters(shop, token)
    yesterday = berlin_today(shop) - dt.timedelta(days=1)
    start = midnight(yesterday) + dt.timedelta(hours=7)
    written = {s: curve(start, 120, 3000 + 1000 * i, 1_000_000 * (i + 1)) for i, s in enumerate(serials)}
    for serial, readings in written.items():
        put_telemetry_rows(serial, readings)
    day_energy = sum(r[-1]["e_day_wh"] for r in written.values())
    whole_day = {"from": iso(midnight(yesterday)), "to": iso(midnight(yesterday + dt.timedelta(days=1)))}
    for resolution, buckets in (("5m", 120), ("hour", 10)):
        r = data(shop, token, pid, resolution=resolution, **whole_day)
        assert r.status == 200, r.body
        body = r.json()
        matches(body, "PlantData")
        assert energy(body["history"]) == day_energy
        assert len(body["history"]) == buckets
        by_serial = {i["serial"]: i for i in body["inverters"]}
        for serial, readings in written.items():
            assert energy(by_serial[serial]["history"]) == readings[-1]["e_day_wh"]
            assert max(p["avg_power_w"] for p in by_serial[serial]["history"]) <= max(x["ac_w"] for x in readings)
    r = data(shop, token, pid, resolution="day", **{"from": yesterday.isoformat(), "to": yesterday.isoformat()})
    assert r.status == 200, r.body
    assert r.json()["history"] == [{"start": yesterday.isoformat(), "energy_wh": day_energy, "avg_power_w": None}]
    month = data(shop, token, pid, resolution="month").json()["history"]
    assert sum(p["energy_wh"] for p in month) == day_energy


def test_the_figures_of_now_and_csv(shop, unique_email):
    token = active_account(shop, unique_email)
    pid, serials = plant_with_inverters(shop, token)
    now = stack_now(shop)
    latest = []
    for i, serial in enumerate(serials):
        reading = {"t": int(now.timestamp()) - 120, "ac_w": 2000 + i, "e_day_wh": 5000 * (i + 1), "e_total_wh": 70_000 + i}
        put_telemetry_rows(serial, [reading])
        latest.append(reading)
    body = data(shop, token, pid).json()
    figures = body["now"]
    assert figures["current_power_w"] == 4001
    assert figures["total_energy_wh"] == 140_001
    # The readings are 2 minutes old: of today unless the Berlin day began since.
    if (now - dt.timedelta(minutes=2)).astimezone(BERLIN).date() == now.astimezone(BERLIN).date():
        assert figures["today_energy_wh"] == 15_000
        assert figures["today_revenue"] == "1.23"  # 15 kWh × 0.082 EUR = 1.23
    r = data(shop, token, pid, accept="text/csv", resolution="hour")
    assert r.status == 200, r.body
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.body.decode())))
    json_history = data(shop, token, pid, resolution="hour").json()
    plant_rows = [row for row in rows if row["series"] == "plant"]
    assert [(row["start"], int(row["energy_wh"])) for row in plant_rows] == [
        (p["start"], p["energy_wh"]) for p in json_history["history"]]
    assert {row["series"] for row in rows} <= {"plant", *serials}


def test_402_after_the_trial_and_200_once_licensed(clock, unique_email):
    shop = clock
    token = active_account(shop, unique_email)
    pid, _ = plant_with_inverters(shop, token, n=1)
    assert data(shop, token, pid).status == 200
    today = berlin_today(shop).isoformat()
    move_to(shop, day_after(today, 40))  # day 41: the trial (days 1 to 40) is over
    token = token_for(shop, unique_email)
    r = data(shop, token, pid)
    body = assert_problem(r, 402, "license_required")
    assert body["link"] == "/v1/checkout" and body["product_id"] == "solar-monitoring"
    placed = checkout(shop, token, [{"product_id": body["product_id"], "term": "P365D", "plants": [pid]}])
    assert placed.status == 201, placed.body
    order_when(shop, token, placed.json()["id"], "confirmed")
    assert data(shop, token, pid).status == 200


def test_another_owners_plant_is_404_and_bad_parameters_422(shop, unique_email):
    token = active_account(shop, unique_email)
    pid, _ = plant_with_inverters(shop, token, n=1)
    other = active_account(shop, f"other-{uuid.uuid4().hex[:8]}@example.de")
    assert_problem(data(shop, other, pid), 404, "plant_not_found")
    assert_problem(data(shop, token, "no-such-plant"), 404, "plant_not_found")
    for query, status, code in [
        ({"resolution": "week"}, 422, "invalid_resolution"),
        ({"from": "2026-11-22T00:00:00Z"}, 422, "invalid_range"),
        ({"resolution": "5m", "from": "2026-11-22", "to": "2026-11-23"}, 422, "invalid_time"),
        ({"resolution": "day", "from": "2026-11-22T00:00:00Z", "to": "2026-11-23"}, 422, "invalid_date"),
        ({"resolution": "5m", "from": "2026-11-01T00:00:00Z", "to": "2026-11-22T00:00:00Z"}, 422, "range_too_large"),
        ({"resolution": "day", "from": "2026-11-23", "to": "2026-11-22"}, 422, "invalid_range"),
        ({"page": "2"}, 400, "unknown_parameter"),
    ]:
        assert_problem(data(shop, token, pid, **query), status, code)
