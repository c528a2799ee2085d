"""The local payment sandbox answers like the provider's test mode (docs/payments.md). The
documented tokens are exercised through checkout in test_checkout.py and test_renewals.py;
here the provider's own answers that no checkout reaches today."""

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from helpers import active_account, assert_problem, checkout, five_team, stand_in

SANDBOX = os.environ.get("SANDBOX_URL", "")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "payments.md"


@pytest.fixture(scope="module")
def api_key():
    secrets = stand_in("secretsmanager")
    return json.loads(secrets.get_secret_value(SecretId="license-shop/payments")["SecretString"])["api_key"]


def provider(api_key, path, form):
    req = urllib.request.Request(SANDBOX + path, data=urllib.parse.urlencode(form).encode(), method="POST", headers={
        "authorization": f"Bearer {api_key}", "idempotency-key": str(uuid.uuid4()),
        "content-type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def intents_of(order_id):
    with urllib.request.urlopen(f"{SANDBOX}/_sandbox/payment_intents?order_id={order_id}", timeout=10) as r:
        return json.loads(r.read())["data"]


def charge(api_key, payment_method, order_id):
    kind = "sepa_debit" if payment_method == "pm_sepa_debit" else "card"
    return provider(api_key, "/v1/payment_intents", {
        "amount": "1000", "currency": "eur", "payment_method": payment_method, "payment_method_types[]": kind,
        "confirm": "true", "metadata[order_id]": order_id})


@pytest.mark.parametrize("token", ["pm_card_nonexistent", "pm_", "pm_card_mastercard", "tok_visa"])
def test_an_unknown_payment_method_is_refused_like_the_provider_does(api_key, token):
    order_id = f"sandbox-test-{uuid.uuid4().hex}"
    status, body = charge(api_key, token, order_id)
    assert status == 400, body
    error = body["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "resource_missing"
    assert error["param"] == "payment_method"
    assert token in error["message"]
    assert intents_of(order_id) == [], "no payment intent is created for an unknown payment method"


def test_an_empty_payment_method_is_refused(api_key):
    status, body = charge(api_key, "", f"sandbox-test-{uuid.uuid4().hex}")
    assert status == 400 and body["error"]["code"] == "parameter_invalid_empty", body


# What docs/payments.md's table promises for a charge with the customer present.
PROMISED = {
    "pm_card_visa": (200, "succeeded"),
    "pm_card_chargeDeclined": (402, "card_declined"),
    "pm_card_authenticationRequired": (200, "requires_action"),
    "pm_sepa_debit": (200, "processing"),
    "pm_card_offSessionDeclined": (200, "succeeded"),
}


def test_every_documented_token_answers_as_documented(api_key):
    documented = set(re.findall(r"^\| `(pm_[A-Za-z_]+)` \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    assert documented == set(PROMISED), "docs/payments.md's token table and this test list the same tokens"
    for token, (status, outcome) in PROMISED.items():
        got, body = charge(api_key, token, f"sandbox-test-{uuid.uuid4().hex}")
        assert got == status, (token, body)
        assert (body["error"]["code"] if status == 402 else body["status"]) == outcome, (token, body)


def test_a_checkout_with_an_unknown_payment_method_is_declined_and_frees_the_holder(shop, unique_email):

    token = active_account(shop, unique_email)
    body = assert_problem(checkout(shop, token, five_team(), pm="pm_card_nonexistent"), 402, "payment_declined")
    assert "resource_missing" in body["detail"]
    again = checkout(shop, token, five_team())
    assert again.status == 201, again.body
