"""Checkout end to end: a new customer buys by card, SEPA and 3-D Secure; the sandbox provider
calls the signed webhook that confirms the order; the confirmation email carries the invoice.
Idempotency under concurrency, one license per email, trials, VAT and VIES, cancellation."""

import concurrent.futures
import re
import time
import urllib.request
import uuid

from helpers import (
    active_account, assert_problem, bearer, checkout, eventually, five_team, order_when, sandbox,
    shop_tools,
)


def test_a_new_customer_buys_five_licenses_by_card(shop, unique_email):
    token = active_account(shop, unique_email)
    products = shop.get("/v1/products").json()["products"]
    assert any(p["id"] == "alarm-team" for p in products)
    r = checkout(shop, token, five_team())
    assert r.status == 201, r.body
    placed = r.json()
    assert re.fullmatch(r"ORD-\d{4}-\d{6}", placed["number"])
    assert placed["totals"] == {"net": "240.00", "tax": "45.60", "gross": "285.60"}
    assert placed["lines"][0]["holder"] == unique_email
    order = order_when(shop, token, placed["id"], "confirmed")
    invoice = order["invoice"]["number"]
    assert re.fullmatch(r"INV-\d{4}-\d{6}", invoice)
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if invoice in m["subject"] + m["body"]])
    assert mails and "285.60" in mails[0]["body"]
    listed = shop.get("/v1/orders", headers=bearer(token)).json()["orders"]
    assert [o["id"] for o in listed] == [placed["id"]]
    doc = shop.get(f"/v1/orders/{placed['id']}/invoice", headers=bearer(token))
    assert doc.status == 200 and doc.headers["content-type"].startswith("text/html")
    assert invoice in doc.body.decode() and "285.60" in doc.body.decode()
    assert_problem(shop.get(f"/v1/orders/{placed['id']}/credit-note", headers=bearer(token)), 404, "document_not_found")


def test_sepa_stays_processing_until_it_settles(shop, unique_email):
    token = active_account(shop, unique_email)
    r = checkout(shop, token, five_team(), method="sepa_debit", pm="pm_sepa_debit")
    assert r.status == 201, r.body
    order_id = r.json()["id"]
    order_when(shop, token, order_id, "processing")
    time.sleep(1)
    assert shop.get(f"/v1/orders/{order_id}", headers=bearer(token)).json()["status"] == "processing"
    assert not [m for m in shop.outbox(unique_email) if "INV-" in m["body"]]
    (pi,) = sandbox("GET", f"/_sandbox/payment_intents?order_id={order_id}")["data"]
    sandbox("POST", f"/_sandbox/payment_intents/{pi['id']}/settle")
    assert order_when(shop, token, order_id, "confirmed")["invoice"]


def test_card_needing_authentication_redirects_then_confirms(shop, unique_email):
    token = active_account(shop, unique_email)
    r = checkout(shop, token, five_team(), pm="pm_card_authenticationRequired")
    assert r.status == 201, r.body
    redirect = r.json()["payment"]["redirect_url"]
    assert redirect and r.json()["status"] == "requires_action"
    urllib.request.urlopen(redirect, timeout=10).read()
    order_when(shop, token, r.json()["id"], "confirmed")


def test_a_declined_card_frees_the_license_for_another_try(shop, unique_email):
    token = active_account(shop, unique_email)
    assert_problem(checkout(shop, token, five_team(), pm="pm_card_chargeDeclined"), 402, "payment_declined")
    r = checkout(shop, token, five_team())
    assert r.status == 201, r.body


def test_twenty_identical_checkouts_make_one_order_and_one_payment(shop, unique_email):
    token = active_account(shop, unique_email)
    key = str(uuid.uuid4())
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: checkout(shop, token, five_team(), key=key), range(20)))
    assert {a.status for a in answers} == {201}, [a.body for a in answers if a.status != 201][:2]
    assert len({a.body for a in answers}) == 1
    order_id = answers[0].json()["id"]
    assert len(sandbox("GET", f"/_sandbox/payment_intents?order_id={order_id}")["data"]) == 1
    assert len(shop.get("/v1/orders", headers=bearer(token)).json()["orders"]) == 1
    other = checkout(shop, token, [{"product_id": "alarm-team", "quantity": 6}], key=key)
    assert_problem(other, 422, "idempotency_key_reused")
    missing = shop.post("/v1/checkout", {"lines": []}, headers=bearer(token))
    assert_problem(missing, 400, "idempotency_key_required")


def test_concurrent_checkouts_for_one_holder_make_one_license(shop, unique_email):
    token = active_account(shop, unique_email)
    holder = f"holder-{uuid.uuid4().hex[:8]}@example.de"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: checkout(shop, token, five_team(holder)), range(2)))
    assert sorted(a.status for a in answers) == [201, 409], [a.body for a in answers]
    assert_problem(next(a for a in answers if a.status == 409), 409, "license_exists")
    assert_problem(checkout(shop, token, five_team(holder)), 409, "license_exists")


def test_a_trial_becomes_the_paid_license(shop, unique_email):
    token = active_account(shop, unique_email)
    out = shop_tools("grant-trial", unique_email, "alarm-team", "30").stdout
    trial_id = re.search(r"trial (\S+)", out).group(1)
    r = checkout(shop, token, five_team())
    assert r.status == 201, r.body
    line = r.json()["lines"][0]
    assert line["subscription_id"] == trial_id and line["converts_trial"] is True
    order_when(shop, token, r.json()["id"], "confirmed")


def test_bad_orders_are_refused_and_change_nothing(shop, unique_email):
    token = active_account(shop, unique_email)
    assert_problem(checkout(shop, token, [{"product_id": "alarm-team", "quantity": 4}]), 422, "below_minimum_quantity")
    assert_problem(checkout(shop, token, [{"product_id": "cad-edu", "quantity": 5}]), 403, "not_eligible")
    assert_problem(checkout(shop, token, [{"product_id": "solar-monitoring", "quantity": 5}]), 422, "plant_required")
    assert_problem(checkout(shop, token, [{"product_id": "nope", "quantity": 5}]), 422, "unknown_product")
    r = shop.post("/v1/checkout", {"lines": five_team(), "payment": {"method": "card", "token": "pm_card_visa"}, "accept_terms": False},
                  headers={**bearer(token), "Idempotency-Key": "k1"})
    assert_problem(r, 422, "contract_terms_not_accepted")
    r = shop.request("POST", "/v1/checkout", None, headers={**bearer(token), "Idempotency-Key": "k2"})
    assert_problem(r, 400, "invalid_body")
    assert shop.get("/v1/orders", headers=bearer(token)).json()["orders"] == []
    shop_tools("set-eligibility", unique_email, "edu")
    assert checkout(shop, token, [{"product_id": "cad-edu", "quantity": 5}]).status == 201


def test_another_account_cannot_see_an_order(shop, unique_email):
    token = active_account(shop, unique_email)
    order_id = checkout(shop, token, five_team()).json()["id"]
    other = active_account(shop, f"other-{uuid.uuid4().hex[:8]}@example.de")
    for path in (f"/v1/orders/{order_id}", f"/v1/orders/{order_id}/invoice"):
        assert_problem(shop.get(path, headers=bearer(other)), 404, "order_not_found")
    assert_problem(shop.post(f"/v1/orders/{order_id}/cancel", headers=bearer(other)), 404, "order_not_found")
    assert shop.get("/v1/orders", headers=bearer(other)).json()["orders"] == []
    assert_problem(shop.get("/v1/orders/no-such-order", headers=bearer(token)), 404, "order_not_found")
    assert_problem(shop.get("/v1/orders", headers={}), 401, "unauthenticated")
