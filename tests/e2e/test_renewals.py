"""Renewals end to end with the clock moved: the daily schedule renews once however often it
runs, applies the scheduled downgrade, retries failed charges and expires; fixed-term licenses
are reminded and renewed inside their window."""


from helpers import (
    accept_invitation_once, active_account, apps, assert_problem, assign, bearer, bought, checkout,
    colleague, day_after, downgrade, eventually, move_to, preview, run_schedule, sandbox, sub_of,
    token_for, upgrade,
)


def test_renewal_applies_the_downgrade_and_charges_once(shop, clock, unique_email):
    token = active_account(shop, unique_email)
    sub = bought(shop, token, quantity=20)
    fee = preview(shop, token, sub, 30).json()["fee"]
    up = upgrade(shop, token, sub, 30)
    assert up.status == 201 and up.json()["lines"][0]["gross"] == fee["gross"]
    assert downgrade(shop, token, sub, 10).status == 200
    seat = assign(shop, token, sub, colleague()).json()
    period = sub_of(shop, token, sub)["period"]
    assert seat["ends_on"] == period["ends_on"]
    renewal_day = day_after(period["ends_on"])
    move_to(shop, renewal_day)
    first, second = run_schedule(shop), run_schedule(shop)
    assert first["due"] >= 1 and first["queries"] == len(first["days"])
    token = token_for(shop, unique_email)

    def renewed():
        s = sub_of(shop, token, sub)
        return s if s["period"]["starts_on"] == renewal_day else None

    s = eventually(renewed)
    assert s, "the subscription was not renewed"
    assert s["quantity"] == 10 and s["scheduled_change"] is None and s["status"] == "active"
    assert s["period"]["ends_on"] > renewal_day
    orders = shop.get("/v1/orders", headers=bearer(token)).json()["orders"]
    renewals = [o for o in orders if o["lines"][0]["change"]["kind"] == "renewal"]
    assert len(renewals) == 1
    assert renewals[0]["totals"]["net"] == "480.00" and renewals[0]["lines"][0]["quantity"] == 10
    invoice = renewals[0]["invoice"]["number"]
    # The seat that ran to the end of the old term runs on to the end of the new one.
    seats = shop.get(f"/v1/subscriptions/{sub}/seats", headers=bearer(token)).json()["seats"]
    assert [x["ends_on"] for x in seats if x["id"] == seat["id"]] == [s["period"]["ends_on"]]
    assert invoice in s["invoices"]

    assert len(sandbox("GET", f"/_sandbox/payment_intents?order_id={renewals[0]['id']}")["data"]) == 1
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if invoice in m["body"]])
    run_schedule(shop)
    assert len([m for m in shop.outbox(unique_email) if invoice in m["body"]]) == len(mails) == 1


def test_failed_charges_follow_the_retry_days_then_expire(shop, clock, unique_email):
    token = active_account(shop, unique_email)
    sub = bought(shop, token, quantity=5, pm="pm_card_offSessionDeclined")
    member = colleague()
    assert assign(shop, token, sub, member).status == 201
    # The colleague activates the account at once (the link lasts 14 days).
    accept_invitation_once(shop, member)
    member_token_email = member
    period = sub_of(shop, token, sub)["period"]
    due = day_after(period["ends_on"])
    for attempt, (offset, status) in enumerate([(0, "past_due"), (1, "past_due"), (3, "past_due"), (7, "expired")]):
        move_to(shop, day_after(due, offset))
        run_schedule(shop)
        token = token_for(shop, unique_email)

        def charged():
            # One declined renewal order per attempt, then the status the attempt leaves.
            orders = shop.get("/v1/orders", headers=bearer(token)).json()["orders"]
            tries = [o for o in orders if o["lines"][0]["change"]["kind"] == "renewal"]
            return len(tries) == attempt + 1 and sub_of(shop, token, sub)["status"] == status

        assert eventually(charged, seconds=30), (offset, status)
        if status == "past_due":
            # Still paid for while the charge is retried: the seat grants access.
            member_token = accept_invitation_once(shop, member_token_email)
            assert "alerting" in apps(shop, member_token)
    member_token = token_for(shop, member_token_email)
    assert "alerting" not in apps(shop, member_token)
    # The owner heard of every failed charge, the last one saying the subscription ended.
    failed = eventually(lambda: (lambda m: m if len(m) == 4 else None)(
        [m for m in shop.outbox(unique_email) if m["subject"].startswith("We could not renew")]))
    assert failed and sum("has now ended" in m["body"] for m in failed) == 1
    # Nothing is retried after the expiry.
    move_to(shop, day_after(due, 20))
    run_schedule(shop)
    assert sub_of(shop, token_for(shop, unique_email), sub)["status"] == "expired"


def test_auto_renew_off_ends_the_subscription_without_a_charge(shop, clock, unique_email):
    token = active_account(shop, unique_email)
    sub = bought(shop, token, quantity=5)
    assert shop.request("PUT", f"/v1/subscriptions/{sub}/auto-renew", {"enabled": False}, headers=bearer(token)).status == 200
    end = sub_of(shop, token, sub)["period"]["ends_on"]
    move_to(shop, day_after(end))
    run_schedule(shop)
    token = token_for(shop, unique_email)
    assert eventually(lambda: sub_of(shop, token, sub)["status"] == "expired", seconds=20)
    orders = shop.get("/v1/orders", headers=bearer(token)).json()["orders"]
    assert len(orders) == 1
    # The ended subscription freed its holder: the same email may buy the product again.
    again = checkout(shop, token, [{"product_id": "alarm-team", "quantity": 5}])
    assert again.status == 201, again.body


def test_fixed_term_reminder_window_and_renewal_without_a_gap(shop, clock, unique_email):
    token = active_account(shop, unique_email)
    sub = bought(shop, token, product="plant-report", quantity=1, term="P365D")
    period = sub_of(shop, token, sub)["period"]
    end = period["ends_on"]
    # The owner takes the one seat; it runs to the end of the term.
    assert assign(shop, token, sub, unique_email).status == 201
    assert "reports" in apps(shop, token)
    move_to(shop, day_after(end, -41))
    token = token_for(shop, unique_email)
    body = assert_problem(shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token)), 409, "renewal_not_open")
    assert day_after(end, -40) in body["detail"]
    move_to(shop, day_after(end, -40))
    run_schedule(shop)
    run_schedule(shop)
    reminders = eventually(lambda: [m for m in shop.outbox(unique_email) if end in m["subject"]])
    assert len(reminders) == 1
    token = token_for(shop, unique_email)
    r = shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token))
    assert r.status == 201, r.body
    renewed = sub_of(shop, token, sub)
    assert renewed["period"] == period
    assert renewed["next_period"] == {"starts_on": day_after(end), "ends_on": day_after(end, 365)}
    assert_problem(shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token)), 409, "already_renewed")
    # The day after the old end the license still grants access: no gap.
    move_to(shop, day_after(end))
    assert "reports" in apps(shop, token_for(shop, unique_email))


def test_fixed_term_access_stops_at_the_end_and_a_late_renewal_starts_on_payment(shop, clock, unique_email):
    token = active_account(shop, unique_email)
    sub = bought(shop, token, product="plant-report", quantity=1, term="P365D")
    end = sub_of(shop, token, sub)["period"]["ends_on"]
    assert assign(shop, token, sub, unique_email).status == 201
    move_to(shop, day_after(end, 5))
    token = token_for(shop, unique_email)
    # No job has run: access ends by the date alone.
    assert "reports" not in apps(shop, token)
    r = shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token))
    assert r.status == 201, r.body
    assert sub_of(shop, token, sub)["period"]["starts_on"] == day_after(end, 5)
    # The seat ended with the old term; the owner assigns it again for the new one.
    assert "reports" not in apps(shop, token)
    assert assign(shop, token, sub, unique_email).status == 201
    assert "reports" in apps(shop, token)
