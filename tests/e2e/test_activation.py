"""Moved accounts: the welcome email's activation link, setting the password, fresh links."""

import concurrent.futures
from helpers import PASSWORD, assert_problem, eventually, link_token, shop_tools, sign_in


def invite(shop, email, language="fr"):
    shop_tools("invite", email, "Claire Exemple", language)
    mails = eventually(lambda: shop.outbox(email))
    assert len(mails) == 1
    return mails[0]


def activate(shop, token, password=PASSWORD, confirmation=None):
    return shop.post("/v1/accounts/activate", {"token": token, "password": password, "password_confirmation": confirmation or password})


def test_the_demo_account_got_its_welcome_email(shop):
    mails = shop.outbox("demo@license-shop.example")
    assert [m["subject"] for m in mails][:1] == ["Willkommen im neuen Online-Shop – bitte aktivieren Sie Ihr Konto"]


def test_a_moved_account_activates_from_its_welcome_email(shop, unique_email):
    mail = invite(shop, unique_email)
    assert mail["subject"].startswith("Bienvenue")
    assert_problem(sign_in(shop, unique_email), 401, "invalid_credentials")
    token = link_token(shop, unique_email)
    body = assert_problem(activate(shop, token, confirmation="Other#2026x"), 422, "invalid_password")
    assert [f["code"] for f in body["fields"]] == ["password_mismatch"]
    body = assert_problem(activate(shop, token, password="short"), 422, "invalid_password")
    assert "password_too_short" in [f["code"] for f in body["fields"]]
    r = activate(shop, token)
    assert r.status == 200 and r.json()["status"] == "active"
    assert sign_in(shop, unique_email).status == 200
    assert_problem(activate(shop, token), 409, "link_used")
    assert_problem(activate(shop, "0" * 64), 404, "link_unknown")


def test_ten_concurrent_activations_with_one_token_succeed_once(shop, unique_email):
    invite(shop, unique_email)
    token = link_token(shop, unique_email)
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(lambda _: activate(shop, token).status, range(10)))
    assert statuses.count(200) == 1, statuses
    assert all(400 <= s < 500 for s in statuses if s != 200), statuses


def test_an_expired_activation_link_is_refused_with_a_way_to_a_new_one(shop, unique_email):
    invite(shop, unique_email)
    token = link_token(shop, unique_email)
    try:
        shop.post("/_local/clock", {"advance": "P15D"})
        body = assert_problem(activate(shop, token), 409, "link_expired")
        assert "/v1/accounts/activation-links" in body["detail"]
        r = shop.post("/v1/accounts/activation-links", {"email": unique_email})
        assert r.status == 202
        assert eventually(lambda: len(shop.outbox(unique_email)) == 2)
        assert activate(shop, link_token(shop, unique_email)).status == 200
    finally:
        shop.post("/_local/clock", {"reset": True})


def test_link_requests_answer_alike_and_are_limited_per_email(shop, unique_email):
    invite(shop, unique_email)
    known = shop.post("/v1/accounts/activation-links", {"email": unique_email})
    unknown = shop.post("/v1/accounts/activation-links", {"email": "nobody-" + unique_email})
    assert known.status == unknown.status == 202
    assert known.json() == unknown.json()
    assert eventually(lambda: len(shop.outbox(unique_email)) == 2)
    assert shop.post("/v1/accounts/activation-links", {"email": unique_email}).status == 202
    assert shop.post("/v1/accounts/activation-links", {"email": unique_email}).status == 202
    assert_problem(shop.post("/v1/accounts/activation-links", {"email": unique_email}), 429, "too_many_link_requests")
    # A malformed address is 422 invalid_email on every route, as at registration.
    assert_problem(shop.post("/v1/accounts/activation-links", {"email": "not an email"}), 422, "invalid_email")
    assert_problem(shop.post("/v1/password-resets", {"email": "not an email"}), 422, "invalid_email")


def test_the_demo_account_activates_from_its_welcome_email(shop):
    mails = shop.outbox("demo@license-shop.example")
    token = link_token(shop, "demo@license-shop.example")
    assert len(mails) >= 1
    r = activate(shop, token)
    assert r.status == 200, r.body
    assert sign_in(shop, "demo@license-shop.example").status == 200
