"""Between a write and its answer, and between features: a checkout killed after its order was
placed, a payment whose webhook never came, an order nobody paid, a fixed term renewed early,
and seats assigned around a scheduled downgrade."""

import concurrent.futures
import os
import signal
import uuid
from pathlib import Path

import pytest
from helpers import (
    accept_invitation_once, active_account, apps, assert_problem, assign, bearer, bought, checkout,
    colleague, day_after, downgrade, eventually, five_team, licensed, move_to, order_when,
    run_schedule, sandbox, sub_of, token_for, upgrade,
)


@pytest.fixture
def drills(shop):
    """The clock and the sandbox's failure drills, put back whatever the test did."""
    yield shop
    sandbox("POST", "/_sandbox/release")
    sandbox("POST", "/_sandbox/webhooks", {"deliver": True})
    shop.post("/_local/clock", {"reset": True})


def kill_function(name):
    """SIGKILLs every running instance of the function binary `name` of this stack (the one
    next to shop-tools), as a crash or an out-of-memory kill would; answers how many."""
    target = str(Path(os.environ["SHOP_TOOLS"]).parent / name)
    killed = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            exe = os.readlink(proc / "exe").removesuffix(" (deleted)")
        except OSError:
            continue
        if exe == target:
            os.kill(int(proc.name), signal.SIGKILL)
            killed += 1
    return killed


def reconcile(shop):
    r = shop.post("/_local/schedules/ReconcilePayments/run")
    assert r.status == 200, r.body
    return r.json()["result"]


def orders_of(shop, token):
    return shop.get("/v1/orders", headers=bearer(token)).json()["orders"]


def intents_of(order_id):
    return sandbox("GET", f"/_sandbox/payment_intents?order_id={order_id}")["data"]


def placed_then_killed(shop, token, key):
    """A checkout whose function is killed after it placed the order, while its charge is on
    the way to the provider (held there, then dropped): the client hears a 5xx."""
    sandbox("POST", "/_sandbox/hold", {"payment_intents": 1})
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(checkout, shop, token, five_team(), key=key)
        assert eventually(lambda: sandbox("GET", "/_sandbox/hold")["held"] == 1), "the charge never started"
        assert kill_function("checkout") >= 1
        lost = first.result(timeout=60)
    sandbox("POST", "/_sandbox/release")
    assert lost.status >= 500, lost.body
    [order] = orders_of(shop, token)
    assert order["status"] == "pending_payment" and intents_of(order["id"]) == []
    return order


def test_a_checkout_killed_after_placing_its_order_goes_on_with_the_same_key(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    key = str(uuid.uuid4())
    order = placed_then_killed(shop, token, key)
    # Another key finds the holder taken by the order in flight.
    assert_problem(checkout(shop, token, five_team()), 409, "license_exists")
    # Once the killed attempt's lease ran out, the same key reaches the same order and pays it.
    shop.post("/_local/clock", {"advance": "PT61S"})
    again = checkout(shop, token, five_team(), key=key)
    assert again.status == 201, again.body
    assert again.json()["id"] == order["id"] and again.json()["number"] == order["number"]
    order_when(shop, token, order["id"], "confirmed")
    assert len(intents_of(order["id"])) == 1
    assert len(orders_of(shop, token)) == 1
    # And its answer is kept: the key answers it again, byte for byte.
    replay = checkout(shop, token, five_team(), key=key)
    assert (replay.status, replay.body) == (201, again.body)


def test_a_killed_checkout_never_retried_expires_and_frees_the_holder(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    key = str(uuid.uuid4())
    order = placed_then_killed(shop, token, key)
    shop.post("/_local/clock", {"advance": "PT25H"})
    reconcile(shop)
    token = token_for(shop, unique_email)
    expired = order_when(shop, token, order["id"], "expired")
    assert expired["invoice"] is None and intents_of(order["id"]) == []
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if "expired" in m["subject"]])
    assert len(mails) == 1 and order["number"] in mails[0]["subject"]
    # The same key now says so (nothing is charged), and the holder may buy again.
    assert_problem(checkout(shop, token, five_team(), key=key), 409, "order_expired")
    assert intents_of(order["id"]) == []
    again = checkout(shop, token, five_team())
    assert again.status == 201, again.body
    reconcile(shop)
    assert len([m for m in shop.outbox(unique_email) if "expired" in m["subject"]]) == 1


def test_a_charge_whose_webhook_never_arrives_is_confirmed_by_the_job_once(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    sandbox("POST", "/_sandbox/webhooks", {"deliver": False})
    r = checkout(shop, token, five_team())
    assert r.status == 201, r.body
    order_id = r.json()["id"]
    sandbox("POST", "/_sandbox/webhooks", {"deliver": True})
    assert [pi["status"] for pi in intents_of(order_id)] == ["succeeded"]
    # Too young: the job leaves it to the webhook.
    reconcile(shop)
    assert shop.get(f"/v1/orders/{order_id}", headers=bearer(token)).json()["status"] == "pending_payment"
    shop.post("/_local/clock", {"advance": "PT16M"})
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: reconcile(shop), range(2)))
    assert all(run["errors"] == 0 for run in runs), runs
    token = token_for(shop, unique_email)  # access tokens last 15 minutes
    order = order_when(shop, token, order_id, "confirmed")
    invoice = order["invoice"]["number"]
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if invoice in m["body"]])
    reconcile(shop)
    assert len([m for m in shop.outbox(unique_email) if invoice in m["body"]]) == len(mails) == 1
    assert len(intents_of(order_id)) == 1
    sub = order["lines"][0]["subscription_id"]
    assert sub_of(shop, token, sub)["status"] == "active"


def test_an_order_waiting_for_3ds_expires_after_a_day_and_can_no_longer_be_paid(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    r = checkout(shop, token, five_team(), pm="pm_card_authenticationRequired")
    assert r.status == 201 and r.json()["status"] == "requires_action", r.body
    order_id = r.json()["id"]
    shop.post("/_local/clock", {"advance": "PT23H"})
    reconcile(shop)
    token = token_for(shop, unique_email)
    assert shop.get(f"/v1/orders/{order_id}", headers=bearer(token)).json()["status"] == "requires_action"
    shop.post("/_local/clock", {"advance": "PT2H"})
    reconcile(shop)
    token = token_for(shop, unique_email)
    order_when(shop, token, order_id, "expired")
    [pi] = intents_of(order_id)
    assert pi["status"] == "canceled"
    mails = eventually(lambda: [m for m in shop.outbox(unique_email) if "expired" in m["subject"]])
    assert len(mails) == 1
    assert checkout(shop, token, five_team()).status == 201


def test_a_fixed_term_renewed_on_day_minus_40_grants_access_on_every_day(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    sub = bought(shop, token, product="plant-report", quantity=1, term="P365D")
    period = sub_of(shop, token, sub)["period"]
    end = period["ends_on"]
    assert assign(shop, token, sub, unique_email).status == 201
    move_to(shop, day_after(end, -40))
    token = token_for(shop, unique_email)
    r = shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token))
    assert r.status == 201, r.body
    renewal_id = r.json()["id"]
    next_term = {"starts_on": day_after(end), "ends_on": day_after(end, 365)}
    renewed = sub_of(shop, token, sub)
    assert renewed["period"] == period and renewed["next_period"] == next_term
    assert_problem(shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token)), 409, "already_renewed")
    # The owner's seat ran to the old end: it runs on to the new one.
    [seat] = shop.get(f"/v1/subscriptions/{sub}/seats", headers=bearer(token)).json()["seats"]
    assert seat["ends_on"] == next_term["ends_on"]
    # The paid rest of the old term is still the owner's to give: a colleague takes it.
    assert shop.post(f"/v1/subscriptions/{sub}/seats/{seat['id']}/deactivate", headers=bearer(token)).status == 200
    other = colleague()
    r = assign(shop, token, sub, other, ends_on=end)
    assert r.status == 201, r.body
    r = assign(shop, token, sub, unique_email, starts_on=day_after(end), ends_on=next_term["ends_on"])
    assert r.status == 201, r.body
    for offset in (-40, -1, 0, 1, 2, 200, 365):
        move_to(shop, day_after(end, offset))
        holder = token_for(shop, unique_email)
        assert ("reports" in apps(shop, holder)) == (offset >= 1), offset
        if offset >= 1:
            current = sub_of(shop, holder, sub)
            assert current["period"] == next_term and current["next_period"] is None
    move_to(shop, day_after(end, 366))
    assert "reports" not in apps(shop, token_for(shop, unique_email))
    token = token_for(shop, unique_email)
    renewals = [o for o in orders_of(shop, token) if o["lines"][0]["change"]["kind"] == "renewal"]
    assert [o["id"] for o in renewals] == [renewal_id] and len(intents_of(renewal_id)) == 1
    # A renewal is never undone by cancelling the license it renewed.
    assert_problem(shop.post(f"/v1/orders/{renewal_id}/cancel", headers=bearer(token)), 409, "change_not_cancellable")


def test_the_colleague_keeps_access_to_the_old_end_after_an_early_renewal(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    sub = bought(shop, token, product="plant-report", quantity=1, term="P365D")
    end = sub_of(shop, token, sub)["period"]["ends_on"]
    member = colleague()
    assert assign(shop, token, sub, member).status == 201

    member_token = accept_invitation_once(shop, member)
    move_to(shop, day_after(end, -40))
    assert shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token_for(shop, unique_email))).status == 201
    for offset in (-40, -10, 0, 1, 365):
        move_to(shop, day_after(end, offset))
        member_token = token_for(shop, member)
        assert "reports" in apps(shop, member_token), offset
    # The reminder of the renewed term names its end, once.
    move_to(shop, day_after(end, 365 - 40))
    run_schedule(shop)
    run_schedule(shop)
    new_end = day_after(end, 365)
    reminders = eventually(lambda: [m for m in shop.outbox(unique_email) if new_end in m["subject"]])
    assert len(reminders) == 1


def test_seats_added_after_a_downgrade_never_over_assign_the_next_term(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    sub = bought(shop, token, quantity=5)
    rolling = [assign(shop, token, sub, colleague()).json() for _ in range(3)]
    assert downgrade(shop, token, sub, 3).status == 200
    # A fourth seat for the rest of the paid term is the owner's right; it stops at the term's
    # end, as the next term has three licenses and three seats carry over already.
    late = assign(shop, token, sub, colleague())
    assert late.status == 201, late.body
    period = sub_of(shop, token, sub)["period"]
    renewal_day = day_after(period["ends_on"])
    move_to(shop, renewal_day)
    run_schedule(shop)
    token = token_for(shop, unique_email)
    renewed = eventually(lambda: (lambda s: s if s["period"]["starts_on"] == renewal_day else None)(sub_of(shop, token, sub)))
    assert renewed and renewed["quantity"] == 3
    # The seats carry over just after the renewal is confirmed.
    assert eventually(lambda: sub_of(shop, token, sub)["seats_used_today"] == 3)
    seats = shop.get(f"/v1/subscriptions/{sub}/seats", headers=bearer(token)).json()["seats"]
    ends = {s["id"]: s["ends_on"] for s in seats}
    assert [ends[s["id"]] for s in rolling] == [renewed["period"]["ends_on"]] * 3
    assert ends[late.json()["id"]] == period["ends_on"]
    for day in (renewal_day, day_after(renewal_day, 100), renewed["period"]["ends_on"]):
        on_day = [s for s in seats if s["starts_on"] <= day <= s["ends_on"] and s["status"] == "active"]
        assert len(on_day) <= 3, (day, on_day)


def test_a_declined_fixed_term_renewal_can_be_tried_again(drills, unique_email):
    shop = drills
    token = active_account(shop, unique_email)
    sub = bought(shop, token, product="plant-report", quantity=1, term="P365D", pm="pm_card_offSessionDeclined")
    end = sub_of(shop, token, sub)["period"]["ends_on"]
    move_to(shop, day_after(end, -10))
    token = token_for(shop, unique_email)
    for _ in range(2):
        assert_problem(shop.post(f"/v1/subscriptions/{sub}/renew", headers=bearer(token)), 402, "payment_declined")
    # Each request was an attempt of its own, charged anew: not the refused order again.
    tries = [o for o in orders_of(shop, token) if o["lines"][0]["change"]["kind"] == "renewal"]
    assert len(tries) == 2 and {o["status"] for o in tries} == {"payment_failed"}
    assert all(len(intents_of(o["id"])) == 1 for o in tries)


def test_an_upgrade_killed_after_placing_its_order_goes_on_with_the_same_key(drills, unique_email):
    shop = drills

    token, sub = licensed(shop, unique_email, quantity=5)
    key = str(uuid.uuid4())
    sandbox("POST", "/_sandbox/hold", {"payment_intents": 1})
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(upgrade, shop, token, sub, 8, key)
        assert eventually(lambda: sandbox("GET", "/_sandbox/hold")["held"] == 1), "the charge never started"
        assert kill_function("prorate-upgrade") >= 1
        lost = first.result(timeout=60)
    sandbox("POST", "/_sandbox/release")
    assert lost.status >= 500, lost.body
    shop.post("/_local/clock", {"advance": "PT61S"})
    again = upgrade(shop, token, sub, 8, key=key)
    assert again.status == 201, again.body
    order_id = again.json()["id"]
    assert len(intents_of(order_id)) == 1
    assert eventually(lambda: sub_of(shop, token, sub)["quantity"] == 8)
    upgrades = [o for o in orders_of(shop, token) if o["lines"][0]["change"]["kind"] == "upgrade"]
    assert [o["id"] for o in upgrades] == [order_id]
