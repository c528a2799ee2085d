"""Requests a careless client or an attacker sends: bodies over the route's limit are refused
before anything reads them, bad input never makes a large answer, a key is consumed only by a
request that started executing, and a payment the order did not go with is ignored."""

import uuid
from pathlib import Path

import pytest
import yaml
from helpers import (
    active_account, assert_problem, bearer, body_limits, checkout, deliver, five_team, intent_event,
    licensed, order_when, sandbox, sepa_order, upgrade,
)

MB = 1024 * 1024


def json_routes():
    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
    limits = body_limits()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            # Routes whose body is JSON (a spreadsheet upload has its own, larger limit).
            if method in ("post", "put", "patch") and "application/json" in op.get("requestBody", {}).get("content", {}):
                concrete = path.replace("{id}", "s1").replace("{seat_id}", "x1")
                yield method.upper(), concrete, limits[(method.upper(), path)]


@pytest.mark.parametrize("method,path,limit", sorted(set(json_routes())))
def test_a_body_over_the_routes_limit_is_refused_unread_on_every_json_route(shop, method, path, limit):
    """A megabyte, or just over a route's own larger limit (the migration import's 6 MiB)."""
    body = {"padding": "x" * max(MB, limit + 1)}
    headers = {"Authorization": "Bearer not-a-token", "Idempotency-Key": str(uuid.uuid4())}
    r = shop.request(method, path, body, headers=headers)
    assert_problem(r, 413, "body_too_large")
    assert len(r.body) < 1024


def test_a_huge_field_is_refused_small_and_the_key_then_works(shop, unique_email):
    token = active_account(shop, unique_email)
    key = str(uuid.uuid4())
    huge = [{"product_id": "alarm-team", "quantity": 5, "holder_email": "y" * 420_000}]
    r = checkout(shop, token, huge, key=key)
    assert 400 <= r.status < 500 and len(r.body) < 2048, (r.status, len(r.body))
    ok = checkout(shop, token, five_team(), key=key)
    assert ok.status == 201, ok.body


@pytest.mark.parametrize("bad", [
    b'{"lines": [',                                                                         # not JSON
    b'{"lines": [{"product_id": "alarm-team", "quantity": 1e20}], "accept_terms": true}',   # wrong type
    b'{"lines": [{"product_id": "alarm-team", "quantity": 5}], "payment": {"method": "card", '
    b'"token": "pm_card_visa"}, "accept_terms": false}',                                    # fails a rule
])
def test_a_request_refused_before_it_ran_does_not_consume_its_key(shop, unique_email, bad):
    token = active_account(shop, unique_email)
    key = str(uuid.uuid4())
    r = shop.request("POST", "/v1/checkout", None, headers={**bearer(token), "Idempotency-Key": key,
                                                             "content-type": "application/json"}, raw=bad)
    assert r.status in (400, 422), r.body
    assert len(r.body) < 2048 and b"jiff" not in r.body and b"1e+20" not in r.body
    ok = checkout(shop, token, five_team(), key=key)
    assert ok.status == 201, ok.body
    # The executed request is kept: the same key with another body is refused now.
    assert_problem(checkout(shop, token, [{"product_id": "alarm-solo", "quantity": 1}], key=key),
                   422, "idempotency_key_reused")


def test_an_upgrade_refused_before_it_ran_does_not_consume_its_key(shop, unique_email):
    token, sub = licensed(shop, unique_email, quantity=5)
    key = str(uuid.uuid4())
    r = shop.request("POST", f"/v1/subscriptions/{sub}/upgrade", None,
                     headers={**bearer(token), "Idempotency-Key": key, "content-type": "application/json"},
                     raw=b'{"quantity": "seven"}')
    assert_problem(r, 400, "invalid_body")
    assert upgrade(shop, token, sub, 7, key=key).status == 201


def test_an_event_for_a_payment_the_order_did_not_go_with_is_ignored(shop, unique_email):
    token, order_id, pi = sepa_order(shop, unique_email)
    status, body = deliver(shop, intent_event("payment_intent.succeeded", "pi_not_this_one", order_id))
    assert (status, body["outcome"]) == (200, "ignored")
    assert shop.get(f"/v1/orders/{order_id}", headers=bearer(token)).json()["status"] == "processing"
    sandbox("POST", f"/_sandbox/payment_intents/{pi}/settle")
    order_when(shop, token, order_id, "confirmed")
