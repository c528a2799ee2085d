"""Migration waves with the clock moved across them (docs/migration.md, "Stages and the move"):
T-14, T-1 and T-0 each once per account however often the daily job runs; which licenses move;
the owner's seat; the imported orders; the welcome link activates and is counted; an email with
an account keeps it; the moved subscription renews on its day, charged once on the moved
payment method; a paused wave sends nothing and resumes where it stopped; a wave imported at T-5
gets the reminder and the welcome only."""

import re
import time
import uuid

import pytest
from helpers import (
    PASSWORD, active_account, bearer, berlin_today, day_after, eventually, licensed, move_to, run_schedule,
    sandbox, shop_tools, sign_in,
)

WAVES = "/v1/admin/migration/waves"
SUBJECTS = {
    "announce": "Ihr Kontotransfer zum neuen Online-Shop",
    "remind": "Morgen: Ihr Kontotransfer zum neuen Online-Shop",
    "welcome": "Willkommen – aktivieren Sie Ihr Konto",
}


@pytest.fixture(scope="module")
def operator(shop):
    email = f"ops-{uuid.uuid4().hex[:8]}@license-shop.example"
    active_account(shop, email)
    shop_tools("grant-role", email, "operator")
    # A fresh token per call: the clock moves past a token's 15 minutes.
    return lambda: bearer(sign_in(shop, email).json()["access_token"])


def license(number, kind="subscription", auto_renew=True, status="active", start="2026-03-01", end=None, product="alarm-team"):
    return {"number": number, "product": product, "quantity": 3, "term_start": start,
            "term_end": end or "2099-02-28", "auto_renew": auto_renew, "status": status, "kind": kind}


def record(email, licenses, orders=()):
    return {"old_id": "K-" + uuid.uuid4().hex[:10], "email": email, "name": "Anna Berg", "country": "DE",
            "language": "de", "payment": {"method": "card", "customer": "cus_moved", "payment_method": "pm_card_visa"},
            "licenses": licenses, "orders": list(orders)}


def new_wave(shop, operator, transfer, accounts):
    r = shop.post(WAVES, {"name": "Wave " + uuid.uuid4().hex[:6], "transfer_date": transfer}, headers=operator())
    assert r.status == 201, r.body
    wave = r.json()["id"]
    r = shop.post(f"{WAVES}/{wave}/accounts", {"accounts": accounts}, headers=operator())
    assert r.status == 200 and not r.json().get("refused"), r.body
    return wave


def daily(shop, day):
    """The day's job, twice (a second run the same day must change nothing)."""
    move_to(shop, day)
    for _ in range(2):
        r = shop.post("/_local/schedules/DailyMigration/run")
        assert r.status == 200, r.body


def subjects(shop, email):
    return sorted(m["subject"] for m in shop.outbox(email))


def settled(shop, email, want):
    """The emails to `email` once `want` (subjects) arrived, and stayed so a moment later: no
    second copy comes after the first."""
    assert eventually(lambda: subjects(shop, email) == sorted(want), seconds=40), subjects(shop, email)
    time.sleep(1.5)
    return subjects(shop, email)


def report(shop, operator, wave):
    r = shop.get(f"{WAVES}/{wave}", headers=operator())
    assert r.status == 200, r.body
    return r.json()


def test_a_wave_announces_reminds_moves_and_welcomes_each_account_once(shop, clock, operator):
    today = str(berlin_today(shop))
    transfer = day_after(today, 20)
    renews_on = day_after(transfer, 40)
    new_email = f"moved-{uuid.uuid4().hex[:8]}@example.de"
    kept_email = f"kept-{uuid.uuid4().hex[:8]}@example.de"
    active_account(shop, kept_email)
    end = day_after(renews_on, -1)
    moved = record(new_email, [
        license("S-1", start="2026-01-01", end=end),
        license("S-2", kind="annual", auto_renew=False),
        license("S-3", kind="one_time", auto_renew=False),
        license("S-4", status="expired"),
        license("S-5", status="cancelled"),
    ], [{"number": "A-2026/0007", "license": "S-1", "date": "2026-01-01",
         "lines": [{"product": "alarm-team", "quantity": 3, "net": "144.00"}],
         "net": "144.00", "tax": "27.36", "gross": "171.36"}])
    kept = record(kept_email, [license("S-9", product="alarm-solo", end=end)])
    wave = new_wave(shop, operator, transfer, [moved, kept])

    daily(shop, day_after(transfer, -15))
    time.sleep(1)
    assert subjects(shop, new_email) == []
    daily(shop, day_after(transfer, -14))
    settled(shop, new_email, [SUBJECTS["announce"]])
    daily(shop, day_after(transfer, -1))
    settled(shop, new_email, [SUBJECTS["announce"], SUBJECTS["remind"]])
    daily(shop, transfer)
    got = settled(shop, new_email, [SUBJECTS["announce"], SUBJECTS["remind"], SUBJECTS["welcome"]])
    assert got.count(SUBJECTS["welcome"]) == 1
    # Told in the existing account's language (English here), not the export's.
    joined = "Welcome – your licenses are in your account"
    assert eventually(lambda: joined in subjects(shop, kept_email), seconds=40), subjects(shop, kept_email)

    r = report(shop, operator, wave)
    counts = {k: r["counters"][k] for k in ("announced", "reminded", "moved", "welcomed", "failed")}
    assert counts == {"announced": 2, "reminded": 2, "moved": 2, "welcomed": 2, "failed": 0}, r
    assert r["licenses"]["moved"] == 2
    assert r["licenses"]["skipped"] == {"not_renewing": 1, "one_time": 1, "expired": 1, "cancelled": 1}, r

    # The welcome link activates the new account; the activation is counted once.
    welcome = [m for m in shop.outbox(new_email) if m["subject"] == SUBJECTS["welcome"]][0]
    token = re.search(r"token=([A-Za-z0-9_-]+)", welcome["body"]).group(1)
    body = {"token": token, "password": PASSWORD, "password_confirmation": PASSWORD}
    assert shop.post("/v1/accounts/activate", body).status == 200
    assert shop.post("/v1/accounts/activate", body).status == 409
    access = sign_in(shop, new_email).json()["access_token"]
    assert shop.post("/v1/me/terms", {"version": "2026-10"}, headers=bearer(access)).status == 200
    subs = shop.get("/v1/subscriptions", headers=bearer(access)).json()["subscriptions"]
    assert [s["number"] for s in subs] == ["S-1"], "only the active auto-renewing subscription moves"
    sub = subs[0]
    assert sub["quantity"] == 3 and sub["status"] == "active" and sub["period"]["ends_on"] == end
    seats = shop.get(f"/v1/subscriptions/{sub['id']}/seats", headers=bearer(access)).json()["seats"]
    assert [s["email"] for s in seats] == [new_email], "seat 1 to the owner"
    orders = shop.get("/v1/orders", headers=bearer(access)).json()["orders"]
    assert [(o["number"], o["imported"]) for o in orders] == [("A-2026/0007", True)]
    r = report(shop, operator, wave)
    assert r["counters"]["activated"] == 1, r

    # The email that had an account keeps it: the license joined it, nothing to activate.
    kept_token = sign_in(shop, kept_email).json()["access_token"]
    kept_subs = shop.get("/v1/subscriptions", headers=bearer(kept_token)).json()["subscriptions"]
    assert [s["number"] for s in kept_subs] == ["S-9"]

    # The moved subscription renews on its day through the renewal job, charged once.
    move_to(shop, renews_on)
    run_schedule(shop)
    run_schedule(shop)

    def renewed():
        s = shop.get(f"/v1/subscriptions/{sub['id']}", headers=bearer(sign_in(shop, new_email).json()["access_token"])).json()
        return s if s["period"]["starts_on"] == renews_on else None

    assert eventually(renewed, seconds=40), "the moved subscription was not renewed"
    access = sign_in(shop, new_email).json()["access_token"]
    orders = shop.get("/v1/orders", headers=bearer(access)).json()["orders"]
    renewal = [o for o in orders if not o["imported"]]
    assert len(renewal) == 1 and renewal[0]["status"] == "confirmed"
    intents = sandbox("GET", f"/_sandbox/payment_intents?order_id={renewal[0]['id']}")["data"]
    assert len(intents) == 1 and intents[0]["payment_method"] == "pm_card_visa"


def test_a_paused_wave_sends_nothing_and_one_imported_at_t_minus_5_gets_reminder_and_welcome(shop, clock, operator):
    today = str(berlin_today(shop))
    transfer = day_after(today, 5)
    email = f"late-{uuid.uuid4().hex[:8]}@example.de"
    wave = new_wave(shop, operator, transfer, [record(email, [license("S-1")])])
    assert shop.post(f"{WAVES}/{wave}/pause", {}, headers=operator()).status == 200
    daily(shop, today)
    daily(shop, day_after(transfer, -1))
    time.sleep(2)
    assert subjects(shop, email) == [], "a paused wave sends nothing"
    assert shop.post(f"{WAVES}/{wave}/resume", {}, headers=operator()).status == 200
    daily(shop, day_after(transfer, -1))
    settled(shop, email, [SUBJECTS["remind"]])
    daily(shop, transfer)
    settled(shop, email, [SUBJECTS["remind"], SUBJECTS["welcome"]])


def test_an_email_already_holding_the_product_fails_alone_is_counted_once_and_moves_nothing(shop, clock, operator):
    """Checkout's one license per email and product against a moved license: the account whose
    email holds the product in the new shop already fails with its reason, nothing of it moves,
    it is counted once however often the job runs and tries again; the wave's other account moves."""
    transfer = day_after(str(berlin_today(shop)), 2)
    holder = f"holder-{uuid.uuid4().hex[:8]}@example.de"
    licensed(shop, holder)
    other = f"other-{uuid.uuid4().hex[:8]}@example.de"
    clash, fine = record(holder, [license("S-71")]), record(other, [license("S-72")])
    wave = new_wave(shop, operator, transfer, [clash, fine])

    daily(shop, transfer)
    # Two days before the transfer: no announcement any more, the reminder missed; the move and
    # the welcome only.
    settled(shop, other, [SUBJECTS["welcome"]])
    daily(shop, day_after(transfer, 1))
    r = report(shop, operator, wave)
    assert (r["counters"]["moved"], r["counters"]["failed"]) == (1, 1), r
    assert [(f["old_id"], f["failure"]["reason"]) for f in r["failures"]] == [(clash["old_id"], "product_already_held")], r
    assert not set(subjects(shop, holder)) & set(SUBJECTS.values())
    access = sign_in(shop, holder).json()["access_token"]
    subs = shop.get("/v1/subscriptions", headers=bearer(access)).json()["subscriptions"]
    assert "S-71" not in [s["number"] for s in subs] and len(subs) == 1, subs

