"""Changing and resetting passwords: policy, history, minimum age, expiry."""

from helpers import (
    PASSWORD, active_account, assert_problem, bearer, change_password, eventually, field_codes,
    link_token, sign_in,
)

NEW = "Mond#2027yy"


def test_owner_changes_after_the_minimum_age_and_never_back(shop, clock, unique_email):
    token = active_account(shop, unique_email)
    assert_problem(change_password(shop, token, PASSWORD, NEW), 409, "password_too_recent")
    clock.post("/_local/clock", {"advance": "P2D"})
    token = sign_in(shop, unique_email).json()["access_token"]
    r = change_password(shop, token, "Wrong#2026x", NEW)
    assert r.status == 422 and field_codes(r) == ["current_password_wrong"]
    r = change_password(shop, token, PASSWORD, "weak")
    assert r.status == 422 and "password_too_short" in field_codes(r)
    r = change_password(shop, token, PASSWORD, PASSWORD)
    assert r.status == 422 and field_codes(r) == ["password_reused"]
    assert change_password(shop, token, PASSWORD, NEW).status == 200
    assert sign_in(shop, unique_email, NEW).status == 200
    assert_problem(sign_in(shop, unique_email, PASSWORD), 401, "invalid_credentials")
    clock.post("/_local/clock", {"advance": "P2D"})
    token = sign_in(shop, unique_email, NEW).json()["access_token"]
    r = change_password(shop, token, NEW, PASSWORD)
    assert r.status == 422 and field_codes(r) == ["password_reused"], "an earlier password cannot return"


def test_an_expired_password_allows_only_the_change(shop, clock, unique_email):
    active_account(shop, unique_email)
    clock.post("/_local/clock", {"advance": "P366D"})
    session = sign_in(shop, unique_email)
    assert session.status == 200
    body = session.json()
    assert body["password_change_required"] is True and body["expires_in"] == 300
    token = body["access_token"]
    assert_problem(shop.get("/v1/me/apps", headers=bearer(token)), 403, "password_change_required")
    assert change_password(shop, token, PASSWORD, NEW).status == 200
    fresh = sign_in(shop, unique_email, NEW).json()
    assert fresh["password_change_required"] is False
    assert shop.get("/v1/me/apps", headers=bearer(fresh["access_token"])).status == 200


def test_reset_by_email_link_ignores_the_minimum_age(shop, unique_email):
    active_account(shop, unique_email)
    assert shop.post("/v1/password-resets", {"email": unique_email}).status == 202
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if m["subject"] == "Reset your password"])
    assert mails
    token = link_token(shop, unique_email)
    confirm = lambda pw, again=None: shop.post("/v1/password-resets/confirm", {"token": token, "password": pw, "password_confirmation": again or pw})
    r = confirm(PASSWORD)
    assert r.status == 422 and field_codes(r) == ["password_reused"]
    assert confirm(NEW).status == 200
    assert sign_in(shop, unique_email, NEW).status == 200
    assert_problem(confirm("Stern#2028zz"), 409, "link_used")


def test_a_reset_request_for_an_unknown_email_answers_alike(shop, unique_email):
    active_account(shop, unique_email)
    known = shop.post("/v1/password-resets", {"email": unique_email})
    unknown = shop.post("/v1/password-resets", {"email": "nobody-" + unique_email})
    assert known.status == unknown.status == 202 and known.json() == unknown.json()


def test_the_table_holds_no_password_in_clear(shop, unique_email):
    import os

    import boto3

    active_account(shop, unique_email)
    table = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="eu-central-1", aws_access_key_id="t", aws_secret_access_key="t")
    pages = table.get_paginator("scan").paginate(TableName="ShopTable")
    dump = str([page["Items"] for page in pages])
    assert unique_email in dump
    assert PASSWORD not in dump
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in dump
