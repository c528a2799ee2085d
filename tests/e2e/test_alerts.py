"""Plant alerts over HTTP with the clock moved: the owner switches them on, the 15-minute job
runs (`AlertSchedule`), the worker judges the plant and the owner's outbox shows each of the
three conditions once, never again for the same event or day, the all-clear once, nothing at
night, and nothing twice when the job runs twice. Telemetry rows are written straight into the
stand-in's TelemetryTable, as store-telemetry keeps them."""

import datetime as dt
import uuid

from helpers import (
    active_account, assert_problem, bearer, devices, eventually, put_alert_telemetry, new_plant,
)
from jsonschema import validate
from test_openapi import schema

UTC = dt.timezone.utc
DAY, YESTERDAY = "2027-06-15", "2027-06-14"


def at(raw):
    return dt.datetime.fromisoformat(raw).replace(tzinfo=UTC)


def set_clock(shop, instant):
    assert shop.post("/_local/clock", {"set": instant}).status == 200


def run_alert_job(shop):
    r = shop.post("/_local/schedules/AlertSchedule/run")
    assert r.status == 200, r.body
    return r.json()["result"]


def alert_mails(shop, email):
    return sorted(m["subject"] for m in shop.outbox(email) if "(Scheune" in (m["subject"] or ""))


def settle(shop, email, count, seconds=30):
    """Waits until the outbox holds `count` alert emails of `email`, then a little longer to see
    that no more arrive; their subjects."""
    eventually(lambda: len(alert_mails(shop, email)) >= count, seconds=seconds)
    eventually(lambda: False, seconds=4)
    return alert_mails(shop, email)


def plant_with_two_inverters(shop, email):
    """On the 14th: an owner, a plant in Freiburg and two 10 kW inverters (its trial starts)."""
    set_clock(shop, f"{YESTERDAY}T08:00:00Z")
    token = active_account(shop, email)
    pid = new_plant(shop, token)["id"]
    serials = []
    for (serial, code), label in zip(devices(10_000, 10_000), ["West", "East"]):
        r = shop.post(f"/v1/plants/{pid}/inverters", {"serial": serial, "activation_code": code, "label": label},
                      headers=bearer(token))
        assert r.status == 201, r.body
        serials.append(serial)
    return token, pid, serials


def test_settings_are_the_owners_and_checked(shop, clock, unique_email):
    token, pid, _ = plant_with_two_inverters(shop, unique_email)
    r = shop.get(f"/v1/plants/{pid}/alerts", headers=bearer(token))
    assert r.status == 200 and r.json()["no_data"] == {"enabled": False, "window_minutes": 60}
    validate(r.json(), schema("AlertSettingsAnswer"))
    bad = shop.request("PUT", f"/v1/plants/{pid}/alerts", {"underperformance": {"enabled": True, "percent": 0}},
                       headers=bearer(token))
    assert_problem(bad, 422, "invalid_alert_settings")
    stranger = active_account(shop, f"e2e-{uuid.uuid4().hex[:12]}@example.de")
    for method in ("GET", "PUT"):
        r = shop.request(method, f"/v1/plants/{pid}/alerts", {} if method == "PUT" else None,
                         headers=bearer(stranger))
        assert_problem(r, 404, "plant_not_found")


def test_each_condition_alerts_once_and_clears_once(shop, clock, unique_email):
    token, pid, (west, east) = plant_with_two_inverters(shop, unique_email)
    on = {"no_data": {"enabled": True, "window_minutes": 60}, "underperformance": {"enabled": True, "percent": 20},
          "below_forecast": {"enabled": True}}
    r = shop.request("PUT", f"/v1/plants/{pid}/alerts", on, headers=bearer(token))
    assert r.status == 200, r.body

    # Noon in Berlin on the 15th: East silent since 09:00, a third of West's energy per kW;
    # the 14th made 40 kWh, below the default forecast of 20 kW in June (82.3 kWh).
    set_clock(shop, f"{DAY}T10:00:00Z")
    put_alert_telemetry(west, latest=at(f"{DAY}T09:55:00"), days={DAY: 30_000, YESTERDAY: 20_000})
    put_alert_telemetry(east, latest=at(f"{DAY}T07:00:00"), days={DAY: 10_000, YESTERDAY: 20_000})
    assert run_alert_job(shop)["plants"] >= 1
    first = settle(shop, unique_email, 3)
    assert len(first) == 3, first
    assert any(s.startswith("No data from East") for s in first), first
    assert any("East" in s and "produces less" in s for s in first), first
    assert any("stayed below its forecast" in s for s in first), first

    # The job twice more, the same minute and 15 minutes later: nothing new.
    run_alert_job(shop)
    set_clock(shop, f"{DAY}T10:15:00Z")
    put_alert_telemetry(west, latest=at(f"{DAY}T10:10:00"))
    run_alert_job(shop)
    assert settle(shop, unique_email, 3) == first

    # East sends again: one all-clear, also when the job runs twice.
    set_clock(shop, f"{DAY}T10:30:00Z")
    put_alert_telemetry(east, latest=at(f"{DAY}T10:25:00"))
    put_alert_telemetry(west, latest=at(f"{DAY}T10:25:00"))
    run_alert_job(shop)
    run_alert_job(shop)
    mails = settle(shop, unique_email, 4)
    cleared = [s for s in mails if s.startswith("All clear")]
    assert len(mails) == 4 and len(cleared) == 1 and "sends data again" in cleared[0] and "East" in cleared[0], mails

    # East silent again the same afternoon: no second alert that day.
    set_clock(shop, f"{DAY}T13:00:00Z")
    put_alert_telemetry(west, latest=at(f"{DAY}T12:55:00"))
    run_alert_job(shop)
    assert len(settle(shop, unique_email, 4)) == 4


def test_no_data_waits_for_daylight(shop, clock, unique_email):
    token, pid, (west, east) = plant_with_two_inverters(shop, unique_email)
    r = shop.request("PUT", f"/v1/plants/{pid}/alerts", {"no_data": {"enabled": True, "window_minutes": 60}},
                     headers=bearer(token))
    assert r.status == 200, r.body
    for serial in (west, east):
        put_alert_telemetry(serial, latest=at(f"{DAY}T19:00:00"))
    # 23:30 in Berlin: hours without data, but the sun is down.
    set_clock(shop, f"{DAY}T21:30:00Z")
    run_alert_job(shop)
    assert settle(shop, unique_email, 0) == []
    # 07:30 the next morning, two hours after sunrise: both inverters, once each.
    set_clock(shop, "2027-06-16T05:30:00Z")
    run_alert_job(shop)
    run_alert_job(shop)
    mails = settle(shop, unique_email, 2)
    assert len(mails) == 2 and all(s.startswith("No data from") for s in mails), mails
