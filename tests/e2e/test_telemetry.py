"""Inverter telemetry end to end: `POST /v1/telemetry` with the device's credential, the
telemetry queue of template.yaml, the store function behind the local event source, the
telemetry table in the stand-in. Devices come from the operator's import (secret
`secret-<serial>`); what was stored is read straight from the table."""

import datetime as dt
import json
import uuid

import pytest
from helpers import active_account, assert_problem, bearer, berlin_today, bought, devices, eventually, stand_in
from test_inverters import add, plant
from test_mail import queue_url

TELEMETRY = "TelemetryTable"


@pytest.fixture(scope="module")
def ddb():
    return stand_in("dynamodb", resource=True)


@pytest.fixture(scope="module")
def telemetry(ddb):
    return ddb.Table(TELEMETRY)


@pytest.fixture(scope="module")
def table(ddb):
    return ddb.Table("ShopTable")


def now(shop):
    return dt.datetime.fromisoformat(shop.get("/_local/clock").json()["now"])


def iso(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def reading(t, ac_w=1000, e_day_wh=500, e_total_wh=100_000, **extra):
    return {"time": iso(t), "ac_w": ac_w, "e_day_wh": e_day_wh, "e_total_wh": e_total_wh, "status": 0, **extra}


def post(shop, serial, body, secret=None):
    secret = secret or f"secret-{serial}"
    return shop.post("/v1/telemetry", body, headers={"authorization": f"Device {serial}:{secret}"})


def stored(telemetry, serial):
    """The inverter's stored readings, by time (epoch seconds)."""
    items = telemetry.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"R#{serial}"},
                            ConsistentRead=True)["Items"]
    return {int(i["sk"]): i for i in items}


def item(telemetry, pk, sk):
    return telemetry.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")


def series(start, n, step_minutes=5, ac_w=1000):
    return [reading(start + dt.timedelta(minutes=step_minutes * i), ac_w=ac_w, e_day_wh=100 * i) for i in range(n)]


def test_every_bad_credential_is_one_401_and_nothing_is_stored(shop, telemetry):
    [(serial, _), (other, _)] = devices(10_000, 10_000)
    t = now(shop) - dt.timedelta(minutes=10)
    body = {"readings": [reading(t)]}
    for attempt in (
        post(shop, serial, body, secret="wrong-secret"),
        post(shop, f"E2E-UNKNOWN-{uuid.uuid4().hex[:8].upper()}", body),
        post(shop, serial, body, secret=f"secret-{other}"),
        shop.post("/v1/telemetry", body),
        shop.post("/v1/telemetry", body, headers={"authorization": f"Bearer secret-{serial}"}),
    ):
        assert_problem(attempt, 401, "invalid_device_credential")
    # A good request after them is stored; had any bad one been queued, it would be too.
    marker = t + dt.timedelta(minutes=1)
    assert post(shop, serial, {"readings": [reading(marker)]}).status == 202
    assert eventually(lambda: stored(telemetry, serial))
    assert list(stored(telemetry, serial)) == [int(marker.timestamp())]
    assert stored(telemetry, other) == {}


@pytest.mark.parametrize("field, value, code", [
    ("time", "2026-13-01T00:00:00Z", "invalid_time"),
    ("time", "FUTURE", "time_in_future"),
    ("time", "OLD", "time_too_old"),
    ("ac_w", -1, "invalid_ac_w"),
    ("ac_w", 10_000_001, "invalid_ac_w"),
    ("e_day_wh", 1.5, "invalid_e_day_wh"),
    ("e_total_wh", "100", "invalid_e_total_wh"),
    ("status", 65_536, "invalid_status"),
    ("errors", [1, -2], "invalid_errors"),
])
def test_each_bad_field_is_a_422_with_its_index_and_nothing_is_stored(shop, telemetry, field, value, code):
    [(serial, _)] = devices(10_000)
    t = now(shop) - dt.timedelta(minutes=30)
    if value == "FUTURE":
        value = iso(now(shop) + dt.timedelta(minutes=6))
    elif value == "OLD":
        value = iso(now(shop) - dt.timedelta(days=31))
    readings = series(t, 3)
    readings[2][field] = value
    r = post(shop, serial, {"readings": readings})
    body = assert_problem(r, 422, "invalid_readings")
    assert [(f["field"], f["code"]) for f in body["fields"]] == [(f"readings[2].{field}", code)]
    marker = t + dt.timedelta(minutes=1)
    assert post(shop, serial, {"readings": [reading(marker)]}).status == 202
    assert eventually(lambda: stored(telemetry, serial))
    assert list(stored(telemetry, serial)) == [int(marker.timestamp())]


def test_a_batch_posted_three_times_and_a_duplicate_inside_are_stored_once(shop, telemetry):
    [(serial, _)] = devices(10_000)
    t = now(shop) - dt.timedelta(hours=5)
    batch = series(t, 12)
    for _ in range(3):
        assert post(shop, serial, {"readings": batch}).status == 202
    # 40 readings with 5 repeated inside the request: 35 distinct, more than one write of 25.
    big = series(t + dt.timedelta(hours=1), 35)
    assert post(shop, serial, {"readings": big + big[:5]}).status == 202
    expected = {int((t + dt.timedelta(minutes=5 * i)).timestamp()) for i in range(12)}
    expected |= {int((t + dt.timedelta(hours=1, minutes=5 * i)).timestamp()) for i in range(35)}
    assert eventually(lambda: set(stored(telemetry, serial)) == expected, seconds=30)
    eventually(lambda: False, seconds=2)
    assert set(stored(telemetry, serial)) == expected


def test_the_latest_state_never_moves_back_when_an_older_batch_comes_late(shop, telemetry):
    [(serial, _)] = devices(10_000)
    t = now(shop) - dt.timedelta(minutes=20)
    newer = [reading(t, ac_w=2000, e_day_wh=9000)]
    older = [reading(t - dt.timedelta(minutes=30), ac_w=4000, e_day_wh=8000)]
    assert post(shop, serial, {"readings": newer}).status == 202
    assert eventually(lambda: item(telemetry, f"L#{serial}", "L"))
    assert post(shop, serial, {"readings": older}).status == 202
    assert eventually(lambda: len(stored(telemetry, serial)) == 2)
    eventually(lambda: False, seconds=1)
    latest = item(telemetry, f"L#{serial}", "L")
    assert (int(latest["t"]), int(latest["ac_w"])) == (int(t.timestamp()), 2000)


def test_a_poison_message_reaches_the_dead_letter_queue_while_its_batch_is_stored(shop, sqs, telemetry):
    [(serial, _)] = devices(10_000)
    url, dlq = queue_url(sqs, "TelemetryQueue"), queue_url(sqs, "TelemetryDeadLetterQueue")
    t = int((now(shop) - dt.timedelta(minutes=15)).timestamp())
    good = {"serial": serial, "readings": [{"t": t, "ac_w": 1, "e_day_wh": 2, "e_total_wh": 3, "status": 0}]}
    marker = uuid.uuid4().hex
    poison = {"serial": serial, "readings": marker}
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "good", "MessageBody": json.dumps(good)},
        {"Id": "poison", "MessageBody": json.dumps(poison)},
    ])
    assert eventually(lambda: stored(telemetry, serial))

    def dead_lettered():
        got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [m for m in got.get("Messages", []) if marker in m["Body"]]

    assert eventually(dead_lettered, seconds=60, every=0.5), "the poison message never reached the DLQ"
    assert list(stored(telemetry, serial)) == [t]


def test_a_reported_configuration_updates_the_inverter_and_ends_a_license_the_plant_outgrew(
        shop, table, unique_email):
    token = active_account(shop, unique_email)
    pid = plant(shop, table, token, first_activation="2025-01-01")
    sub = bought(shop, token, quantity=5)
    today = berlin_today(shop)
    table.put_item(Item={
        "pk": f"PLANT#{pid}", "sk": f"LICENSE#{sub}", "subscription_id": sub, "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=364)).isoformat(), "power_w": 5000, "net": "30.00",
    })
    [(serial, code)] = devices(5_000)
    assert add(shop, token, pid, serial, code).status == 201
    report = {"type": "SMA Sunny Tripower 10.0", "nominal_power_w": 10_000, "firmware": "3.10.2"}
    r = post(shop, serial, {"config": report})
    assert r.status == 202 and r.json() == {"accepted": 0, "config": True}, r.body

    def inverter():
        listed = shop.get(f"/v1/plants/{pid}/inverters", headers=bearer(token)).json()["inverters"]
        return [i for i in listed if i["serial"] == serial and i["nominal_power_w"] == 10_000]

    assert eventually(inverter), shop.get(f"/v1/plants/{pid}/inverters", headers=bearer(token)).body
    assert inverter()[0]["type"] == "SMA Sunny Tripower 10.0"
    ended = lambda: shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json()["status"] == "expired"
    assert eventually(ended)
    row = table.get_item(Key={"pk": f"PLANT#{pid}", "sk": f"LICENSE#{sub}"}, ConsistentRead=True)["Item"]
    assert row["ended_on"] == today.isoformat()
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if "monitoring license" in m["subject"]])
    assert len(mails) == 1
