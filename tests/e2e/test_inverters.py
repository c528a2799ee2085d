"""Inverters of a plant over HTTP: activation codes and their limit, one plant per device under
a race, the `unknown` type's 20 kW, labels, removal, exchange, the one trial per plant, and a
license the plant outgrows ending once with one email. Plants are written straight into the
stand-in's table, as the plants function stores them; devices come from the operator's import."""

import datetime as dt
import json
import os
import subprocess
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import (
    active_account, assert_problem, bearer, berlin_today, bought, day_after, devices, eventually, move_to,
    shop_tools, sign_in, stand_in,
)
from jsonschema import validate
from test_openapi import schema

TABLE = "ShopTable"


@pytest.fixture(scope="module")
def table():
    return stand_in("dynamodb", resource=True).Table(TABLE)


def account_id(shop, token):
    return shop.get("/v1/me", headers=bearer(token)).json()["id"]


def plant(shop, table, token, first_activation=None):
    """A new plant of the token's account, without inverters; its id."""
    pid = f"p-{uuid.uuid4().hex[:16]}"
    item = {
        "pk": f"PLANT#{pid}", "sk": "PLANT", "account_id": account_id(shop, token), "version": 1,
        "created_at": "2026-11-01T10:00:00Z",
        "plant": json.dumps({
            "name": "Roof east", "description": "", "module_name": "", "country": "DE",
            "postal_code": "72555", "city": "Metzingen", "latitude": "48.5369", "longitude": "9.2833",
            "temperature_coefficient": "-0.45", "azimuth": "180", "tilt": "30", "module_area": "52.5",
            "feed_in_tariff": "0.0823", "type": "pv", "public": False}),
    }
    if first_activation:
        item["first_activation"] = first_activation
    table.put_item(Item=item)
    return pid


def add(shop, token, pid, serial, code, label=None):
    body = {"serial": serial, "activation_code": code}
    if label is not None:
        body["label"] = label
    return shop.post(f"/v1/plants/{pid}/inverters", body, headers=bearer(token))


@pytest.fixture
def owner(shop, table, unique_email):
    token = active_account(shop, unique_email)
    return token, plant(shop, table, token)


def test_wrong_codes_are_refused_alike_and_limited_before_any_compare(shop, owner):
    token, pid = owner
    [(serial, code)] = devices(10_000)
    assert_problem(add(shop, token, pid, "E2E-NO-SUCH-DEVICE", code), 422, "invalid_activation")
    for _ in range(9):
        assert_problem(add(shop, token, pid, serial, "WRONG-CODE"), 422, "invalid_activation")
    assert_problem(add(shop, token, pid, serial, "WRONG-CODE"), 429, "too_many_activation_attempts")
    # The right code is not even compared now: guessing stops.
    assert_problem(add(shop, token, pid, serial, code), 429, "too_many_activation_attempts")
    r = shop.get(f"/v1/plants/{pid}/inverters", headers=bearer(token))
    assert r.json()["inverters"] == [] and r.json()["first_activation"] is None


def test_one_device_added_by_two_accounts_at_once_lands_in_one_plant(shop, table):
    owners = []
    for _ in range(2):
        token = active_account(shop, f"e2e-{uuid.uuid4().hex[:12]}@example.de")
        owners.append((token, plant(shop, table, token)))
    for _ in range(20):
        [(serial, code)] = devices(5_000)
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda o: add(shop, o[0], o[1], serial, code), owners))
        statuses = sorted(a.status for a in answers)
        assert statuses == [201, 409], [a.body for a in answers]
        loser = next(a for a in answers if a.status == 409)
        assert loser.json()["code"] == "inverter_in_use"
        held = [len([i for i in shop.get(f"/v1/plants/{p}/inverters", headers=bearer(t)).json()["inverters"]
                     if i["serial"] == serial]) for t, p in owners]
        assert sorted(held) == [0, 1]


def test_unknown_type_counts_20_kw_and_labels_removal_and_exchange_keep_their_promises(shop, table, owner):
    token, pid = owner
    (unknown, ucode), (known, kcode) = devices(None, 8_000)
    r = add(shop, token, pid, unknown.lower(), ucode, label="Barn")
    assert r.status == 201, r.body
    validate(r.json(), schema("InverterPlaced"))
    assert r.json()["inverter"]["type"] == "unknown"
    assert r.json()["inverter"]["counted_power_w"] == 20_000 and r.json()["total_power_w"] == 20_000
    r = shop.request("PATCH", f"/v1/plants/{pid}/inverters/{unknown}", {"label": "Barn west"}, headers=bearer(token))
    assert r.status == 200 and r.json()["label"] == "Barn west"
    # Exchange: the new device takes the place and the label; the old one is free again.
    r = shop.post(f"/v1/plants/{pid}/inverters/{unknown}/exchange", {"serial": known, "activation_code": kcode},
                  headers=bearer(token))
    assert r.status == 201, r.body
    assert (r.json()["inverter"]["serial"], r.json()["inverter"]["label"]) == (known, "Barn west")
    assert r.json()["total_power_w"] == 8_000
    listed = shop.get(f"/v1/plants/{pid}/inverters", headers=bearer(token)).json()
    validate(listed, schema("InverterList"))
    assert [i["serial"] for i in listed["inverters"]] == [known]
    r = shop.request("DELETE", f"/v1/plants/{pid}/inverters/{known}", headers=bearer(token))
    assert r.status == 200 and r.json()["inverters"] == [] and r.json()["total_power_w"] == 0
    assert_problem(shop.request("DELETE", f"/v1/plants/{pid}/inverters/{known}", headers=bearer(token)),
                   404, "inverter_not_found")
    # Both devices may go elsewhere now.
    other = plant(shop, table, token)
    assert add(shop, token, other, unknown, ucode).status == 201


def test_the_trial_is_not_restarted_by_removing_and_adding_again(clock, table, unique_email):
    shop = clock
    token = active_account(shop, unique_email)
    pid = plant(shop, table, token)
    [(serial, code)] = devices(5_000)
    today = berlin_today(shop).isoformat()
    assert add(shop, token, pid, serial, code).json()["first_activation"] == today
    assert shop.request("DELETE", f"/v1/plants/{pid}/inverters/{serial}", headers=bearer(token)).status == 200
    move_to(shop, day_after(today, 50))
    token = sign_in(shop, unique_email).json()["access_token"]
    r = add(shop, token, pid, serial, code)
    assert r.status == 201, r.body
    assert r.json()["first_activation"] == today
    assert r.json()["inverter"]["activated_on"] == day_after(today, 50)


def test_power_above_a_license_ends_it_today_and_the_owner_is_told_once(shop, table, unique_email):
    token = active_account(shop, unique_email)
    # The trial is long over; the plant holds a license for 5 kW (30.00 net for 365 days).
    pid = plant(shop, table, token, first_activation="2025-01-01")
    sub = bought(shop, token, quantity=5)
    today = berlin_today(shop)
    ends = today + dt.timedelta(days=364)
    table.put_item(Item={
        "pk": f"PLANT#{pid}", "sk": f"LICENSE#{sub}", "subscription_id": sub, "starts_on": today.isoformat(),
        "ends_on": ends.isoformat(), "power_w": 5000, "net": "30.00",
    })
    [(serial, code)] = devices(10_000)
    first = add(shop, token, pid, serial, code)
    assert first.status == 201, first.body
    ended = first.json()["ended_licenses"]
    assert ended == [{"license": sub, "licensed_power": 5000, "ended_on": today.isoformat(),
                      "residual": {"remaining_days": 365, "term_days": 365, "value": "30.00"}}]
    again = add(shop, token, pid, serial, code)
    assert again.status == 200 and again.json()["ended_licenses"] == ended
    row = table.get_item(Key={"pk": f"PLANT#{pid}", "sk": f"LICENSE#{sub}"}, ConsistentRead=True)["Item"]
    assert row["ended_on"] == today.isoformat()
    license_now = shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json()
    assert (license_now["status"], license_now["auto_renew"]) == ("expired", False)
    ended_mails = lambda: [m for m in shop.outbox(unique_email) if "monitoring license" in m["subject"]]
    mails = eventually(ended_mails)
    assert len(mails) == 1 and "30.00" in mails[0]["body"], mails
    # The retry queued the message again under the same dedupe key: still one email.
    eventually(lambda: False, seconds=3)
    assert len(ended_mails()) == 1


def test_a_renewal_paid_ahead_ends_with_its_license_and_the_owner_is_told_once(shop, table, unique_email):
    """A renewed term has a row of its own (`<license>-t1`, `renews` naming the license): when
    the plant outgrows both, both rows end today, the license is ended once, one email."""
    token = active_account(shop, unique_email)
    pid = plant(shop, table, token, first_activation="2025-01-01")
    sub = bought(shop, token, quantity=5)
    today = berlin_today(shop)
    first_end = today + dt.timedelta(days=364)
    rows = [
        {"subscription_id": sub, "starts_on": today.isoformat(), "ends_on": first_end.isoformat()},
        {"subscription_id": f"{sub}-t1", "renews": sub, "starts_on": (first_end + dt.timedelta(days=1)).isoformat(),
         "ends_on": (first_end + dt.timedelta(days=365)).isoformat()},
    ]
    for row in rows:
        table.put_item(Item={"pk": f"PLANT#{pid}", "sk": f"LICENSE#{row['subscription_id']}", "power_w": 5000,
                             "net": "30.00", **row})
    [(serial, code)] = devices(10_000)
    added = add(shop, token, pid, serial, code)
    assert added.status == 201, added.body
    ended = {e["license"]: e["residual"]["value"] for e in added.json()["ended_licenses"]}
    assert ended == {sub: "30.00", f"{sub}-t1": "30.00"}, "a term not begun is credited in full"
    for row in rows:
        stored = table.get_item(Key={"pk": f"PLANT#{pid}", "sk": f"LICENSE#{row['subscription_id']}"},
                                ConsistentRead=True)["Item"]
        assert stored["ended_on"] == today.isoformat()
    assert shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json()["status"] == "expired"
    ended_mails = lambda: [m for m in shop.outbox(unique_email) if "monitoring license" in m["subject"]]
    [mail] = eventually(ended_mails)
    assert "60.00" in mail["body"], "the credit of both terms"
    # Another inverter the same day lists the ended license again and queues the same email
    # (its content does not depend on the plant's power now): still one.
    [(more, more_code)] = devices(1_000)
    assert add(shop, token, pid, more, more_code).status == 201
    eventually(lambda: False, seconds=3)
    assert len(ended_mails()) == 1, "one email per license, not per term or per add"


def test_the_registry_import_is_all_or_nothing_and_never_changes_a_device(shop, owner):
    token, pid = owner
    serial, code = f"E2E-{uuid.uuid4().hex[:12].upper()}", "CODE-ORIGINAL"
    fresh = f"E2E-{uuid.uuid4().hex[:12].upper()}"
    header = "serial,activation_code,device_type,nominal_power_w,firmware,secret\n"

    def run(*rows):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write(header + "".join(r + "\n" for r in rows))
        try:
            return shop_tools("import-devices", f.name).stdout
        finally:
            os.unlink(f.name)

    row = f"{serial},{code},SMA-E2E,5000,1.0,secret-{serial}"
    assert "imported 1 devices (0 already registered)" in run(row)
    assert add(shop, token, pid, serial, code).status == 201
    # The same file again: nothing changes, the device stays in its plant.
    assert "imported 0 devices (1 already registered)" in run(row)
    # Another code for a registered serial, or a bad row: refused, and nothing of the file is written.
    for rows in ([f"{serial},CODE-CHANGED,SMA-E2E,5000,1.0,secret-{serial}", f"{fresh},CODE-NEW,unknown,,1.0,secret-x1"],
                 [f"{fresh},CODE-NEW,unknown,,1.0,secret-x1", "bad serial!,CODE,unknown,,1.0,secret-x2"]):
        with pytest.raises(subprocess.CalledProcessError) as refused:
            run(*rows)
        assert "nothing imported" in refused.value.stderr
    assert_problem(add(shop, token, pid, fresh, "CODE-NEW"), 422, "invalid_activation")
    listed = shop.get(f"/v1/plants/{pid}/inverters", headers=bearer(token)).json()["inverters"]
    assert [i["serial"] for i in listed] == [serial]
