"""The payment webhook's defences, VAT decisions with VIES, and cancellation by calendar day."""

import random
import uuid

from helpers import (
    active_account, assert_problem, bearer, checkout, deliver, eventually, five_team, intent_event,
    order_when, sandbox, sepa_order,
)


def test_forged_and_stale_webhooks_are_refused(shop, unique_email):
    token, order_id, pi = sepa_order(shop, unique_email)
    event = intent_event("payment_intent.succeeded", pi, order_id)
    status, body = deliver(shop, event, signature="t=1,v1=" + "00" * 32)
    assert (status, body["code"]) == (401, "invalid_signature")
    status, body = deliver(shop, event, signature="")
    assert (status, body["code"]) == (401, "invalid_signature")
    clock_now = shop.get("/_local/clock").json()
    stale = int(__import__("datetime").datetime.fromisoformat(clock_now["now"].replace("Z", "+00:00")).timestamp()) - 301
    status, body = deliver(shop, event, t=stale)
    assert (status, body["code"]) == (401, "stale_signature")
    assert shop.get(f"/v1/orders/{order_id}", headers=bearer(token)).json()["status"] == "processing"


def test_duplicate_and_out_of_order_events_end_confirmed_once(shop, unique_email):
    token, order_id, pi = sepa_order(shop, unique_email)
    settled = intent_event("payment_intent.succeeded", pi, order_id)
    assert deliver(shop, settled) == (200, {"received": True, "outcome": "processed"})
    assert deliver(shop, settled) == (200, {"received": True, "outcome": "duplicate"})
    # The "pending" notice arriving after the settlement changes nothing.
    late = intent_event("payment_intent.processing", pi, order_id)
    assert deliver(shop, late)[0] == 200
    order = order_when(shop, token, order_id, "confirmed")
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if order["invoice"]["number"] in m["body"]])
    import time

    time.sleep(1.5)
    mails = [m for m in shop.outbox(unique_email) if order["invoice"]["number"] in m["body"]]
    assert len(mails) == 1


def atu():
    """A random ATU number with the right check digit."""
    d = [random.randint(0, 9) for _ in range(7)]
    s = sum(x if i % 2 == 0 else (2 * x - 9 if 2 * x > 9 else 2 * x) for i, x in enumerate(d))
    return "ATU" + "".join(map(str, d)) + str((10 - (s + 4) % 10) % 10)


def billing(vat_id, company="Alpen Software GmbH"):
    return {"company": company, "vat_id": vat_id, "street": "Ring 1", "postal_code": "1010", "city": "Wien"}


def test_vat_domestic_reverse_charge_and_customer_country(shop, unique_email):
    de = active_account(shop, unique_email)
    assert checkout(shop, de, five_team()).json()["totals"]["tax"] == "45.60"
    at = active_account(shop, f"at-{uuid.uuid4().hex[:8]}@example.at", country="at")
    r = checkout(shop, at, five_team(), billing=billing(atu()))
    assert r.status == 201, r.body
    assert r.json()["tax"] == {"kind": "reverse_charge"}
    assert r.json()["totals"] == {"net": "240.00", "tax": "0.00", "gross": "240.00"}
    consumer = active_account(shop, f"fr-{uuid.uuid4().hex[:8]}@example.fr", country="fr")
    r = checkout(shop, consumer, [{"product_id": "alarm-solo", "quantity": 1}])
    # 61.00 net in FR at 20 %: 12.20 tax.
    assert r.json()["totals"] == {"net": "61.00", "tax": "12.20", "gross": "73.20"}


def test_vies_outage_leaves_the_check_pending_and_refuses_the_purchase(shop, unique_email):
    at = active_account(shop, f"at-{uuid.uuid4().hex[:8]}@example.at", country="at")
    vat_id = atu()
    sandbox("POST", "/_sandbox/vies", {"down": ["AT"]})
    try:
        assert_problem(checkout(shop, at, five_team(), billing=billing(vat_id)), 409, "vat_check_pending")
        sandbox("POST", "/_sandbox/vies", {"down": ["*"]})
        assert_problem(checkout(shop, at, five_team(), billing=billing(atu())), 409, "vat_check_pending")
    finally:
        sandbox("POST", "/_sandbox/vies", {"down": []})
    assert shop.get("/v1/orders", headers=bearer(at)).json()["orders"] == []
    assert_problem(checkout(shop, at, five_team(), billing=billing("ATU99999993")), 422, "vat_id_not_registered")
    assert_problem(checkout(shop, at, five_team(), billing=billing("ATU13585626")), 422, "invalid_vat_id")
    body = assert_problem(checkout(shop, at, five_team(), billing=billing(atu(), company="Müller GmbH")), 422, "invalid_vies_fields")
    assert [f["field"] for f in body["fields"]] == ["billing.company"]
    assert_problem(checkout(shop, at, five_team(), billing=billing("DE136695976")), 422, "vat_id_country_mismatch")


def test_cancellation_on_day_21_refunds_and_day_22_is_refused(shop, clock, unique_email):
    token = active_account(shop, unique_email)
    first = checkout(shop, token, five_team()).json()["id"]
    second = checkout(shop, token, [{"product_id": "alarm-solo", "quantity": 1}]).json()["id"]
    order_when(shop, token, first, "confirmed")
    order_when(shop, token, second, "confirmed")
    confirmed = shop.get(f"/v1/orders/{first}", headers=bearer(token)).json()
    clock.post("/_local/clock", {"advance": "P21D"})
    token = shop.post("/v1/sessions", {"email": unique_email, "password": "Sonne#2026x"}).json()["access_token"]
    r = shop.post(f"/v1/orders/{first}/cancel", headers=bearer(token))
    assert r.status == 200, r.body
    cancelled = r.json()
    assert cancelled["status"] == "cancelled" and cancelled["payment"]["refunded"] is True
    assert cancelled["credit_note"]["number"].startswith("CN-")
    # The invoice is never changed: the correction is the credit note beside it.
    for field in ("number", "lines", "totals", "invoice", "confirmed_at"):
        assert cancelled[field] == confirmed[field], field
    refunds = sandbox("GET", "/_sandbox/refunds")["data"]
    assert any(x["amount"] == 28560 for x in refunds)
    doc = shop.get(f"/v1/orders/{first}/credit-note", headers=bearer(token)).body.decode()
    assert "-285.60" in doc
    # Cancelling again answers the cancelled order (a retried request); no second refund.
    again = shop.post(f"/v1/orders/{first}/cancel", headers=bearer(token))
    assert again.status == 200 and again.json()["credit_note"] == cancelled["credit_note"]
    assert len([x for x in sandbox("GET", "/_sandbox/refunds")["data"] if x["payment_intent"] == refunds[-1]["payment_intent"]]) == 1
    # The holder may buy the product again.
    assert checkout(shop, token, five_team()).status == 201
    clock.post("/_local/clock", {"advance": "P1D"})
    token = shop.post("/v1/sessions", {"email": unique_email, "password": "Sonne#2026x"}).json()["access_token"]
    assert_problem(shop.post(f"/v1/orders/{second}/cancel", headers=bearer(token)), 409, "cancellation_period_over")
