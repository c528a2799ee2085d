"""Sign-in against a guesser: parallel guesses are all counted and lock, every refusal answers
and costs the same (DynamoDB calls counted at the stand-in), and a stolen token cannot guess
the current password through the password change."""

import concurrent.futures
import json
import os
import urllib.request

import pytest
from helpers import PASSWORD, active_account, change_password, eventually, field_codes, register, sign_in

WRONG = "Wrong#2026x"


def refusal(r):
    assert r.status == 401, r.body
    body = r.json()
    return body["code"], body["detail"]


@pytest.mark.parametrize("parallel", [5, 20])
def test_parallel_wrong_passwords_lock_in_every_round(clock, unique_email, parallel):
    shop = clock
    active_account(shop, unique_email)
    unknown = refusal(sign_in(shop, "nobody-" + unique_email, WRONG))
    assert unknown[0] == "invalid_credentials"
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        for round_ in range(20):
            answers = list(pool.map(lambda _: sign_in(shop, unique_email, WRONG), range(parallel)))
            assert {refusal(r) for r in answers} == {unknown}, round_
            # Locked: the right password is refused, answered like everything else.
            assert refusal(sign_in(shop, unique_email, PASSWORD)) == unknown, round_
            # Past the lock and the window, the next round starts afresh.
            shop.post("/_local/clock", {"advance": "PT21M"})
    assert sign_in(shop, unique_email, PASSWORD).status == 200


def stand_in(method, path):
    req = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + path, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def dynamodb_calls(attempt):
    """DynamoDB calls by operation that one sign-in makes: the fewest of three tries, as other
    traffic on the stand-in (a mail being sent) can only add calls."""
    seen = []
    for _ in range(3):
        stand_in("DELETE", "/_shop/calls")
        attempt()
        calls = stand_in("GET", "/_shop/calls")["calls"]
        seen.append({k.split(".")[-1]: v for k, v in calls.items() if k.startswith("DynamoDB")})
    return min(seen, key=lambda c: sum(c.values()))


def test_every_refusal_makes_the_same_dynamodb_calls(clock, unique_email):
    shop = clock
    active_account(shop, unique_email)
    locked = "locked-" + unique_email
    active_account(shop, locked)
    for _ in range(5):
        sign_in(shop, locked, WRONG)
    unverified = "unverified-" + unique_email
    assert register(shop, unverified).status == 201
    assert eventually(lambda: shop.outbox(unverified)), "the validation mail is sent before measuring"
    outcomes = {
        "unknown": lambda: sign_in(shop, "nobody-" + unique_email, PASSWORD),
        "wrong": lambda: sign_in(shop, unique_email, WRONG),
        "locked": lambda: sign_in(shop, locked, PASSWORD),
        "unverified": lambda: sign_in(shop, unverified, PASSWORD),
    }
    calls = {name: dynamodb_calls(attempt) for name, attempt in outcomes.items()}
    # Email marker, account (one that never exists for an unknown email), the attempt's
    # append to the log.
    assert calls["unknown"] == {"GetItem": 2, "UpdateItem": 1}, calls
    assert all(c == calls["unknown"] for c in calls.values()), calls


def test_the_current_password_cannot_be_guessed_through_the_password_change(clock, unique_email):
    shop = clock
    token = active_account(shop, unique_email)
    for _ in range(5):
        r = change_password(shop, token, WRONG, "Mond#2026xyz")
        assert r.status == 422 and field_codes(r) == ["current_password_wrong"], r.body
    # Locked: the right current password is refused as wrong, and sign-in is refused too.
    r = change_password(shop, token, PASSWORD, "Mond#2026xyz")
    assert r.status == 422 and field_codes(r) == ["current_password_wrong"], r.body
    assert sign_in(shop, unique_email, PASSWORD).status == 401
    shop.post("/_local/clock", {"advance": "PT16M"})
    assert sign_in(shop, unique_email, PASSWORD).status == 200
