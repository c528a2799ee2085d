"""Monitoring licenses bought through checkout: one license per plant priced by its power, for
365 or 730 days; paid, each writes its row into the plant; consumers only in Germany; the
residual value of a license the plant outgrew credited once on the next license, exactly as
the preview shows it. Plants and inverters are written into the table as docs/data-model.md
lays them out (the plants and inverters routes are built alongside)."""

import concurrent.futures
import datetime as dt
import json
import os
import uuid

import boto3
import jsonschema
import yaml
from pathlib import Path
from helpers import (
    active_account, assert_problem, bearer, berlin_today, checkout, day_after, move_to, order_when, plant_body,
    token_for,
)

TABLE = "ShopTable"
SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
PRODUCT = "solar-monitoring"


def dynamodb():
    return boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="eu-central-1", aws_access_key_id="t", aws_secret_access_key="t")


def account_id(shop, token):
    return shop.get("/v1/me", headers=bearer(token)).json()["id"]


def plant(shop, token, watts, first_activation=None, country="DE"):
    """A plant of the caller with one inverter per entry of `watts` (None: type unknown)."""
    db, owner, pid = dynamodb(), account_id(shop, token), f"pl-{uuid.uuid4().hex[:10]}"
    first = first_activation or "2025-01-01"
    details = {
        "name": f"Roof {pid}", "description": "", "module_name": "", "country": country, "postal_code": "72555",
        "city": "Metzingen", "latitude": "48.5369", "longitude": "9.2833", "temperature_coefficient": "-0.45",
        "azimuth": "180", "tilt": "30", "module_area": "52.5", "feed_in_tariff": "0.0823", "type": "pv", "public": False,
    }
    db.put_item(TableName=TABLE, Item={
        "pk": {"S": f"PLANT#{pid}"}, "sk": {"S": "PLANT"}, "plant": {"S": json.dumps(details)},
        "account_id": {"S": owner}, "version": {"N": "1"}, "created_at": {"S": "2025-01-01T00:00:00Z"},
        "first_activation": {"S": first}, "gsi1pk": {"S": f"ACCOUNT#{owner}#PLANTS"}, "gsi1sk": {"S": f"000000000001#{pid}"},
    })
    for i, w in enumerate(watts):
        set_inverter(pid, owner, f"SN-{pid[3:]}-{i}".upper(), w, first)
    return pid


def set_inverter(pid, owner, serial, watts, activated_on):
    config = {"type": "unknown"} if watts is None else {"type": "SMA-X", "nominal_power_w": watts}
    dynamodb().put_item(TableName=TABLE, Item={
        "pk": {"S": f"PLANT#{pid}"}, "sk": {"S": f"INV#{serial}"}, "serial": {"S": serial}, "label": {"S": ""},
        "config": {"S": json.dumps(config)}, "activated_on": {"S": activated_on}, "account_id": {"S": owner},
    })


def partition(pid):
    items = dynamodb().query(TableName=TABLE, ConsistentRead=True, KeyConditionExpression="pk = :pk",
                             ExpressionAttributeValues={":pk": {"S": f"PLANT#{pid}"}})["Items"]
    return {i["sk"]["S"]: {k: next(iter(v.values())) for k, v in i.items()} for i in items}


def license_rows(pid):
    return sorted((r for sk, r in partition(pid).items() if sk.startswith("LICENSE#")), key=lambda r: r["starts_on"])


def matches(answer, name):
    jsonschema.validate(answer, {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]})


def line(plants, term="P365D"):
    return {"product_id": PRODUCT, "term": term, "plants": plants}


def preview(shop, token, lines):
    return shop.post("/v1/checkout/preview", {"lines": lines}, headers=bearer(token))


def money(line_):
    return (line_["net"], line_["tax"], line_["gross"])


def test_plants_are_priced_by_power_for_both_terms_and_licensed_when_paid(shop, unique_email):
    token = active_account(shop, unique_email)
    today = berlin_today(shop).isoformat()
    in_trial = plant(shop, token, [10_000, 2_500], first_activation=today)  # 12.5 kW, trial runs
    small = plant(shop, token, [7_235])
    large = plant(shop, token, [10_050])
    lines = [line([in_trial, small]), line([large], "P730D")]
    shown = preview(shop, token, lines)
    assert shown.status == 200, shown.body
    r = checkout(shop, token, lines)
    assert r.status == 201, r.body
    placed = r.json()
    # 2.40 × 12.5 = 30.00; 2.40 × 7.235 = 17.364 → 17.36; 4.30 × 10.05 = 43.215 → 43.22 (half
    # away from zero); 19 % on each line.
    assert [money(l) for l in placed["lines"]] == [
        ("30.00", "5.70", "35.70"), ("17.36", "3.30", "20.66"), ("43.22", "8.21", "51.43")]
    assert placed["totals"] == {"net": "90.58", "tax": "17.21", "gross": "107.79"}
    assert [(l["plant"]["plant"], l["plant"]["power"], l["quantity"]) for l in placed["lines"]] == [
        (in_trial, 12_500, 1), (small, 7_235, 1), (large, 10_050, 1)]
    assert "12.5 kW" in placed["lines"][0]["description"]
    assert [money(l) for l in shown.json()["lines"]] == [money(l) for l in placed["lines"]]
    assert shown.json()["totals"] == placed["totals"] and shown.json()["credits"] == []
    matches(placed, "Order")
    matches(shown.json(), "CheckoutPreview")
    order_when(shop, token, placed["id"], "confirmed")
    subs = [l["subscription_id"] for l in placed["lines"]]
    trial_end = day_after(today, 39)
    expected = {
        in_trial: (day_after(trial_end), day_after(trial_end, 365), "12500", "30.00"),
        small: (today, day_after(today, 364), "7235", "17.36"),
        large: (today, day_after(today, 729), "10050", "43.22"),
    }
    for (pid, want), sub in zip(expected.items(), subs):
        (row,) = license_rows(pid)
        assert (row["starts_on"], row["ends_on"], row["power_w"], row["net"]) == want
        assert row["subscription_id"] == sub and "ended_on" not in row
        assert partition(pid)["PLANT"]["version"] == "2"
        license_ = shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json()
        assert license_["period"] == {"starts_on": want[0], "ends_on": want[1]}


def test_refusals_change_nothing(shop, unique_email):
    token = active_account(shop, unique_email, country="at")
    own = plant(shop, token, [5_000], country="AT")
    assert_problem(checkout(shop, token, [line([own])]), 403, "monitoring_consumers_germany_only")
    assert_problem(preview(shop, token, [line([own])]), 403, "monitoring_consumers_germany_only")
    other = active_account(shop, f"other-{uuid.uuid4().hex[:8]}@example.de")
    assert_problem(checkout(shop, other, [line([own])]), 404, "plant_not_found")
    empty = plant(shop, other, [])
    assert_problem(checkout(shop, other, [line([empty])]), 422, "plant_without_power")
    assert_problem(checkout(shop, other, [line(["nope-" + uuid.uuid4().hex[:6]])]), 404, "plant_not_found")
    assert_problem(checkout(shop, other, [{"product_id": PRODUCT, "term": "P365D", "quantity": 2}]), 422, "plant_required")
    assert_problem(checkout(shop, other, [line([empty], "P30D")]), 422, "unknown_term")
    for t in (token, other):
        assert shop.get("/v1/orders", headers=bearer(t)).json()["orders"] == []
    assert license_rows(own) == [] and partition(own)["PLANT"]["version"] == "1"


def test_a_business_abroad_buys_without_giving_a_vat_id(shop, unique_email):
    """The monitoring rule sees a business in an account with a company (SPEC section 6); a
    VAT id at checkout decides the tax only. The plants function and checkout agree."""
    token = active_account(shop, unique_email, country="at", company="Sonnenhof GmbH")
    created = shop.post("/v1/plants", plant_body(country="AT", postal_code="1010", city="Wien"), headers=bearer(token))
    assert created.status == 201, created.body
    own = plant(shop, token, [5_000], country="AT")
    assert preview(shop, token, [line([own])]).status == 200
    placed = checkout(shop, token, [line([own])])
    assert placed.status == 201, placed.body
    order_when(shop, token, placed.json()["id"], "confirmed")
    assert [r["power_w"] for r in license_rows(own)] == ["5000"]


def end_by_power(pid, license_id, day):
    """What the power-exceeded ending stores (built alongside): `ended_on`, once."""
    dynamodb().update_item(TableName=TABLE, Key={"pk": {"S": f"PLANT#{pid}"}, "sk": {"S": f"LICENSE#{license_id}"}},
                           UpdateExpression="SET ended_on = :d", ConditionExpression="attribute_not_exists(ended_on)",
                           ExpressionAttributeValues={":d": {"S": day}})


def outgrown(shop, email, days, serial, watts):
    """A 10 kW plant licensed and paid, which `days` later grows by `watts` and so ends its
    license: returns the fresh token, the plant, the ended license row and the day it ended."""
    token = active_account(shop, email)
    owner = account_id(shop, token)
    pid = plant(shop, token, [10_000])
    order_when(shop, token, checkout(shop, token, [line([pid])]).json()["id"], "confirmed")
    (old,) = license_rows(pid)
    ended_on = day_after(old["starts_on"], days)
    move_to(shop, ended_on)
    token = token_for(shop, email)
    set_inverter(pid, owner, serial, watts, ended_on)
    end_by_power(pid, old["subscription_id"], ended_on)
    return token, pid, old, ended_on


def test_the_residual_value_is_credited_once_on_the_next_license(clock, unique_email):
    shop = clock
    # Day 101 of 365 the plant grows to 12 kW and the license ends: 265 days are left.
    token, pid, old, ended_on = outgrown(shop, unique_email, 100, "SN-GROWN-1", 2_000)
    assert old["net"] == "24.00"
    shown = preview(shop, token, [line([pid])]).json()
    # 2.40 × 12 = 28.80 (tax 5.47); credit 24.00 × 265/365 = 17.4246… → 17.42 (tax 3.31).
    assert [money(c) for c in shown["credits"]] == [("-17.42", "-3.31", "-20.73")]
    assert shown["credits"][0]["ended"] == old["subscription_id"]
    assert shown["totals"] == {"net": "11.38", "tax": "2.16", "gross": "13.54"}
    r = checkout(shop, token, [line([pid])])
    assert r.status == 201, r.body
    placed = r.json()
    assert placed["totals"] == shown["totals"]
    matches(placed, "Order")
    matches(shown, "CheckoutPreview")
    assert [money(c) for c in placed["credits"]] == [("-17.42", "-3.31", "-20.73")]
    assert "265/365 days" in placed["credits"][0]["description"]
    order = order_when(shop, token, placed["id"], "confirmed")
    doc = shop.get(f"/v1/orders/{order['id']}/invoice", headers=bearer(token)).body.decode()
    assert "-17.42" in doc and "13.54" in doc
    rows = {r["subscription_id"]: r for r in license_rows(pid)}
    new = rows[placed["lines"][0]["subscription_id"]]
    assert (new["starts_on"], new["power_w"], new["net"]) == (ended_on, "12000", "28.80")
    assert rows[old["subscription_id"]]["credited_by"] == new["subscription_id"]
    # Used once: the next purchase shows no credit.
    again = preview(shop, token, [line([pid])]).json()
    assert again["credits"] == [] and again["totals"]["net"] == "28.80"


def test_racing_checkouts_credit_once_and_stack_their_licenses(clock, unique_email):
    shop = clock
    token, pid, old, ended_on = outgrown(shop, unique_email, 10, "SN-GROWN-2", 5_000)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: checkout(shop, token, [line([pid])]), range(4)))
    placed = [a.json() for a in answers if a.status == 201]
    refused = [a for a in answers if a.status != 201]
    assert all(a.status == 409 and a.json()["code"] == "credit_used" for a in refused), [a.body for a in refused]
    assert len([p for p in placed if p["credits"]]) == 1
    for p in placed:
        order_when(shop, token, p["id"], "confirmed")
    rows = [r for r in license_rows(pid) if r["subscription_id"] != old["subscription_id"]]
    assert len(rows) == len(placed)
    # Paid together, the licenses follow each other without a gap or an overlap.
    for before, after in zip(rows, rows[1:]):
        assert after["starts_on"] == day_after(before["ends_on"])
    assert rows[0]["starts_on"] == ended_on
    credited = [r for r in license_rows(pid) if r.get("credited_by")]
    assert [r["subscription_id"] for r in credited] == [old["subscription_id"]]


def test_a_renewal_is_priced_at_the_plants_power_on_the_renewal_day(clock, unique_email):
    shop = clock
    token = active_account(shop, unique_email)
    owner = account_id(shop, token)
    pid = plant(shop, token, [10_000])
    placed = checkout(shop, token, [line([pid])]).json()
    order_when(shop, token, placed["id"], "confirmed")
    sub = placed["lines"][0]["subscription_id"]
    (first,) = license_rows(pid)
    end = first["ends_on"]
    # Inside the window the plant has 8.5 kW (a configuration corrected downwards).
    move_to(shop, day_after(end, -10))
    token = token_for(shop, unique_email)
    set_inverter(pid, owner, f"SN-{pid[3:]}-0".upper(), 8_500, first["starts_on"])
    r = shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token))
    assert r.status == 201, r.body
    renewal = r.json()
    # 2.40 × 8.5 = 20.40, not the 24.00 of the 10 kW it was bought for.
    assert money(renewal["lines"][0]) == ("20.40", "3.88", "24.28")
    assert renewal["lines"][0]["plant"]["power"] == 8_500
    matches(renewal, "Order")
    order_when(shop, token, renewal["id"], "confirmed")
    rows = license_rows(pid)
    assert [(r["subscription_id"], r["starts_on"], r["ends_on"], r["power_w"], r["net"]) for r in rows] == [
        (sub, first["starts_on"], end, "10000", "24.00"),
        (f"{sub}-t1", day_after(end), day_after(end, 365), "8500", "20.40"),
    ]
    assert rows[1]["renews"] == sub


def test_an_unpaid_or_cancelled_order_gives_its_credit_back(clock, unique_email):
    shop = clock
    token, pid, old, ended_on = outgrown(shop, unique_email, 100, "SN-GROWN-3", 2_000)
    credit = [("-17.42", "-3.31", "-20.73")]
    assert_problem(checkout(shop, token, [line([pid])], pm="pm_card_chargeDeclined"), 402, "payment_declined")
    assert [money(c) for c in preview(shop, token, [line([pid])]).json()["credits"]] == credit
    placed = checkout(shop, token, [line([pid])]).json()
    assert [money(c) for c in placed["credits"]] == credit
    order_when(shop, token, placed["id"], "confirmed")
    version = partition(pid)["PLANT"]["version"]
    r = shop.post(f"/v1/orders/{placed['id']}/cancel", headers=bearer(token))
    assert r.status == 200, r.body
    # The cancelled license's row is gone, and the credit waits for the next purchase.
    assert [r["subscription_id"] for r in license_rows(pid)] == [old["subscription_id"]]
    assert "credited_by" not in license_rows(pid)[0]
    assert int(partition(pid)["PLANT"]["version"]) == int(version) + 1
    assert [money(c) for c in preview(shop, token, [line([pid])]).json()["credits"]] == credit
