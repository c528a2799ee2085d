"""License management end to end: the overview, seats with date ranges under concurrency,
invitations with activation links, and the app portal following seats by date."""

import concurrent.futures
import re
import uuid

import pytest
from helpers import (
    accept_invitation, active_account, apps, assert_problem, assign, bearer, checkout, colleague,
    day_after, eventually, five_team, licensed, order_when, register,
)


def test_a_new_owner_fills_five_seats_and_swaps_one(shop, unique_email):
    token, sub = licensed(shop, unique_email)
    overview = shop.get("/v1/subscriptions", headers=bearer(token)).json()["subscriptions"]
    assert [(s["id"], s["quantity"], s["seats_used_today"], s["status"]) for s in overview] == [(sub, 5, 0, "active")]
    assert re.fullmatch(r"INV-\d{4}-\d{6}", overview[0]["invoices"][0])
    colleagues = [colleague() for _ in range(6)]
    seats = []
    for email in colleagues[:5]:
        r = assign(shop, token, sub, email)
        assert r.status == 201, r.body
        seats.append(r.json())
    assert_problem(assign(shop, token, sub, colleagues[5]), 409, "seat_limit_reached")
    off = shop.post(f"/v1/subscriptions/{sub}/seats/{seats[0]['id']}/deactivate", headers=bearer(token))
    assert off.status == 200 and off.json()["status"] == "deactivated"
    assert assign(shop, token, sub, colleagues[5]).status == 201
    one = shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json()
    assert one["seats_used_today"] == 5 and one["scheduled_change"] is None
    listed = shop.get(f"/v1/subscriptions/{sub}/seats", headers=bearer(token)).json()["seats"]
    assert len(listed) == 6
    for email in colleagues:
        mails = eventually(lambda: shop.outbox(email))
        assert len(mails) == 1 and "Alerting Team" in mails[0]["subject"] + mails[0]["body"]
        assert "token=" in mails[0]["body"]
    # The sixth colleague activates the account from the invitation and sees the product.
    token6 = accept_invitation(shop, colleagues[5])
    assert "alerting" in apps(shop, token6)
    # The first colleague's seat was deactivated: no product in the list.
    token1 = accept_invitation(shop, colleagues[0])
    assert "alerting" not in apps(shop, token1)


def test_deactivating_a_seat_takes_the_app_away_at_once(shop, unique_email):
    token, sub = licensed(shop, unique_email)
    member = colleague()
    seat = assign(shop, token, sub, member).json()
    member_token = accept_invitation(shop, member)
    assert "alerting" in apps(shop, member_token)
    shop.post(f"/v1/subscriptions/{sub}/seats/{seat['id']}/deactivate", headers=bearer(token))
    assert "alerting" not in apps(shop, member_token)
    # An existing account is invited with a sign-in link, not an activation link.
    again = assign(shop, token, sub, member)
    assert again.status == 201
    mails = eventually(lambda: [m for m in shop.outbox(member) if "sign-in" in m["body"]])
    assert mails and "token=" not in mails[0]["body"]
    assert "alerting" in apps(shop, member_token)


@pytest.mark.parametrize("round_", range(3))
def test_fifty_concurrent_assignments_fill_exactly_five_seats(shop, round_):
    owner = f"owner-{uuid.uuid4().hex[:10]}@example.de"
    token, sub = licensed(shop, owner)
    emails = [colleague() for _ in range(50)]
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda e: assign(shop, token, sub, e), emails))
    statuses = sorted(a.status for a in answers)
    others = [(a.status, a.body[:300]) for a in answers if a.status not in (201, 409)]
    assert statuses.count(201) == 5 and statuses.count(409) == 45, others
    for a in answers:
        if a.status == 409:
            assert a.json()["code"] == "seat_limit_reached"
    assert len(shop.get(f"/v1/subscriptions/{sub}/seats", headers=bearer(token)).json()["seats"]) == 5


def test_one_email_one_seat_at_a_time_and_dates_are_checked(shop, unique_email):
    token, sub = licensed(shop, unique_email)
    period = shop.get(f"/v1/subscriptions/{sub}", headers=bearer(token)).json()["period"]
    start = period["starts_on"]
    member = colleague()
    first = assign(shop, token, sub, member, ends_on=day_after(start, 10))
    assert first.status == 201, first.body
    assert_problem(assign(shop, token, sub, member.upper(), starts_on=day_after(start, 10)), 409, "email_holds_seat")
    assert assign(shop, token, sub, member, starts_on=day_after(start, 11)).status == 201
    for dates, code in [
        ({"ends_on": day_after(period["ends_on"], 1)}, "dates_outside_period"),
        ({"starts_on": day_after(start, 20), "ends_on": day_after(start, 19)}, "invalid_dates"),
        ({"starts_on": day_after(start, -1)}, "dates_in_the_past"),
    ]:
        assert_problem(assign(shop, token, sub, colleague(), **dates), 422, code)
    assert_problem(assign(shop, token, sub, "not-an-email"), 422, "invalid_email")
    assert_problem(shop.post(f"/v1/subscriptions/{sub}/seats", {"email": colleague(), "starts_on": "tomorrow"}, headers=bearer(token)), 400, "invalid_body")
    # format: date is YYYY-MM-DD and nothing else (the ISO basic form too is refused).
    assert_problem(shop.post(f"/v1/subscriptions/{sub}/seats", {"email": colleague(), "starts_on": start.replace("-", "")}, headers=bearer(token)), 400, "invalid_body")
    seat = first.json()["id"]
    assert_problem(shop.request("PATCH", f"/v1/subscriptions/{sub}/seats/{seat}", [None, day_after(start, 5)], headers=bearer(token)), 400, "invalid_body")
    moved = shop.request("PATCH", f"/v1/subscriptions/{sub}/seats/{seat}", {"ends_on": day_after(start, 5)}, headers=bearer(token))
    assert moved.status == 200 and moved.json()["ends_on"] == day_after(start, 5)
    assert len(shop.get(f"/v1/subscriptions/{sub}/seats", headers=bearer(token)).json()["seats"]) == 2


def test_another_account_sees_and_changes_nothing(shop, unique_email):
    token, sub = licensed(shop, unique_email)
    seat = assign(shop, token, sub, colleague()).json()
    other = active_account(shop, colleague())
    base = f"/v1/subscriptions/{sub}"
    for r in [
        shop.get(base, headers=bearer(other)),
        shop.get(f"{base}/seats", headers=bearer(other)),
        assign(shop, other, sub, colleague()),
        shop.request("PATCH", f"{base}/seats/{seat['id']}", {"ends_on": seat["starts_on"]}, headers=bearer(other)),
        shop.post(f"{base}/seats/{seat['id']}/deactivate", headers=bearer(other)),
    ]:
        assert_problem(r, 404, "subscription_not_found")
    assert shop.get("/v1/subscriptions", headers=bearer(other)).json()["subscriptions"] == []
    seats = shop.get(f"{base}/seats", headers=bearer(token)).json()["seats"]
    assert [(s["id"], s["status"], s["ends_on"]) for s in seats] == [(seat["id"], "active", seat["ends_on"])]
    assert_problem(shop.get("/v1/subscriptions/nope", headers=bearer(token)), 404, "subscription_not_found")


def test_an_order_with_an_assigned_seat_cannot_be_cancelled(shop, unique_email):
    token = active_account(shop, unique_email)
    r = checkout(shop, token, five_team())
    order_when(shop, token, r.json()["id"], "confirmed")
    sub = r.json()["lines"][0]["subscription_id"]
    assert assign(shop, token, sub, colleague()).status == 201
    assert_problem(shop.post(f"/v1/orders/{r.json()['id']}/cancel", headers=bearer(token)), 409, "licenses_activated")


def test_invitations_speak_the_colleagues_language(shop, unique_email):

    token, sub = licensed(shop, unique_email)
    german = colleague()
    assert register(shop, german, language="de").status == 201
    assert assign(shop, token, sub, german).status == 201
    mails = eventually(lambda: [m for m in shop.outbox(german) if "Lizenz" in m["subject"]])
    assert mails and "hat Ihnen eine Lizenz" in mails[0]["subject"]
    # A new colleague hears the owner's language (the owner registered in English).
    newcomer = colleague()
    assert assign(shop, token, sub, newcomer).status == 201
    invite = eventually(lambda: shop.outbox(newcomer))
    assert invite and "gave you a seat" in invite[0]["subject"]
