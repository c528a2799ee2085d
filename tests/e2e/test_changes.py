"""Subscription changes end to end: prorated upgrade with preview and invoice, scheduled
downgrades, auto-renew, and an upgrade racing a downgrade."""

import concurrent.futures
import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
from helpers import (
    assert_problem, assign, bearer, berlin_today, colleague, downgrade, licensed, preview,
    shop_tools, sign_in, sub_of, upgrade,
)


def test_upgrade_charges_the_previewed_prorated_fee(shop, clock, unique_email):
    token, sub = licensed(shop, unique_email, quantity=20)
    clock.post("/_local/clock", {"advance": "P100D"})

    token = sign_in(shop, unique_email).json()["access_token"]
    before = sub_of(shop, token, sub)
    period = before["period"]
    today = berlin_today(shop)
    start, end = dt.date.fromisoformat(period["starts_on"]), dt.date.fromisoformat(period["ends_on"])
    term_days, remaining = (end - start).days + 1, (end - today).days + 1
    expected = (Decimal("48.00") * 10 * remaining / term_days).quantize(Decimal("0.01"), ROUND_HALF_UP)
    quote = preview(shop, token, sub, 30)
    assert quote.status == 200, quote.body
    q = quote.json()
    assert (q["from"], q["to"], q["remaining_days"], q["term_days"]) == (20, 30, remaining, term_days)
    assert q["fee"]["net"] == str(expected) and q["fee"]["quantity"] == 10
    key = str(uuid.uuid4())
    r = upgrade(shop, token, sub, 30, key)
    assert r.status == 201, r.body
    order = r.json()
    assert order["status"] == "confirmed" and order["lines"][0]["net"] == str(expected)
    assert order["lines"][0]["gross"] == q["fee"]["gross"] and order["invoice"]["number"].startswith("INV-")
    after = sub_of(shop, token, sub)
    assert after["quantity"] == 30 and after["period"] == period
    assert order["invoice"]["number"] in after["invoices"]
    # The same key answers the same order; nothing is charged twice.
    again = upgrade(shop, token, sub, 30, key)
    assert again.status == 201 and again.json()["id"] == order["id"]
    assert sub_of(shop, token, sub)["quantity"] == 30
    assert_problem(preview(shop, token, sub, 30), 422, "quantity_not_higher")
    assert_problem(preview(shop, token, sub, 25), 422, "quantity_not_higher")


def test_downgrades_are_scheduled_replaced_withdrawn_and_cleared_by_an_upgrade(shop, unique_email):
    token, sub = licensed(shop, unique_email, quantity=5)
    for _ in range(3):
        assert assign(shop, token, sub, colleague()).status == 201
    body = assert_problem(downgrade(shop, token, sub, 2), 409, "seats_beyond_term")
    assert body["detail"].count("@example.de") == 3
    r = downgrade(shop, token, sub, 4)
    assert r.status == 200 and r.json()["scheduled_change"]["quantity"] == 4
    # An integer as the contract (JSON Schema) counts it: 4.0 is 4; 3.5 and "3" are not.
    assert downgrade(shop, token, sub, 4.0).json()["scheduled_change"]["quantity"] == 4
    for bad in [3.5, "3", [3]]:
        assert_problem(downgrade(shop, token, sub, bad), 400, "invalid_body")
    assert_problem(shop.request("PUT", f"/v1/subscriptions/{sub}/scheduled-change", headers=bearer(token)), 400, "invalid_body")
    assert downgrade(shop, token, sub, 3).json()["scheduled_change"]["quantity"] == 3
    assert sub_of(shop, token, sub)["quantity"] == 5
    assert_problem(downgrade(shop, token, sub, 5), 422, "quantity_not_lower")
    withdrawn = shop.request("DELETE", f"/v1/subscriptions/{sub}/scheduled-change", headers=bearer(token))
    assert withdrawn.status == 200 and withdrawn.json()["scheduled_change"] is None
    assert downgrade(shop, token, sub, 3).status == 200
    assert upgrade(shop, token, sub, 6).status == 201
    after = sub_of(shop, token, sub)
    assert after["quantity"] == 6 and after["scheduled_change"] is None


def test_auto_renew_can_be_turned_off_and_on(shop, unique_email):
    token, sub = licensed(shop, unique_email)
    r = shop.request("PUT", f"/v1/subscriptions/{sub}/auto-renew", {"enabled": False}, headers=bearer(token))
    assert r.status == 200 and r.json()["auto_renew"] is False
    assert_problem(downgrade(shop, token, sub, 4), 409, "no_renewal")
    r = shop.request("PUT", f"/v1/subscriptions/{sub}/auto-renew", {"enabled": True}, headers=bearer(token))
    assert r.json()["auto_renew"] is True
    assert_problem(shop.request("PUT", f"/v1/subscriptions/{sub}/auto-renew", {"enabled": "no"}, headers=bearer(token)), 400, "invalid_body")


def test_upgrade_guards_and_strangers(shop, unique_email):
    token, sub = licensed(shop, unique_email)
    assert_problem(upgrade(shop, token, sub, 0), 422, "invalid_quantity")
    other = licensed(shop, colleague())[0]
    assert_problem(preview(shop, other, sub, 10), 404, "subscription_not_found")
    assert_problem(upgrade(shop, other, sub, 10), 404, "subscription_not_found")
    assert_problem(downgrade(shop, other, sub, 1), 404, "subscription_not_found")
    assert sub_of(shop, token, sub)["quantity"] == 5
    # A trial is not an active paid subscription.
    import re

    out = shop_tools("grant-trial", unique_email, "alarm-solo", "30").stdout
    trial = re.search(r"trial (\S+)", out).group(1)
    assert_problem(preview(shop, token, trial, 3), 409, "subscription_not_active")


@pytest.mark.parametrize("round_", range(3))
def test_an_upgrade_racing_a_downgrade_leaves_a_consistent_state(shop, round_):
    token, sub = licensed(shop, colleague(), quantity=20)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        up = pool.submit(upgrade, shop, token, sub, 30)
        down = pool.submit(downgrade, shop, token, sub, 10)
        up, down = up.result(), down.result()
    final = sub_of(shop, token, sub)
    assert {up.status, down.status} <= {200, 201, 409}, (up.body, down.body)
    if up.status == 409:
        assert up.json()["code"] == "concurrent_change"
        assert final["quantity"] == 20 and final["scheduled_change"]["quantity"] == 10
    elif down.status == 409:
        assert down.json()["code"] == "concurrent_change"
        assert final["quantity"] == 30 and final["scheduled_change"] is None
    else:
        # Both went through one after the other, each on fresh state.
        assert final["quantity"] == 30
        assert final["scheduled_change"] is None or final["scheduled_change"]["quantity"] == 10
